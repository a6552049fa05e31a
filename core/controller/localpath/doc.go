// Package localpath is the local-path provisioner: one runs with every
// node and turns a claim that the scheduler placed on that node (the
// claim's volume.kubernetes.io/selected-node annotation) into a directory
// of the node and a PersistentVolume with node affinity to it, already
// reserved for the claim (the binder finishes the binding). When such a
// volume is released and its reclaim policy is Delete, the provisioner of
// its node removes the directory, then the volume.
//
// It runs with the node, not in the controller manager, because only the
// node can make and remove its own directories; Kubernetes' local
// provisioners run per node for the same reason (a DaemonSet, or helper
// pods sent to the node). A volume on a node that is gone stays until the
// node comes back (or an administrator deletes it): its data went with the
// node's disk, or it did not, and only the node can tell.
//
// Book: book/15-configuration-and-storage.md.
package localpath
