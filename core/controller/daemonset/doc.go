// Package daemonset is the DaemonSet controller: it keeps exactly one pod
// of a DaemonSet on every node that should run one, and none elsewhere.
//
// A node should run the DaemonSet's pod when it exists and is not being
// deleted, and the default scheduler's filters (core/scheduler.Filter:
// spec.nodeSelector, required node affinity, NoSchedule and NoExecute
// taints, readiness, cordoning) pass for the template pod with the
// tolerations every DaemonSet pod gets. A pod already on a node may stay
// while only scheduling-time objections apply (a NoSchedule taint, a
// cordon, a node that is not Ready): as in Kubernetes, a lost node keeps
// its daemon pod, which tolerates the not-ready and unreachable NoExecute
// taints forever.
//
// Binding: like Kubernetes since 1.12, the controller does not set
// spec.nodeName. It creates each pod with a required node affinity that
// names its node, and the default scheduler binds it, so host ports and
// resources are checked by the one component that owns them. Kubernetes
// names the node with matchFields metadata.name; tinykube's node
// selectors have no matchFields, so the term is on the
// kubernetes.io/hostname label, which every kubelet sets to its node's
// name. The term replaces the template's own required terms (the
// controller has already checked those against the node).
//
//	nodes ──┐
//	        ├─► per node: shouldRun / shouldContinue ─► create, delete extras,
//	pods  ──┘              (scheduler.Filter)            replace failed
//	                                                    └─► rolling update ─► status
//
// Nodes that leave: a pod bound to a node deleted from the API is the node
// controller's to collect (its pod GC force-deletes it); this controller
// only deletes its unbound pods aimed at a node that no longer exists,
// which nothing else would, as in Kubernetes. Neither reports the other's
// deletions.
//
// Updates: pods carry the controller-revision-hash label, a hash of the
// template (tinykube has no ControllerRevision objects, so the hash is the
// revision). RollingUpdate with maxSurge 0 deletes the old pods of at most
// maxUnavailable nodes at a time and creates their replacements on the
// next pass; old pods that are not available anyway are replaced at once.
// maxUnavailable is an integer or a percentage of the nodes that should
// run the pod, rounded up, as Kubernetes rounds it for DaemonSets (a
// Deployment rounds it down); 0 becomes 1. maxSurge above 0 is treated as
// 0 (surge is not implemented). OnDelete replaces only pods deleted by
// someone else.
//
// Names: a DaemonSet's pod on a node is always called the DaemonSet's
// name plus a hash of the node's, and a node gets a new pod only once its
// last one is gone from the cache. A create whose answer was lost and is
// retried is then refused with AlreadyExists instead of making a second
// pod. (Kubernetes uses generated names and, after a timeout, waits for a
// pod that may never come; the expectations here are only an
// optimisation.)
//
// Ownership: the controller manages the pods whose controller reference
// is the DaemonSet; it does not adopt orphans.
//
// Book: chapter 9, "Workloads" (book/09-workloads.md, "DaemonSets").
package daemonset
