package volumelab_test

import (
	"testing"

	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. BindsInACluster
// runs a whole simulation per seed, so the self-test runs 8 seeds; make
// soak runs more.
func TestChecker(t *testing.T) {
	labtest.Run(t, labtest.For(t, "15", 8))
}

// The simulated run, on its own, catches the mistakes that break the
// binder's promises in a cluster of static volumes. Node affinity needs a
// selected node (WaitForFirstConsumer, pods and a scheduler), and a
// claimRef of an earlier claim of the same name needs claims deleted and
// made again: those two are left to the generated tests.
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	labtest.Catches(t, labtest.For(t, "15", 8), map[string]string{
		"largest-first":          "BindsInACluster",
		"first-in-list":          "BindsInACluster",
		"ignores-class":          "BindsInACluster",
		"ignores-access-modes":   "BindsInACluster",
		"ignores-volume-mode":    "BindsInACluster",
		"ignores-selector":       "BindsInACluster",
		"ignores-node-affinity":  "",
		"compares-sizes-as-text": "BindsInACluster",
		"refuses-exact-size":     "BindsInACluster",
		"ignores-pre-binding":    "BindsInACluster",
		"takes-reserved-volumes": "BindsInACluster",
		"ignores-claim-uid":      "",
		"reservation-skips-fit":  "BindsInACluster",
	})
}
