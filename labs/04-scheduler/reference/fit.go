package reference

import (
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/scheduler"
)

// Fits is the contract of student.Fits.
func Fits(pod *api.Pod, node *scheduler.NodeInfo) (bool, string) {
	return FitsWith(pod, node, Unschedulable, Taints, NodeSelector, Resources)
}

// A Check returns why pod cannot run on node, or "".
type Check func(pod *api.Pod, node *scheduler.NodeInfo) string

// FitsWith runs checks in order; the first reason decides.
func FitsWith(pod *api.Pod, node *scheduler.NodeInfo, checks ...Check) (bool, string) {
	for _, c := range checks {
		if r := c(pod, node); r != "" {
			return false, r
		}
	}
	return true, ""
}

// Unschedulable refuses a cordoned node unless the pod tolerates the
// unschedulable taint.
func Unschedulable(pod *api.Pod, node *scheduler.NodeInfo) string {
	t := api.Taint{Key: scheduler.TaintNodeUnschedulable, Effect: api.TaintNoSchedule}
	if node.Node.Spec.Unschedulable && !Tolerates(pod.Spec.Tolerations, t) {
		return scheduler.ReasonUnschedulable
	}
	return ""
}

// Taints refuses a node with a NoSchedule or NoExecute taint the pod does
// not tolerate.
func Taints(pod *api.Pod, node *scheduler.NodeInfo) string {
	for _, t := range node.Node.Spec.Taints {
		if t.Effect != api.TaintNoSchedule && t.Effect != api.TaintNoExecute {
			continue
		}
		if !Tolerates(pod.Spec.Tolerations, t) {
			return fmt.Sprintf("node(s) had untolerated taint {%s: %s}", t.Key, t.Value)
		}
	}
	return ""
}

// Tolerates reports whether one of tols tolerates t.
func Tolerates(tols []api.Toleration, t api.Taint) bool {
	for _, tol := range tols {
		if tol.Effect != "" && tol.Effect != t.Effect || tol.Key != "" && tol.Key != t.Key {
			continue
		}
		switch tol.Operator {
		case "Exists":
			return true
		case "", "Equal":
			if tol.Key != "" && tol.Value == t.Value {
				return true
			}
		}
	}
	return false
}

// NodeSelector refuses a node that lacks a label of spec.nodeSelector.
func NodeSelector(pod *api.Pod, node *scheduler.NodeInfo) string {
	for k, v := range pod.Spec.NodeSelector {
		if got, ok := node.Node.Labels[k]; !ok || got != v {
			return scheduler.ReasonNodeAffinity
		}
	}
	return ""
}

// Resources refuses a node without room for the pod.
func Resources(pod *api.Pod, node *scheduler.NodeInfo) string {
	req, free := scheduler.PodRequests(pod), Free(node)
	switch {
	case free.Pods < 1:
		return scheduler.ReasonTooManyPods
	case req.MilliCPU > 0 && req.MilliCPU > free.MilliCPU:
		return scheduler.ReasonInsufficientCPU
	case req.Memory > 0 && req.Memory > free.Memory:
		return scheduler.ReasonInsufficientMemory
	}
	return ""
}

// Free is what is left of node for more pods.
func Free(node *scheduler.NodeInfo) scheduler.Resources {
	a, r := node.Allocatable, node.Requested
	return scheduler.Resources{MilliCPU: a.MilliCPU - r.MilliCPU, Memory: a.Memory - r.Memory, Pods: a.Pods - r.Pods}
}

// ScoreMostAllocated is the contract of student.ScoreMostAllocated.
func ScoreMostAllocated(pod *api.Pod, node *scheduler.NodeInfo) int64 {
	req := scheduler.PodRequests(pod)
	cpu := mostAllocated(node.Requested.MilliCPU+req.MilliCPU, node.Allocatable.MilliCPU)
	mem := mostAllocated(node.Requested.Memory+req.Memory, node.Allocatable.Memory)
	return (cpu + mem) / 2
}

func mostAllocated(used, alloc int64) int64 {
	if alloc <= 0 {
		return 0
	}
	return min(used, alloc) * 100 / alloc
}
