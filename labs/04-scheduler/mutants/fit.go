package mutants

import (
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/scheduler"
	"github.com/tinykube/tinykube/labs/04-scheduler/reference"
)

// resourcesStrict wants the request strictly below what is left: a pod
// asking for exactly the rest of a node is refused.
func resourcesStrict(pod *api.Pod, node *scheduler.NodeInfo) string {
	req, free := scheduler.PodRequests(pod), reference.Free(node)
	switch {
	case free.Pods < 1:
		return scheduler.ReasonTooManyPods
	case req.MilliCPU > 0 && req.MilliCPU >= free.MilliCPU:
		return scheduler.ReasonInsufficientCPU
	case req.Memory > 0 && req.Memory >= free.Memory:
		return scheduler.ReasonInsufficientMemory
	}
	return ""
}

// resourcesNoPodCount forgets that a node holds only so many pods.
func resourcesNoPodCount(pod *api.Pod, node *scheduler.NodeInfo) string {
	req, free := scheduler.PodRequests(pod), reference.Free(node)
	switch {
	case req.MilliCPU > 0 && req.MilliCPU > free.MilliCPU:
		return scheduler.ReasonInsufficientCPU
	case req.Memory > 0 && req.Memory > free.Memory:
		return scheduler.ReasonInsufficientMemory
	}
	return ""
}

// taintsNoScheduleOnly forgets that NoExecute also keeps new pods off.
func taintsNoScheduleOnly(pod *api.Pod, node *scheduler.NodeInfo) string {
	for _, t := range node.Node.Spec.Taints {
		if t.Effect == api.TaintNoSchedule && !reference.Tolerates(pod.Spec.Tolerations, t) {
			return fmt.Sprintf("node(s) had untolerated taint {%s: %s}", t.Key, t.Value)
		}
	}
	return ""
}

// selectorKeysOnly checks that the node has the selector's label keys but
// not their values.
func selectorKeysOnly(pod *api.Pod, node *scheduler.NodeInfo) string {
	for k := range pod.Spec.NodeSelector {
		if _, ok := node.Node.Labels[k]; !ok {
			return scheduler.ReasonNodeAffinity
		}
	}
	return ""
}
