package replicasetlab_test

import (
	"testing"

	replicasetlab "github.com/tinykube/tinykube/labs/06-replicaset"
	"github.com/tinykube/tinykube/labs/06-replicaset/mutants"
	"github.com/tinykube/tinykube/labs/06-replicaset/reference"
	"github.com/tinykube/tinykube/labs/06-replicaset/student"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. ScalesInACluster
// runs a whole simulation per seed, so the self-test runs 4 seeds
// (enough for the generated tests to kill every mutant); make soak runs
// more.
func TestChecker(t *testing.T) {
	c := labtest.Checker{
		Reference: replicasetlab.Lab(reference.Diff),
		Starter:   replicasetlab.Lab(student.Diff),
		Seeds:     4,
	}
	for _, m := range mutants.All {
		c.Mutants = append(c.Mutants, labtest.Mutant{Name: m.Name, Lab: replicasetlab.Lab(m.Diff)})
	}
	labtest.Run(t, c)
}

// The simulated run, on its own, catches the mistake that shows in a real
// cluster: more pods than asked for. (The controller hands Diff only the
// pods that are neither terminating nor finished, and the deletion order
// shows in which pods survive, not in any invariant: those mutants are
// left to the generated tests.)
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	want := map[string]string{
		"creates-one-too-many": "ScalesInACluster",
	}
	for _, m := range mutants.All {
		test, ok := want[m.Name]
		if !ok {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			rep, err := lab.Run(replicasetlab.Lab(m.Diff), lab.Options{Seeds: 3, Run: test})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Passed() {
				t.Fatalf("%s passes %s", m.Name, test)
			}
			t.Logf("%s", rep.Results[0].Failure.Message)
		})
	}
}
