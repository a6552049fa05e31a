package cluster

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tinykube/tinykube/sim/scenario"
)

// BenchScenario is BenchScenarioPods with five pods per node.
func BenchScenario(nodes int, d time.Duration) *scenario.Scenario {
	return BenchScenarioPods(nodes, nodes*5, d)
}

// BenchScenarioPods returns the scenario `tinykube bench` times: nodes
// nodes, pods pods in one ReplicaSet, churn (scaled down to half and back
// up) and faults (node crashes, partitions, kubelet restarts, cut watches)
// over d of virtual time. Each pod asks for 100m CPU and 64Mi, so a node
// (8 CPUs, 16Gi, 110 pods) holds up to 80.
func BenchScenarioPods(nodes, pods int, d time.Duration) *scenario.Scenario {
	replicas := int32(pods)
	half := replicas / 2
	rs := fmt.Sprintf(`{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web"},"spec":{"replicas":%d,
		"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
		"spec":{"terminationGracePeriodSeconds":2,"containers":[{"name":"c","image":"busybox","resources":{"requests":{"cpu":"100m","memory":"64Mi"}}}]}}}}`, replicas)
	at := func(f float64) scenario.Duration { return scenario.Duration{Duration: time.Duration(f * float64(d))} }
	crashes := max(1, nodes/10)
	name := fmt.Sprintf("bench-%d-nodes", nodes)
	if pods != nodes*5 {
		name = fmt.Sprintf("bench-%d-nodes-%d-pods", nodes, pods)
	}
	return &scenario.Scenario{
		Name:     name,
		Duration: scenario.Duration{Duration: d},
		Cluster:  scenario.Cluster{Nodes: nodes, Capacity: map[string]string{"cpu": "8", "memory": "16Gi", "pods": "110"}},
		Objects:  []json.RawMessage{json.RawMessage(rs)},
		Faults: []scenario.Fault{
			{At: at(0.3), Action: "scale", Kind: "rs", Name: "web", Replicas: &half},
			{At: at(0.5), Action: "scale", Kind: "rs", Name: "web", Replicas: &replicas},
		},
		Profile: &scenario.Profile{Window: at(0.6), MaxDowntime: scenario.Duration{Duration: 15 * time.Second},
			NodeCrashes: crashes, Partitions: crashes, KubeletRestarts: crashes, WatchCuts: 2},
	}
}
