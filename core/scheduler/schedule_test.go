package scheduler

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
)

func TestPodRequests(t *testing.T) {
	tests := []struct {
		name string
		pod  *api.Pod
		want Resources
	}{
		{"no requests", newPod("p"), Resources{Pods: 1}},
		{"one container", newPod("p", requests("500m", "1Gi")), Resources{500, 1 << 30, 1}},
		{"containers add up", newPod("p", requests("500m", "1Gi"), container("250m", "512Mi")), Resources{750, 1<<30 + 512<<20, 1}},
		{"init container below the sum", newPod("p", requests("500m", "1Gi"), initContainer("200m", "100Mi")), Resources{500, 1 << 30, 1}},
		{"init container above the sum", newPod("p", requests("500m", "1Gi"), initContainer("2", "100Mi")), Resources{2000, 1 << 30, 1}},
		{"init containers: the largest, not their sum", newPod("p", requests("100m", ""), initContainer("1", "1Gi"), initContainer("1", "2Gi")), Resources{1000, 2 << 30, 1}},
		{"per resource: cpu from init, memory from containers", newPod("p", requests("100m", "4Gi"), initContainer("3", "1Gi")), Resources{3000, 4 << 30, 1}},
	}
	for _, tt := range tests {
		if got := PodRequests(tt.pod); got != tt.want {
			t.Errorf("%s: PodRequests = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestFilter(t *testing.T) {
	busy := newPod("busy", requests("1500m", "3Gi"))
	withPort := newPod("web", hostPortOpt(api.ProtocolTCP, "", 8080))
	tests := []struct {
		name string
		pod  *api.Pod
		node *NodeInfo
		want []string // nil: fits
	}{
		{"empty node", newPod("p", requests("1", "1Gi")), infoWith(newNode("n", "2", "4Gi")), nil},
		{"exactly full", newPod("p", requests("500m", "1Gi")), infoWith(newNode("n", "2", "4Gi"), busy), nil},
		{"cpu short", newPod("p", requests("600m", "1Gi")), infoWith(newNode("n", "2", "4Gi"), busy), []string{ReasonInsufficientCPU}},
		{"memory short", newPod("p", requests("100m", "2Gi")), infoWith(newNode("n", "2", "4Gi"), busy), []string{ReasonInsufficientMemory}},
		{"both short", newPod("p", requests("1", "2Gi")), infoWith(newNode("n", "2", "4Gi"), busy), []string{ReasonInsufficientCPU, ReasonInsufficientMemory}},
		{"no requests fit a full node", newPod("p"), infoWith(newNode("n", "1500m", "3Gi"), busy), nil},
		{"too many pods", newPod("p"), infoWith(newNode("n", "2", "4Gi", maxPods("1")), busy), []string{ReasonTooManyPods}},
		{"init container too big", newPod("p", requests("100m", ""), initContainer("3", "")), infoWith(newNode("n", "2", "4Gi")), []string{ReasonInsufficientCPU}},
		{"cordoned", newPod("p"), infoWith(newNode("n", "2", "4Gi", cordoned)), []string{ReasonUnschedulable}},
		{"cordoned, tolerated", newPod("p", toleration(TaintNodeUnschedulable, "Exists", "", "NoSchedule")), infoWith(newNode("n", "2", "4Gi", cordoned)), nil},
		{"not ready", newPod("p"), infoWith(newNode("n", "2", "4Gi", notReady)), []string{"node(s) had untolerated taint {node.kubernetes.io/not-ready: }"}},
		{"not ready, tolerated", newPod("p", toleration(TaintNodeNotReady, "Exists", "", "")), infoWith(newNode("n", "2", "4Gi", notReady)), nil},
		{"unreachable taint named as such", newPod("p"), infoWith(newNode("n", "2", "4Gi", notReady, taint(TaintNodeUnreachable, "", "NoExecute"))), []string{"node(s) had untolerated taint {node.kubernetes.io/unreachable: }"}},
		{"NoSchedule taint", newPod("p"), infoWith(newNode("n", "2", "4Gi", taint("gpu", "true", "NoSchedule"))), []string{"node(s) had untolerated taint {gpu: true}"}},
		{"NoExecute taint", newPod("p"), infoWith(newNode("n", "2", "4Gi", taint("dedicated", "db", "NoExecute"))), []string{"node(s) had untolerated taint {dedicated: db}"}},
		{"PreferNoSchedule taint does not filter", newPod("p"), infoWith(newNode("n", "2", "4Gi", taint("spot", "", "PreferNoSchedule"))), nil},
		{"tolerated with Equal", newPod("p", toleration("gpu", "Equal", "true", "NoSchedule")), infoWith(newNode("n", "2", "4Gi", taint("gpu", "true", "NoSchedule"))), nil},
		{"Equal with another value", newPod("p", toleration("gpu", "", "false", "NoSchedule")), infoWith(newNode("n", "2", "4Gi", taint("gpu", "true", "NoSchedule"))), []string{"node(s) had untolerated taint {gpu: true}"}},
		{"tolerated for another effect", newPod("p", toleration("gpu", "Exists", "", "NoExecute")), infoWith(newNode("n", "2", "4Gi", taint("gpu", "true", "NoSchedule"))), []string{"node(s) had untolerated taint {gpu: true}"}},
		{"Exists with no key tolerates all", newPod("p", toleration("", "Exists", "", "")), infoWith(newNode("n", "2", "4Gi", taint("a", "1", "NoSchedule"), taint("b", "", "NoExecute"))), nil},
		{"nodeSelector matches", newPod("p", nodeSelectorOpt("disk", "ssd")), infoWith(newNode("n", "2", "4Gi", label("disk", "ssd"))), nil},
		{"nodeSelector wrong value", newPod("p", nodeSelectorOpt("disk", "ssd")), infoWith(newNode("n", "2", "4Gi", label("disk", "hdd"))), []string{ReasonNodeAffinity}},
		{"nodeSelector missing label", newPod("p", nodeSelectorOpt("disk", "ssd")), infoWith(newNode("n", "2", "4Gi")), []string{ReasonNodeAffinity}},
		{"affinity In", newPod("p", affinityOpt("zone", "In", "a", "b")), infoWith(newNode("n", "2", "4Gi", label("zone", "b"))), nil},
		{"affinity NotIn", newPod("p", affinityOpt("zone", "NotIn", "b")), infoWith(newNode("n", "2", "4Gi", label("zone", "b"))), []string{ReasonNodeAffinity}},
		{"affinity Exists, absent", newPod("p", affinityOpt("gpu", "Exists")), infoWith(newNode("n", "2", "4Gi")), []string{ReasonNodeAffinity}},
		{"host port free", withPort, infoWith(newNode("n", "2", "4Gi"), newPod("other", hostPortOpt(api.ProtocolTCP, "", 9090))), nil},
		{"host port taken", withPort, infoWith(newNode("n", "2", "4Gi"), newPod("other", hostPortOpt(api.ProtocolTCP, "", 8080))), []string{ReasonNodePorts}},
		{"host port taken on one address", withPort, infoWith(newNode("n", "2", "4Gi"), newPod("other", hostPortOpt(api.ProtocolTCP, "10.0.0.1", 8080))), []string{ReasonNodePorts}},
		{"same port, other protocol", withPort, infoWith(newNode("n", "2", "4Gi"), newPod("other", hostPortOpt(api.ProtocolUDP, "", 8080))), nil},
		{"same port, other addresses", newPod("p", hostPortOpt(api.ProtocolTCP, "10.0.0.2", 8080)), infoWith(newNode("n", "2", "4Gi"), newPod("other", hostPortOpt(api.ProtocolTCP, "10.0.0.1", 8080))), nil},
		{"the first failing plugin decides", newPod("p", requests("8", "")), infoWith(newNode("n", "2", "4Gi", cordoned)), []string{ReasonUnschedulable}},
	}
	for _, tt := range tests {
		got := Filter(tt.pod, tt.node)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Fit(pod, node) = %v, want %v (reasons -want +got):\n%s", tt.name, got == nil, tt.want == nil, diff)
		}
	}
}

func TestResourceScore(t *testing.T) {
	tests := []struct {
		scoring              string
		requested, allocable int64
		want                 int64
	}{
		{LeastAllocated, 0, 1000, 100},
		{LeastAllocated, 250, 1000, 75},
		{LeastAllocated, 1000, 1000, 0},
		{LeastAllocated, 1500, 1000, 0},
		{LeastAllocated, 1, 3, 66}, // integer division, as Kubernetes
		{MostAllocated, 0, 1000, 0},
		{MostAllocated, 250, 1000, 25},
		{MostAllocated, 1000, 1000, 100},
		{MostAllocated, 1500, 1000, 100},
		{LeastAllocated, 5, 0, 0},
		{MostAllocated, 5, 0, 0},
	}
	for _, tt := range tests {
		if got := resourceScore(tt.scoring, tt.requested, tt.allocable); got != tt.want {
			t.Errorf("resourceScore(%s, requested %d, allocatable %d) = %d, want %d", tt.scoring, tt.requested, tt.allocable, got, tt.want)
		}
	}
}

func TestScore(t *testing.T) {
	pod := newPod("p", requests("500m", "1Gi"))
	half := newPod("half", requests("1", "2Gi"))
	tests := []struct {
		name     string
		pod      *api.Pod
		node     *NodeInfo
		scoring  string
		maxOwner int
		want     int64
	}{
		// cpu (2000-500)/2000 = 75, memory (4-1)/4 = 75.
		{"least allocated, empty node", pod, infoWith(newNode("n", "2", "4Gi")), LeastAllocated, 0, 75},
		// cpu 25, memory 25.
		{"most allocated, empty node", pod, infoWith(newNode("n", "2", "4Gi")), MostAllocated, 0, 25},
		// cpu (2000-1500)/2000 = 25, memory 25.
		{"least allocated, half full", pod, infoWith(newNode("n", "2", "4Gi"), half), LeastAllocated, 0, 25},
		{"most allocated, half full", pod, infoWith(newNode("n", "2", "4Gi"), half), MostAllocated, 0, 75},
		{"PreferNoSchedule taint", pod, infoWith(newNode("n", "2", "4Gi", taint("spot", "", "PreferNoSchedule"))), LeastAllocated, 0, 75 - preferNoSchedulePenalty},
		{"two PreferNoSchedule taints", pod, infoWith(newNode("n", "2", "4Gi", taint("a", "", "PreferNoSchedule"), taint("b", "", "PreferNoSchedule"))), LeastAllocated, 0, 75 - 2*preferNoSchedulePenalty},
		{"PreferNoSchedule tolerated", newPod("p", requests("500m", "1Gi"), toleration("spot", "Exists", "", "PreferNoSchedule")), infoWith(newNode("n", "2", "4Gi", taint("spot", "", "PreferNoSchedule"))), LeastAllocated, 0, 75},
		{"NoSchedule taints do not score", pod, infoWith(newNode("n", "2", "4Gi", taint("a", "", "NoSchedule"))), LeastAllocated, 0, 75},
		{"owned, none of its siblings here", newPod("p", requests("500m", "1Gi"), ownedBy("rs1")), infoWith(newNode("n", "2", "4Gi")), LeastAllocated, 2, 75 + 100},
		{"owned, one of two siblings here", newPod("p", requests("500m", "1Gi"), ownedBy("rs1")), infoWith(newNode("n", "2", "4Gi"), newPod("s1", ownedBy("rs1"))), LeastAllocated, 2, 75 + 50},
		{"owned, the most siblings here", newPod("p", requests("500m", "1Gi"), ownedBy("rs1")), infoWith(newNode("n", "2", "4Gi"), newPod("s1", ownedBy("rs1"))), LeastAllocated, 1, 75},
		{"other owners' pods do not count", newPod("p", requests("500m", "1Gi"), ownedBy("rs1")), infoWith(newNode("n", "2", "4Gi"), newPod("s1", ownedBy("rs2"))), LeastAllocated, 1, 75 + 100},
	}
	for _, tt := range tests {
		if got := Score(tt.pod, tt.node, tt.scoring, tt.maxOwner); got != tt.want {
			t.Errorf("%s: Score(pod, node, %s) = %d, want %d", tt.name, tt.scoring, got, tt.want)
		}
	}
}

func TestFitErrorMessage(t *testing.T) {
	tests := []struct {
		err  FitError
		want string
	}{
		{FitError{5, map[string]int{ReasonInsufficientCPU: 3, "node(s) had untolerated taint {key: value}": 2}},
			"0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint {key: value}."},
		{FitError{1, map[string]int{ReasonInsufficientMemory: 1, ReasonInsufficientCPU: 1}},
			"0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory."},
		{FitError{6, map[string]int{ReasonUnschedulable: 1, ReasonNodeAffinity: 2, ReasonNodePorts: 2, ReasonTooManyPods: 1}},
			"0/6 nodes are available: 2 node(s) didn't have free ports for the requested pod ports, 2 node(s) didn't match Pod's node affinity/selector, 1 Too many pods, 1 node(s) were unschedulable."},
		{FitError{0, nil}, "no nodes available to schedule pods"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("FitError%+v.Error() =\n  %q\nwant\n  %q", tt.err, got, tt.want)
		}
	}
}

func TestScheduleExplainsWhyNothingFits(t *testing.T) {
	pod := newPod("p", requests("1", "1Gi"))
	nodes := []*NodeInfo{
		infoWith(newNode("a", "500m", "4Gi")),
		infoWith(newNode("b", "500m", "512Mi")),
		infoWith(newNode("c", "4", "4Gi", taint("key", "value", "NoSchedule"))),
		infoWith(newNode("d", "4", "4Gi", taint("key", "value", "NoSchedule"))),
		infoWith(newNode("e", "800m", "4Gi")),
	}
	node, fitErr := Schedule(pod, nodes, LeastAllocated, rand.New(rand.NewPCG(1, 2)))
	if fitErr == nil {
		t.Fatalf("Schedule(pod needing 1 cpu) = %q, want no node", node)
	}
	want := "0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint {key: value}, 1 Insufficient memory."
	if got := fitErr.Error(); got != want {
		t.Errorf("FailedScheduling message =\n  %q\nwant\n  %q", got, want)
	}
}

func TestSchedulePicksBestNode(t *testing.T) {
	pod := newPod("p", requests("1", "1Gi"))
	nodes := func() []*NodeInfo {
		return []*NodeInfo{
			infoWith(newNode("a", "4", "8Gi"), newPod("x", requests("2", "4Gi"))),
			infoWith(newNode("b", "4", "8Gi")),
			infoWith(newNode("c", "4", "8Gi"), newPod("y", requests("3", "6Gi"))),
			infoWith(newNode("d", "1", "8Gi", taint("t", "", "NoSchedule"))),
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	if got, _ := Schedule(pod, nodes(), LeastAllocated, r); got != "b" {
		t.Errorf("Schedule(LeastAllocated) = %q, want b (the emptiest)", got)
	}
	if got, _ := Schedule(pod, nodes(), MostAllocated, r); got != "c" {
		t.Errorf("Schedule(MostAllocated) = %q, want c (the fullest that fits)", got)
	}
}

// Scores gives the numbers Schedule compares: one per node that fits, in
// node order, the best of them the node Schedule picks.
func TestScoresAreWhatSchedulePicksFrom(t *testing.T) {
	pod := newPod("p", requests("1", "1Gi"))
	nodes := []*NodeInfo{
		infoWith(newNode("a", "4", "8Gi"), newPod("x", requests("2", "4Gi"))),
		infoWith(newNode("b", "4", "8Gi")),
		infoWith(newNode("c", "4", "8Gi"), newPod("y", requests("3", "6Gi"))),
		infoWith(newNode("d", "1", "8Gi", taint("t", "", "NoSchedule"))),
	}
	// LeastAllocated: a cpu 25, memory 37; b 75, 87; c 0, 12; d is
	// filtered out by its taint.
	want := []NodeScore{{"a", 31}, {"b", 81}, {"c", 6}}
	if d := cmp.Diff(want, Scores(pod, nodes, LeastAllocated)); d != "" {
		t.Errorf("Scores(LeastAllocated) (-want +got):\n%s", d)
	}
	if got := Scores(newPod("big", requests("8", "1Gi")), nodes, LeastAllocated); len(got) != 0 {
		t.Errorf("Scores of a pod no node fits = %v, want none", got)
	}
}

func TestScheduleBreaksTiesWithSeed(t *testing.T) {
	pod := newPod("p", requests("1", "1Gi"))
	var nodes []*NodeInfo
	for _, n := range strings.Fields("a b c d e f g h") {
		nodes = append(nodes, infoWith(newNode(n, "4", "8Gi")))
	}
	pick := func(seed uint64) string {
		r := rand.New(rand.NewPCG(seed, seed))
		var out []string
		for range 6 {
			n, _ := Schedule(pod, nodes, LeastAllocated, r)
			out = append(out, n)
		}
		return strings.Join(out, ",")
	}
	seen := map[string]bool{}
	for seed := range uint64(10) {
		a, b := pick(seed), pick(seed)
		if a != b {
			t.Fatalf("seed %d: picks %s, then %s: same seed, different choices", seed, a, b)
		}
		seen[a] = true
	}
	if len(seen) < 2 {
		t.Errorf("10 seeds all picked %v among 8 tied nodes: ties are not broken at random", seen)
	}
}

// Replicas of one owner pack onto the fullest node under MostAllocated and
// spread under LeastAllocated (owner spreading applies only then).
func TestOwnerSpreadingFollowsStrategy(t *testing.T) {
	yes := true
	owned := func(name string) *api.Pod {
		return &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", UID: "uid-" + name,
			OwnerReferences: []api.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web", UID: "rs-1", Controller: &yes}}},
			Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "i", Resources: api.ResourceRequirements{
				Requests: api.ResourceList{api.ResourceCPU: api.MustParseQuantity("500m")}}}}}}
	}
	node := func(name string) *api.Node {
		return &api.Node{ObjectMeta: api.ObjectMeta{Name: name}, Status: api.NodeStatus{
			Allocatable: api.ResourceList{api.ResourceCPU: api.MustParseQuantity("2"), api.ResourceMemory: api.MustParseQuantity("4Gi"), api.ResourcePods: api.MustParseQuantity("10")},
			Conditions:  []api.NodeCondition{{Type: api.NodeReady, Status: api.ConditionTrue}}}}
	}
	for _, tt := range []struct{ scoring, want string }{{MostAllocated, "a"}, {LeastAllocated, "b"}} {
		a, b := NewNodeInfo(node("a")), NewNodeInfo(node("b"))
		first := owned("web-1")
		first.Spec.NodeName = "a"
		a.AddPod(first)
		got, fitErr := Schedule(owned("web-2"), []*NodeInfo{a, b}, tt.scoring, rand.New(rand.NewPCG(1, 1)))
		if fitErr != nil || got != tt.want {
			t.Errorf("Schedule(second replica, %s) = %q, %v; want %q", tt.scoring, got, fitErr, tt.want)
		}
	}
}
