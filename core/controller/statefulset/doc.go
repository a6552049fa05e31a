// Package statefulset is the StatefulSet controller: it keeps pods NAME-0 …
// NAME-(replicas-1) with stable names, hostnames and claims. Under the
// OrderedReady policy it creates one ordinal at a time, only when every
// lower one is Running and Ready, and removes the highest first; under
// Parallel it creates and removes them all at once. A rolling update
// replaces pods from the highest ordinal down to the partition, one at a
// time.
//
// The safety rule everything hangs on: an ordinal is recreated only once
// the old pod object is gone from the API, never while it is merely
// terminating. The API server refuses a second pod of the same name, so
// a missing name in the cache means the old pod's kubelet confirmed that
// its containers stopped (or somebody force-deleted it). The controller
// itself never force-deletes.
//
// Claims made from volumeClaimTemplates outlive their pods. The set's
// persistentVolumeClaimRetentionPolicy decides whether they also outlive
// the set (whenDeleted) and a scale-down (whenScaled); the controller
// carries it out with owner references only, and the garbage collector
// does the deleting (retention.go).
//
// Simplification: tinykube keeps no ControllerRevision objects. The
// revisions in status and in the controller-revision-hash label are
// hashes of the pod template, and every pod is created from the current
// template; a pod below the partition that is deleted comes back with the
// new template, where Kubernetes would rebuild the old one from its
// ControllerRevision. Pods are not adopted or released: only pods whose
// controller reference names the set count.
//
// Book: chapter 9, "Workloads" (book/09-workloads.md, "StatefulSets").
package statefulset
