package mutants

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/scheduler"
)

// scoreLeastAllocated prefers the emptiest node: it spreads instead of
// packing.
func scoreLeastAllocated(pod *api.Pod, node *scheduler.NodeInfo) int64 {
	req := scheduler.PodRequests(pod)
	s := func(used, alloc int64) int64 {
		if alloc <= 0 || used > alloc {
			return 0
		}
		return (alloc - used) * 100 / alloc
	}
	return (s(node.Requested.MilliCPU+req.MilliCPU, node.Allocatable.MilliCPU) + s(node.Requested.Memory+req.Memory, node.Allocatable.Memory)) / 2
}

// scoreWithoutPod scores the node as it is, not as it would be with the
// pod on it.
func scoreWithoutPod(_ *api.Pod, node *scheduler.NodeInfo) int64 {
	s := func(used, alloc int64) int64 {
		if alloc <= 0 {
			return 0
		}
		return min(used, alloc) * 100 / alloc
	}
	return (s(node.Requested.MilliCPU, node.Allocatable.MilliCPU) + s(node.Requested.Memory, node.Allocatable.Memory)) / 2
}

// scoreCPUOnly forgets memory.
func scoreCPUOnly(pod *api.Pod, node *scheduler.NodeInfo) int64 {
	used, alloc := node.Requested.MilliCPU+scheduler.PodRequests(pod).MilliCPU, node.Allocatable.MilliCPU
	if alloc <= 0 {
		return 0
	}
	return min(used, alloc) * 100 / alloc
}
