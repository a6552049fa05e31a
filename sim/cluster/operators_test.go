package cluster

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/sim/mutants"
)

// Each of the database operator's mutants breaks the invariant it names
// in the operator's example scenario, on every seed tried: the operator's
// invariants catch an operator author's classic mistakes. (The scenario
// itself holds on the same seeds: TestExampleScenariosHold.)
func TestBrokenDatabaseOperator(t *testing.T) {
	for _, m := range mutants.All {
		if m.Database == nil {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			for seed := uint64(1); seed <= 2; seed++ {
				s := load(t, "operator-database.yaml")
				s.Cluster.Broken = m.Name
				r := run(t, s, seed)
				if r.Violation == nil || !strings.HasPrefix(r.Violation.Error(), m.CaughtBy+":") {
					t.Errorf("seed %d with %s: violation = %v, want %s", seed, m.Name, r.Violation, m.CaughtBy)
				}
			}
		})
	}
}
