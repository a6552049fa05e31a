package rolloutlab_test

import (
	"testing"

	rolloutlab "github.com/tinykube/tinykube/labs/09-rollout"
	"github.com/tinykube/tinykube/labs/09-rollout/mutants"
	"github.com/tinykube/tinykube/labs/09-rollout/reference"
	"github.com/tinykube/tinykube/labs/09-rollout/student"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. RollsOutInACluster
// runs a whole simulation per seed, so the self-test runs 4 seeds (enough
// for the generated tests to kill every mutant); make soak runs more.
func TestChecker(t *testing.T) {
	c := labtest.Checker{
		Reference: rolloutlab.Lab(rolloutlab.Impl{Step: reference.Step, Bounds: reference.Bounds}),
		Starter:   rolloutlab.Lab(rolloutlab.Impl{Step: student.Step, Bounds: student.Bounds}),
		Seeds:     4,
	}
	for _, m := range mutants.All {
		c.Mutants = append(c.Mutants, labtest.Mutant{Name: m.Name, Lab: rolloutlab.Lab(m.Impl)})
	}
	labtest.Run(t, c)
}

// The simulated run, on its own, catches the mistakes that break a real
// rollout's promises (rollout-bounds). The others are stricter than the
// contract (a smaller surge, old pods kept longer) or need a ReplicaSet
// status that lags in a way this scenario rarely shows: those are left to
// the generated tests.
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	want := map[string]string{
		"counts-asked-for-as-available": "RollsOutInACluster",
		"min-available-off-by-one":      "RollsOutInACluster",
		"surge-room-off-by-one":         "RollsOutInACluster",
	}
	for _, m := range mutants.All {
		test, ok := want[m.Name]
		if !ok {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			rep, err := lab.Run(rolloutlab.Lab(m.Impl), lab.Options{Seeds: 3, Run: test})
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
