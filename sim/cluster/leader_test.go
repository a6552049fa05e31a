package cluster

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/sim/scenario"
)

// Beyond the drift bound the one-leader invariant catches two schedulers
// acting, for every seed; within it, the same schedule passes. (Each run
// takes about 30ms.)
func TestLeaderDriftBeyondTheBoundShowsTwoLeaders(t *testing.T) {
	s, err := scenario.Load("../../examples/scenarios/leader-drift.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 100; seed++ {
		c, err := New(s, seed)
		if err != nil {
			t.Fatal(err)
		}
		r := c.Run()
		if r.Violation == nil || !strings.Contains(r.Violation.Error(), "one-leader: scheduler-1 wrote") {
			t.Fatalf("seed %d: want scheduler-1 caught acting after scheduler-2 took over, got %v", seed, r.Violation)
		}
	}
	within := *s
	within.Faults = append([]scenario.Fault(nil), s.Faults...)
	within.Faults[0].Rate = 0.9 // inside the 20% bound
	for seed := uint64(1); seed <= 100; seed++ {
		c, err := New(&within, seed)
		if err != nil {
			t.Fatal(err)
		}
		if r := c.Run(); r.Violation != nil {
			t.Fatalf("seed %d with rate 0.9: %v", seed, r.Violation)
		}
	}
}
