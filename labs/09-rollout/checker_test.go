package rolloutlab_test

import (
	"testing"

	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. RollsOutInACluster
// runs a whole simulation per seed, so the self-test runs 4 seeds (enough
// for the generated tests to kill every mutant); make soak runs more.
func TestChecker(t *testing.T) {
	labtest.Run(t, labtest.For(t, "09", 4))
}

// The simulated run, on its own, catches the mistakes that break a real
// rollout's promises (rollout-bounds). The others are stricter than the
// contract (a smaller surge, old pods kept longer) or need a ReplicaSet
// status that lags in a way this scenario rarely shows: those are left to
// the generated tests.
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	labtest.Catches(t, labtest.For(t, "09", 3), map[string]string{
		"surge-rounds-down":             "",
		"ignores-new-unavailable":       "",
		"scales-old-before-new":         "",
		"counts-asked-for-as-available": "RollsOutInACluster",
		"min-available-off-by-one":      "RollsOutInACluster",
		"surge-room-off-by-one":         "RollsOutInACluster",
		"counts-stale-available":        "",
	})
}
