package node

import "github.com/tinykube/tinykube/core/api"

// LeaseNamespace holds the nodes' heartbeat Leases, one per node, named
// after it.
const LeaseNamespace = "kube-node-lease"

// StaticRules are what every node process needs whatever runs on it,
// read from what tinykube's node process sends: the kubelet
// (core/kubelet), the service proxy (core/proxy), the DNS resolver
// (core/dns) and the local-path provisioner (core/controller/localpath),
// which all use the kubelet's identity.
//
// Writes allowed here by kind are narrowed to the node's own objects by
// the NodeRestriction admission plugin: its own Node, the status and
// deletion of pods bound to it, persistent volumes tied to it. Reads of
// Secrets, ConfigMaps and single claims and volumes, node Leases, and
// tokens are not here: the graph rules decide them (Authorizer).
//
// PersistentVolumeClaims and PersistentVolumes may be listed and watched
// whole because the provisioner looks through every claim for the ones
// waiting on its node, and the kubelet's claim resolver watches both
// kinds. They hold no credentials; Secrets and ConfigMaps stay behind
// the graph.
var StaticRules = []api.PolicyRule{
	// Register the Node, keep its labels, post its status (kubelet).
	{Verbs: []string{"get", "list", "watch", "create", "update", "patch"}, APIGroups: []string{""}, Resources: []string{"nodes"}},
	{Verbs: []string{"update", "patch"}, APIGroups: []string{""}, Resources: []string{"nodes/status"}},
	// Watch the pods bound to the node, report their status, remove a
	// terminated pod whose deletion was asked for (kubelet).
	{Verbs: []string{"get", "list", "watch", "delete"}, APIGroups: []string{""}, Resources: []string{"pods"}},
	{Verbs: []string{"update", "patch"}, APIGroups: []string{""}, Resources: []string{"pods/status"}},
	// Record events (kubelet, provisioner).
	{Verbs: []string{"create", "update", "patch"}, APIGroups: []string{""}, Resources: []string{"events"}},
	// Route and resolve Services (proxy, DNS).
	{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"services", "endpoints"}},
	// Provision local volumes (provisioner) and resolve claims (kubelet).
	{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{"storage.k8s.io"}, Resources: []string{"storageclasses"}},
	{Verbs: []string{"list", "watch"}, APIGroups: []string{""}, Resources: []string{"persistentvolumeclaims", "persistentvolumes"}},
	{Verbs: []string{"create", "delete"}, APIGroups: []string{""}, Resources: []string{"persistentvolumes"}},
}
