package scheduler

import "github.com/tinykube/tinykube/core/api"

// The scoring strategies of NodeResourcesFit.
const (
	// LeastAllocated prefers the node with the most room left: pods
	// spread out, and a node failure costs few of them. The default.
	LeastAllocated = "LeastAllocated"
	// MostAllocated prefers the fullest node that still fits: pods,
	// replicas of one owner included (spreading is off), are bin-packed,
	// leaving whole nodes empty to scale down.
	MostAllocated = "MostAllocated"
)

// MaxNodeScore is the best score one plugin gives a node, as in
// Kubernetes.
const MaxNodeScore = 100

// preferNoSchedulePenalty is what each PreferNoSchedule taint the pod does
// not tolerate costs a node: enough to decide between otherwise similar
// nodes, not enough to leave a tainted node empty while the others fill.
const preferNoSchedulePenalty = 20

// resourceScore scores one resource of a node for a pod, 0 to
// MaxNodeScore, given what the node's pods would request with the pod on
// it and what the node has. Integer arithmetic, as Kubernetes does, so
// scores (and thus ties) are the same on every machine.
func resourceScore(scoring string, requested, allocatable int64) int64 {
	if allocatable <= 0 {
		return 0
	}
	if scoring == MostAllocated {
		return min(requested, allocatable) * MaxNodeScore / allocatable
	}
	if requested > allocatable {
		return 0
	}
	return (allocatable - requested) * MaxNodeScore / allocatable
}

// fitScore is NodeResourcesFit's score: the mean of the CPU and memory
// scores with the pod placed on n.
func fitScore(scoring string, p *podInfo, n *NodeInfo) int64 {
	cpu := resourceScore(scoring, n.Requested.MilliCPU+p.requests.MilliCPU, n.Allocatable.MilliCPU)
	mem := resourceScore(scoring, n.Requested.Memory+p.requests.Memory, n.Allocatable.Memory)
	return (cpu + mem) / 2
}

// spreadScore prefers nodes with fewer pods of the pod's controller
// (ReplicaSet, StatefulSet …), so one node failing takes few replicas:
// MaxNodeScore on a node with none of them, 0 on the nodes with the most
// (maxCount, over all nodes). Pods without a controller score nothing.
func spreadScore(p *podInfo, n *NodeInfo, maxCount int) int64 {
	if p.owner == "" || maxCount == 0 {
		return 0
	}
	return int64(maxCount-n.ownerCounts[p.owner]) * MaxNodeScore / int64(maxCount)
}

// taintScore is minus preferNoSchedulePenalty for each PreferNoSchedule
// taint of n that the pod does not tolerate.
func taintScore(p *podInfo, n *NodeInfo) int64 {
	var s int64
	for _, t := range n.Node.Spec.Taints {
		if t.Effect == api.TaintPreferNoSchedule && !tolerates(p.tolerations, t) {
			s -= preferNoSchedulePenalty
		}
	}
	return s
}

// Score returns the total score of node n for pod, as Schedule computes
// it, with maxOwnerCount the most pods of pod's controller on any node.
func Score(pod *api.Pod, n *NodeInfo, scoring string, maxOwnerCount int) int64 {
	return score(scoring, preparePod(pod), n, maxOwnerCount)
}

func score(scoring string, p *podInfo, n *NodeInfo, maxOwnerCount int) int64 {
	s := fitScore(scoring, p, n) + taintScore(p, n)
	if scoring != MostAllocated {
		// Spreading replicas and packing them pull in opposite
		// directions: a cluster configured to bin-pack packs replicas too
		// (as Kubernetes users do by turning the spreading plugins off).
		s += spreadScore(p, n, maxOwnerCount)
	}
	return s
}
