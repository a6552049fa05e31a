package replicasetlab_test

import (
	"testing"

	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. ScalesInACluster
// runs a whole simulation per seed, so the self-test runs 4 seeds
// (enough for the generated tests to kill every mutant); make soak runs
// more.
func TestChecker(t *testing.T) {
	labtest.Run(t, labtest.For(t, "06", 4))
}

// The simulated run, on its own, catches the mistake that shows in a real
// cluster: more pods than asked for. (The controller hands Diff only the
// pods that are neither terminating nor finished, and the deletion order
// shows in which pods survive, not in any invariant: those mutants are
// left to the generated tests.)
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	labtest.Catches(t, labtest.For(t, "06", 3), map[string]string{
		"deletes-ready-first":     "",
		"counts-terminating-pods": "",
		"creates-one-too-many":    "ScalesInACluster",
		"deletes-older-first":     "",
		"ignores-unscheduled":     "",
		"nil-replicas-is-zero":    "",
	})
}
