// Package node is the node authorizer: it keeps each kubelet, which
// authenticates as system:node:NAME in the group system:nodes, to what
// its own node needs, as Kubernetes' Node authorization mode does.
//
// A kubelet gets two kinds of permission. Static rules (rules.go) are
// what every node process does whatever it runs: register and heartbeat
// its Node and Lease, watch the pods bound to it, report their status,
// watch Services and Endpoints for the proxy and DNS, and run the node's
// local-path provisioner. Graph rules (authorizer.go) follow the pods
// bound to the node: a kubelet may read a Secret, a ConfigMap or a
// PersistentVolumeClaim only when a pod bound to it names the object, a
// PersistentVolume only when it is bound to such a claim, and may ask
// for a token only for a ServiceAccount one of its pods runs as. The
// pods are read from a Source, which the API server backs with its store.
//
// The authorizer never denies: what it does not allow it leaves to the
// next authorizer (RBAC), with a reason. Writes it allows by kind — a
// Node, a Lease, a pod's status — are narrowed to the node's own objects
// by the NodeRestriction admission plugin (core/apiserver), which sees
// the objects the authorizer cannot.
//
// Book: book/16-identity-and-access.md.
package node
