package cluster

import (
	"path/filepath"
	"testing"

	"github.com/tinykube/tinykube/sim/scenario"
)

func loadTestdata(t *testing.T, name string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Load(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Each broken autoscaler is caught by its invariant on its scenario, and
// the real one passes the same scenario.
func TestBrokenAutoscalersAreCaught(t *testing.T) {
	tests := []struct {
		mutant string
		load   func(t *testing.T) *scenario.Scenario
		want   string
	}{
		{"autoscaler-ignores-max", func(t *testing.T) *scenario.Scenario { return load(t, "ca-scale-up.yaml") }, "ca-group-bounds: the autoscaler asked for"},
		{"autoscaler-skips-placement-check", func(t *testing.T) *scenario.Scenario { return loadTestdata(t, "ca-stuck-node.yaml") }, "ca-safe-removal: the cluster autoscaler marked small-"},
		{"autoscaler-ignores-budgets", func(t *testing.T) *scenario.Scenario { return loadTestdata(t, "ca-budget.yaml") }, "ca-budgets: pod default/critical-"},
	}
	for _, tt := range tests {
		t.Run(tt.mutant, func(t *testing.T) {
			s := tt.load(t)
			if r := run(t, s, 1); r.Violation != nil {
				t.Fatalf("the real autoscaler fails %s seed 1: %v", s.Name, r.Violation)
			}
			s.Cluster.Broken = tt.mutant
			_, r, seed := caught(t, s, 3, tt.want, "autoscaler")
			t.Logf("seed %d caught: %v", seed, r.Violation)
		})
	}
}
