package scheduler

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The sample sizes are kube-scheduler's: every node up to 100, then 50 %
// less 1 % per 125 nodes, at least 5 %, never fewer than 100 nodes.
func TestNumNodesToScore(t *testing.T) {
	for all, want := range map[int]int{1: 1, 50: 50, 100: 100, 150: 100, 200: 100, 250: 120, 1000: 420, 5000: 500, 10000: 500, 20000: 1000} {
		if got := numNodesToScore(all); got != want {
			t.Errorf("numNodesToScore(%d) = %d, want %d", all, got, want)
		}
	}
}

// In a 1,000-node cluster (chunks of 420) a pod that fits one node only
// is placed there wherever the search starts; searches start where the
// last one stopped, so placements rotate over the cluster; a pod that
// fits nowhere gets a FitError counting every node once.
func TestScheduleSampled(t *testing.T) {
	var nodes []*NodeInfo
	for i := range 1000 {
		nodes = append(nodes, NewNodeInfo(newNode(fmt.Sprintf("n%04d", i), "4", "8Gi")))
	}
	s := &Scheduler{cfg: Config{Schedule: Schedule, Rand: rand.New(rand.NewPCG(1, 2))}}
	big := newPod("big", requests("3", "1Gi"))
	only := NewNodeInfo(newNode("n0007", "8", "8Gi")) // the one node with room for a 6-CPU pod
	nodes[7] = only
	for _, start := range []int{0, 5, 400, 990} {
		s.nextStart = start
		if got, err := s.scheduleSampled(newPod("wide", requests("6", "1Gi")), nodes); err != nil || got != "n0007" {
			t.Errorf("from %d: placed on %q (%v), want n0007", start, got, err)
		}
	}
	s.nextStart = 0
	seen := map[int]bool{}
	for range 3 {
		got, err := s.scheduleSampled(big, nodes)
		if err != nil {
			t.Fatal(err)
		}
		var i int
		fmt.Sscanf(got, "n%d", &i)
		seen[i/420] = true
	}
	if len(seen) != 3 {
		t.Errorf("three searches chose from chunks %v, want each of the three chunks once", seen)
	}
	_, fitErr := s.scheduleSampled(newPod("huge", requests("64", "1Gi")), nodes)
	if fitErr == nil || fitErr.NumAllNodes != 1000 || fitErr.Reasons["Insufficient cpu"] != 1000 {
		t.Errorf("a pod that fits nowhere: %+v, want 1000 nodes counted, each Insufficient cpu", fitErr)
	}
}
