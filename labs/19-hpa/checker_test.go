package hpalab_test

import (
	"testing"

	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. Its simulated runs
// cost about a second each, so the self-test runs 1 seed (every mutant falls on it); make soak
// runs more.
func TestChecker(t *testing.T) {
	labtest.Run(t, labtest.For(t, "19", 1))
}

// Each simulated test, on its own, catches the mutants it is there for:
// the rule table is not the only line of defence. (times-current is left
// to the table: in a cluster the pods measured are the current replicas
// but for moments of a rollout or a scale, too rare to decide a run.)
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	labtest.Catches(t, labtest.For(t, "19", 1), map[string]string{
		"ignores-tolerance":    "WobbleInsideTolerance",
		"missing-as-idle":      "MetricGapsKeepPods",
		"counts-unready-usage": "SpikeScalesOutAndIn",
		"rounds-down":          "SpikeScalesOutAndIn",
		"no-direction-check":   "MetricGapsKeepPods",
		"times-current":        "",
	})
}
