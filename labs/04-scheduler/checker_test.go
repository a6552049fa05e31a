package schedulerlab_test

import (
	"testing"

	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. PacksACluster runs
// a whole simulation per seed, so the self-test runs 4 seeds (enough for
// the generated tests to kill every mutant); make soak runs more.
func TestChecker(t *testing.T) {
	labtest.Run(t, labtest.For(t, "04", 4))
}

// The simulated run, on its own, catches the mistakes that show in a real
// cluster: a node refused a pod that exactly fits, a node given more pods
// than it has slots, pods spread where they should pack. (The scenario's
// pods carry no tolerations or node selectors and no node is cordoned, and
// a score that is off but still prefers fuller nodes packs the same way:
// those mutants are left to the generated tests.)
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	labtest.Catches(t, labtest.For(t, "04", 3), map[string]string{
		"capacity-strictly-less":  "PacksACluster",
		"ignores-pod-count":       "PacksACluster",
		"ignores-NoExecute":       "",
		"ignores-unschedulable":   "",
		"selector-keys-only":      "",
		"resources-before-taints": "",
		"score-least-allocated":   "PacksACluster",
		"score-without-pod":       "",
		"score-cpu-only":          "",
	})
}
