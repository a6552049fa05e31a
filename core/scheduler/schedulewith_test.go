package scheduler

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
)

// TestScheduleWith: the choice among nodes, with filters and scores given.
// Nodes are named by their score; a name starting with "x" is refused.
func TestScheduleWith(t *testing.T) {
	refuse := func(_ *api.Pod, n *NodeInfo) []string {
		switch {
		case strings.HasPrefix(n.Name, "xx"):
			return []string{"two reasons", "too many"}
		case strings.HasPrefix(n.Name, "x"):
			return []string{"refused"}
		}
		return nil
	}
	score := func(_ *api.Pod, n *NodeInfo) int64 {
		var s int64
		fmt.Sscanf(n.Name, "%d", &s) // "7b" scores 7
		return s
	}
	for _, tt := range []struct {
		nodes   string
		want    string   // the node chosen, or "" for a FitError
		oneOf   []string // for ties: every one of these must be chosen by some seed
		reasons map[string]int
	}{
		{nodes: "1 5 3", want: "5"},
		{nodes: "x9 2 xx8 1", want: "2"}, // refused nodes are never chosen, however they would score
		{nodes: "-3 -1 -2", want: "-1"},  // negative scores compete like any other
		{nodes: "7a 2 7b 7c", oneOf: []string{"7a", "7b", "7c"}},
		{nodes: "x1 xx2 x3", reasons: map[string]int{"refused": 2, "two reasons": 1, "too many": 1}},
		{nodes: "", reasons: nil},
	} {
		var nodes []*NodeInfo
		for _, name := range strings.Fields(tt.nodes) {
			nodes = append(nodes, infoWith(newNode(name, "4", "8Gi")))
		}
		schedule := ScheduleWith(refuse, score)
		seen := map[string]bool{}
		for seed := range uint64(40) {
			got, fitErr := schedule(newPod("p"), nodes, MostAllocated, rand.New(rand.NewPCG(seed, 1)))
			again, _ := schedule(newPod("p"), nodes, LeastAllocated, rand.New(rand.NewPCG(seed, 1)))
			if got != again {
				t.Errorf("nodes %q, seed %d: %q with MostAllocated, %q with LeastAllocated: the scoring argument must not matter", tt.nodes, seed, got, again)
			}
			seen[got] = true
			switch {
			case tt.want == "" && tt.oneOf == nil:
				if fitErr == nil {
					t.Fatalf("nodes %q: chose %q, want a FitError", tt.nodes, got)
				}
				if fitErr.NumAllNodes != len(nodes) {
					t.Errorf("nodes %q: FitError.NumAllNodes = %d, want %d", tt.nodes, fitErr.NumAllNodes, len(nodes))
				}
				if diff := cmp.Diff(tt.reasons, fitErr.Reasons); diff != "" {
					t.Errorf("nodes %q: FitError.Reasons (-want +got):\n%s", tt.nodes, diff)
				}
			case fitErr != nil:
				t.Fatalf("nodes %q: %v, want a node", tt.nodes, fitErr)
			case tt.want != "" && got != tt.want:
				t.Errorf("nodes %q, seed %d: chose %q, want %q", tt.nodes, seed, got, tt.want)
			}
		}
		for _, n := range tt.oneOf {
			if !seen[n] {
				t.Errorf("nodes %q: 40 seeds never chose %q (chose %v): ties are not broken evenly", tt.nodes, n, seen)
			}
		}
	}
}

// Schedule chooses exactly as ScheduleWith with the package's own Filter
// and Score: the same node and the same draws for every seed, the same
// FitError.
func TestScheduleIsScheduleWithFilterAndScore(t *testing.T) {
	yes := true
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 7))
		var nodes []*NodeInfo
		for i := range 1 + r.IntN(8) {
			var opts []nodeOpt
			switch r.IntN(6) {
			case 0:
				opts = append(opts, taint("dedicated", "db", api.TaintNoSchedule))
			case 1:
				opts = append(opts, taint("spot", "", api.TaintPreferNoSchedule))
			case 2:
				opts = append(opts, cordoned)
			}
			cpu := []string{"1", "2", "4"}[r.IntN(3)]
			var pods []*api.Pod
			for j := range r.IntN(3) {
				p := newPod(fmt.Sprintf("q%d-%d", i, j), requests("500m", "512Mi"))
				if r.IntN(2) == 0 {
					p.OwnerReferences = []api.OwnerReference{{Kind: "ReplicaSet", Name: "web", UID: "rs-1", Controller: &yes}}
				}
				pods = append(pods, p)
			}
			nodes = append(nodes, infoWith(newNode(fmt.Sprintf("n%d", i), cpu, "4Gi", opts...), pods...))
		}
		pod := newPod("p", requests([]string{"100m", "1", "3"}[r.IntN(3)], "256Mi"))
		if r.IntN(2) == 0 {
			pod.OwnerReferences = []api.OwnerReference{{Kind: "ReplicaSet", Name: "web", UID: "rs-1", Controller: &yes}}
		}
		for _, scoring := range []string{LeastAllocated, MostAllocated} {
			maxOwner := 0
			if uid := controllerUID(pod); uid != "" {
				for _, n := range nodes {
					maxOwner = max(maxOwner, n.ownerCounts[uid])
				}
			}
			with := ScheduleWith(Filter, func(p *api.Pod, n *NodeInfo) int64 { return Score(p, n, scoring, maxOwner) })
			r1, r2 := rand.New(rand.NewPCG(seed, 1)), rand.New(rand.NewPCG(seed, 1))
			for range 3 {
				got, gotErr := Schedule(pod, nodes, scoring, r1)
				want, wantErr := with(pod, nodes, scoring, r2)
				if got != want || (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
					t.Fatalf("seed %d, %s: Schedule = (%q, %v), ScheduleWith(Filter, Score) = (%q, %v)", seed, scoring, got, gotErr, want, wantErr)
				}
			}
		}
	}
}
