package clusterautoscaler

import (
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/scheduler"
)

// node returns a Ready node with cpu cores and mem GiB allocatable.
func node(name string, cpu, memGi int) *api.Node {
	rl := api.ResourceList{
		api.ResourceCPU:    api.MustParseQuantity(fmt.Sprint(cpu)),
		api.ResourceMemory: api.MustParseQuantity(fmt.Sprintf("%dGi", memGi)),
		api.ResourcePods:   api.MustParseQuantity("110"),
	}
	return &api.Node{ObjectMeta: api.ObjectMeta{Name: name}, Status: api.NodeStatus{Capacity: rl, Allocatable: rl,
		Conditions: []api.NodeCondition{{Type: api.NodeReady, Status: api.ConditionTrue}}}}
}

// pod returns a pod of a ReplicaSet requesting milli cpu and memMi MiB,
// bound to nodeName ("" for pending).
func pod(name, nodeName string, milli, memMi int) *api.Pod {
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", UID: "uid-" + name,
		Labels:          map[string]string{"app": "web"},
		OwnerReferences: []api.OwnerReference{{Kind: "ReplicaSet", Name: "web", UID: "rs", Controller: ptr(true)}}},
		Spec: api.PodSpec{NodeName: nodeName, Containers: []api.Container{{Name: "c", Image: "busybox",
			Resources: api.ResourceRequirements{Requests: api.ResourceList{
				api.ResourceCPU:    api.MustParseQuantity(fmt.Sprintf("%dm", milli)),
				api.ResourceMemory: api.MustParseQuantity(fmt.Sprintf("%dMi", memMi))}}}}}}
	return p
}

func ptr[T any](v T) *T { return &v }

// infos returns NodeInfos of nodes with pods counted where they are bound.
func infos(nodes []*api.Node, pods ...*api.Pod) []*scheduler.NodeInfo {
	var out []*scheduler.NodeInfo
	for _, n := range nodes {
		ni := scheduler.NewNodeInfo(n)
		for _, p := range pods {
			if p.Spec.NodeName == n.Name {
				ni.AddPod(p)
			}
		}
		out = append(out, ni)
	}
	return out
}

func names(pods []*api.Pod) []string {
	out := []string{}
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return out
}
