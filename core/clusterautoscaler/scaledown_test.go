package clusterautoscaler

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/scheduler"
)

// downInput builds a ScaleDownInput over nodes (in order, all in group
// "g" but the first) and pods, with candidates and group room.
func downInput(nodes []*api.Node, pods []*api.Pod, candidates []string, removable int, pdbs ...*api.PodDisruptionBudget) ScaleDownInput {
	in := ScaleDownInput{Candidates: candidates, Nodes: map[string]*api.Node{}, Pods: map[string][]*api.Pod{},
		GroupOf: map[string]string{}, Removable: map[string]int{"g": removable}, PDBs: pdbs, MaxEmpty: 10, MaxDrain: 10}
	for i, n := range nodes {
		in.Nodes[n.Name] = n
		in.Order = append(in.Order, n.Name)
		if i > 0 {
			in.GroupOf[n.Name] = "g"
		}
	}
	for _, p := range pods {
		in.Pods[p.Spec.NodeName] = append(in.Pods[p.Spec.NodeName], p)
	}
	return in
}

func TestPlanScaleDown(t *testing.T) {
	nodes := []*api.Node{node("n1", 2, 4), node("n2", 2, 4), node("n3", 2, 4)}
	bare := pod("bare", "n2", 100, 100)
	bare.OwnerReferences = nil
	local := pod("local", "n2", 100, 100)
	local.Spec.Volumes = []api.Volume{{Name: "scratch", VolumeSource: api.VolumeSource{EmptyDir: &api.EmptyDirVolumeSource{}}}}
	safe := pod("safe", "n2", 100, 100)
	safe.OwnerReferences = nil
	safe.Annotations = map[string]string{SafeToEvictAnnotation: "true"}
	ds := pod("ds", "n2", 100, 100)
	ds.OwnerReferences[0].Kind = "DaemonSet"
	pdb := &api.PodDisruptionBudget{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Spec:   api.PodDisruptionBudgetSpec{Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "web"}}},
		Status: api.PodDisruptionBudgetStatus{DisruptionsAllowed: 1}}
	tests := []struct {
		name    string
		in      ScaleDownInput
		removed []string
		kept    map[string]string
	}{
		{"an empty node goes", downInput(nodes, nil, []string{"n2"}, 2), []string{"n2"}, map[string]string{}},
		{"not below min size", downInput(nodes, nil, []string{"n2", "n3"}, 1), []string{"n2"},
			map[string]string{"n3": "node group min size reached"}},
		{"pods that fit elsewhere move",
			downInput(nodes, []*api.Pod{pod("a", "n2", 800, 100), pod("b", "n3", 800, 100)}, []string{"n2"}, 2),
			[]string{"n2"}, map[string]string{}},
		{"a pod that fits nowhere keeps its node",
			downInput(nodes, []*api.Pod{pod("a", "n2", 900, 100), pod("x", "n1", 1500, 100), pod("y", "n3", 1500, 100)}, []string{"n2"}, 2),
			nil, map[string]string{"n2": "no place to move pod default/a"}},
		{"pods moved earlier in the pass take room: the second node stays",
			downInput(nodes, []*api.Pod{pod("x", "n1", 1100, 100), pod("a", "n2", 800, 100), pod("b", "n3", 800, 100)}, []string{"n2", "n3"}, 2),
			[]string{"n2"}, map[string]string{"n3": "no place to move pod default/b"}},
		{"a pod without a controller keeps its node", downInput(nodes, []*api.Pod{bare}, []string{"n2"}, 2),
			nil, map[string]string{"n2": "pod default/bare is not replicated (it has no controller)"}},
		{"local storage keeps its node", downInput(nodes, []*api.Pod{local}, []string{"n2"}, 2),
			nil, map[string]string{"n2": "pod default/local has local storage (volume scratch)"}},
		{"safe-to-evict lets a bare pod go", downInput(nodes, []*api.Pod{safe}, []string{"n2"}, 2),
			[]string{"n2"}, map[string]string{}},
		{"DaemonSet pods are left behind", downInput(nodes, []*api.Pod{ds}, []string{"n2"}, 2),
			[]string{"n2"}, map[string]string{}},
		{"a budget allowing one disruption lets one node of two go",
			downInput(nodes, []*api.Pod{pod("a", "n2", 100, 100), pod("b", "n3", 100, 100)}, []string{"n2", "n3"}, 2, pdb),
			[]string{"n2"}, map[string]string{"n3": "not enough pod disruption budget to move default/web"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, kept := PlanScaleDown(tt.in)
			var removed []string
			for _, r := range got {
				removed = append(removed, r.Node)
			}
			if d := cmp.Diff(removed, tt.removed); d != "" {
				t.Errorf("removed (-got +want):\n%s", d)
			}
			if d := cmp.Diff(kept, tt.kept); d != "" {
				t.Errorf("kept (-got +want):\n%s", d)
			}
		})
	}
}

func TestUtilization(t *testing.T) {
	n := node("n", 2, 4)
	tests := []struct {
		pods []*api.Pod
		want float64
	}{
		{nil, 0},
		{[]*api.Pod{pod("a", "n", 500, 100)}, 0.25},
		{[]*api.Pod{pod("a", "n", 100, 2048)}, 0.5}, // memory decides
	}
	for _, tt := range tests {
		ni := scheduler.NewNodeInfo(n)
		for _, p := range tt.pods {
			ni.AddPod(p)
		}
		if got := Utilization(ni); got != tt.want {
			t.Errorf("Utilization(%v) = %v, want %v", names(tt.pods), got, tt.want)
		}
	}
}
