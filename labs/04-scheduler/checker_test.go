package schedulerlab_test

import (
	"testing"

	schedulerlab "github.com/tinykube/tinykube/labs/04-scheduler"
	"github.com/tinykube/tinykube/labs/04-scheduler/mutants"
	"github.com/tinykube/tinykube/labs/04-scheduler/reference"
	"github.com/tinykube/tinykube/labs/04-scheduler/student"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. PacksACluster runs
// a whole simulation per seed, so the self-test runs 4 seeds (enough for
// the generated tests to kill every mutant); make soak runs more.
func TestChecker(t *testing.T) {
	c := labtest.Checker{
		Reference: schedulerlab.Lab(schedulerlab.Impl{Fits: reference.Fits, Score: reference.ScoreMostAllocated}),
		Starter:   schedulerlab.Lab(schedulerlab.Impl{Fits: student.Fits, Score: student.ScoreMostAllocated}),
		Seeds:     4,
	}
	for _, m := range mutants.All {
		c.Mutants = append(c.Mutants, labtest.Mutant{Name: m.Name, Lab: schedulerlab.Lab(schedulerlab.Impl{Fits: m.Fits, Score: m.Score})})
	}
	labtest.Run(t, c)
}

// The simulated run, on its own, catches the mistakes that show in a real
// cluster: a node refused a pod that exactly fits, a node given more pods
// than it has slots, pods spread where they should pack.
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	want := map[string]string{
		"capacity-strictly-less": "PacksACluster",
		"ignores-pod-count":      "PacksACluster",
		"score-least-allocated":  "PacksACluster",
	}
	for _, m := range mutants.All {
		test, ok := want[m.Name]
		if !ok {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			rep, err := lab.Run(schedulerlab.Lab(schedulerlab.Impl{Fits: m.Fits, Score: m.Score}), lab.Options{Seeds: 3, Run: test})
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
