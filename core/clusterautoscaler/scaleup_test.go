package clusterautoscaler

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
)

func TestPlanScaleUp(t *testing.T) {
	small := NodeGroup{ID: "small", MinSize: 0, MaxSize: 3, TargetSize: 1, Template: node("t", 2, 4)}
	big := NodeGroup{ID: "big", MinSize: 0, MaxSize: 2, TargetSize: 0, Template: node("t", 8, 16)}
	full := []*api.Node{node("n1", 2, 4)}
	busy := pod("busy", "n1", 1900, 100)
	tests := []struct {
		name      string
		in        ScaleUpInput
		group     string
		delta     int
		helped    []string
		waiting   []string
		noGroupOf []string
	}{
		{"nothing pending", ScaleUpInput{Groups: []NodeGroup{small}}, "", 0, nil, nil, nil},
		{"fits an existing node: the scheduler will get to it",
			ScaleUpInput{Pending: []*api.Pod{pod("p", "", 500, 100)}, Nodes: infos(full), Groups: []NodeGroup{small}},
			"", 0, nil, []string{"p"}, nil},
		{"waits for a node already asked for",
			ScaleUpInput{Pending: []*api.Pod{pod("p", "", 500, 100)}, Nodes: infos(full, busy), Groups: []NodeGroup{small},
				Upcoming: map[string]int{"small": 1}},
			"", 0, nil, []string{"p"}, nil},
		{"three pods of a core each need two small nodes",
			ScaleUpInput{Pending: []*api.Pod{pod("a", "", 1000, 100), pod("b", "", 1000, 100), pod("c", "", 1000, 100)},
				Nodes: infos(full, busy), Groups: []NodeGroup{small}},
			"small", 2, []string{"a", "b", "c"}, nil, nil},
		{"bounded by max: the group may add two, the third pod helps nobody",
			ScaleUpInput{Pending: []*api.Pod{pod("a", "", 1500, 100), pod("b", "", 1500, 100), pod("c", "", 1500, 100)},
				Nodes: infos(full, busy), Groups: []NodeGroup{small}},
			"small", 2, []string{"a", "b"}, nil, []string{"c"}},
		{"least waste: a 6-core pod only fits big",
			ScaleUpInput{Pending: []*api.Pod{pod("a", "", 6000, 100)}, Nodes: infos(full, busy), Groups: []NodeGroup{small, big}},
			"big", 1, []string{"a"}, nil, nil},
		{"least waste: two 1.5-core pods waste less on two small than on one big",
			ScaleUpInput{Pending: []*api.Pod{pod("a", "", 1500, 3000), pod("b", "", 1500, 3000)}, Nodes: infos(full, busy),
				Groups: []NodeGroup{big, small}},
			"small", 2, []string{"a", "b"}, nil, nil},
		{"a backed-off group is no option",
			ScaleUpInput{Pending: []*api.Pod{pod("a", "", 1000, 100)}, Nodes: infos(full, busy), Groups: []NodeGroup{small},
				BackedOff: map[string]bool{"small": true}},
			"", 0, nil, nil, []string{"a"}},
		{"a pod too big for every template triggers nothing",
			ScaleUpInput{Pending: []*api.Pod{pod("a", "", 64000, 100)}, Nodes: infos(full, busy), Groups: []NodeGroup{small, big}},
			"", 0, nil, nil, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlanScaleUp(tt.in)
			if got.Group != tt.group || got.Delta != tt.delta {
				t.Errorf("PlanScaleUp = %s +%d, want %s +%d", got.Group, got.Delta, tt.group, tt.delta)
			}
			if d := cmp.Diff(names(got.Helped), names2(tt.helped)); d != "" {
				t.Errorf("helped (-got +want):\n%s", d)
			}
			if d := cmp.Diff(names(got.Waiting), names2(tt.waiting)); d != "" {
				t.Errorf("waiting (-got +want):\n%s", d)
			}
			var none []*api.Pod
			for _, p := range tt.in.Pending {
				if _, ok := got.NoGroup[p]; ok {
					none = append(none, p)
				}
			}
			if d := cmp.Diff(names(none), names2(tt.noGroupOf)); d != "" {
				t.Errorf("no group (-got +want):\n%s", d)
			}
			if g := groupByID(tt.in.Groups, got.Group); got.Group != "" && g.TargetSize+got.Delta > g.MaxSize {
				t.Errorf("PlanScaleUp takes %s to %d, beyond its max %d", g.ID, g.TargetSize+got.Delta, g.MaxSize)
			}
		})
	}
}

func names2(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
