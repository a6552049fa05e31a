// Lab 04: your code goes in this file (labs/04-scheduler/README.md);
// the contract comments below are the specification.

package student

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/scheduler"
)

// Fits reports whether pod may run on node, and if not, why.
//
// Contract: node is the scheduler's view of a Ready node: node.Node is the
// node object (labels, spec.unschedulable, spec.taints), node.Allocatable
// what its pods may use in total and node.Requested what the pods already
// on it request (scheduler.PodRequests computes a pod's requests). Fits
// changes nothing. The checks run in this order, and the first that fails
// gives the reason, word for word one of scheduler.Reason…:
//
//  1. spec.unschedulable: refused (ReasonUnschedulable) unless the pod
//     tolerates the taint {node.kubernetes.io/unschedulable, NoSchedule};
//  2. taints: a NoSchedule or NoExecute taint the pod does not tolerate
//     refuses the node, with the reason
//     "node(s) had untolerated taint {KEY: VALUE}" for the first such taint;
//     PreferNoSchedule taints never refuse a node. A toleration tolerates
//     a taint when its effect is empty or equal, its key is empty or
//     equal, and its operator is Exists, or Equal ("" means Equal) with a
//     non-empty key and the same value;
//  3. spec.nodeSelector: every pair must be a label of the node
//     (ReasonNodeAffinity);
//  4. resources: one more pod than Allocatable.Pods is ReasonTooManyPods;
//     a CPU or memory request greater than what is left (Allocatable minus
//     Requested) is ReasonInsufficientCPU or ReasonInsufficientMemory. A
//     request of exactly what is left fits; a pod requesting none of a
//     resource fits whatever is left of it. When several resources are
//     short, report any one of them.
//
// It returns (true, "") when the pod fits.
func Fits(pod *api.Pod, node *scheduler.NodeInfo) (ok bool, reason string) {
	// LAB 04: your code here
	return false, "not implemented"
}

// ScoreMostAllocated scores node for pod from 0 to 100, higher for a node
// that would be fuller with the pod on it, so that pods pack onto few
// nodes (Kubernetes' NodeResourcesFit with the MostAllocated strategy).
//
// Contract: for each of CPU and memory, with used = node.Requested + the
// pod's request and alloc = node.Allocatable, the resource scores
// min(used, alloc) * 100 / alloc in integer arithmetic, or 0 when alloc is
// 0. The node's score is the mean of the two, rounded down. Taints and
// labels do not change the score; Fits has already judged them. Called
// only with nodes that Fits accepted, but must not panic on any.
func ScoreMostAllocated(pod *api.Pod, node *scheduler.NodeInfo) int64 {
	// LAB 04: your code here
	return -1 // -1 tells the checker this is not written yet
}
