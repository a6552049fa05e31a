package cluster

import "testing"

// The drain scenario holds with the real disruption controller, and one
// that ignores the budget's minimum (disruption-ignores-budget) is caught
// by pdb-eviction.
func TestBudgetBlindDisruptionIsCaughtByPDBEviction(t *testing.T) {
	s := load(t, "drain.yaml")
	for seed := uint64(1); seed <= 3; seed++ {
		if r := run(t, s, seed); r.Violation != nil {
			t.Fatalf("the real controller fails seed %d: %v", seed, r.Violation)
		}
	}
	s.Cluster.Broken = "disruption-ignores-budget"
	_, r, seed := caught(t, s, 5, "pdb-eviction: evicting default/", "disruption controller")
	t.Logf("seed %d caught: %v", seed, r.Violation)
}
