package kubeletlab_test

import (
	"testing"

	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. Its simulated runs
// cover many virtual minutes each, so the self-test runs 3 seeds; make
// soak runs more.
func TestChecker(t *testing.T) {
	labtest.Run(t, labtest.For(t, "05", 3))
}

// Each simulated test, on its own, catches the mutants it is there for:
// the rule table is not the only line of defence.
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	labtest.Catches(t, labtest.For(t, "05", 2), map[string]string{
		"no-back-off":         "BacksOffInACluster",
		"no-cap":              "BacksOffInACluster",
		"never-forgets":       "ForgetsAfterALongRun",
		"first-restart-waits": "BacksOffInACluster",
		"waits-from-now":      "BacksOffInACluster",
		"restarts-completed":  "BacksOffInACluster",
		"never-is-on-failure": "BacksOffInACluster",
	})
}
