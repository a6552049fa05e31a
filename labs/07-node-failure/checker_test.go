package nodefailurelab_test

import (
	"testing"

	nodefailurelab "github.com/tinykube/tinykube/labs/07-node-failure"
	"github.com/tinykube/tinykube/labs/07-node-failure/mutants"
	"github.com/tinykube/tinykube/labs/07-node-failure/reference"
	"github.com/tinykube/tinykube/labs/07-node-failure/student"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. Its simulated runs
// cost a fraction of a second each, so the self-test runs 4 seeds; make
// soak runs more.
func TestChecker(t *testing.T) {
	c := labtest.Checker{
		Reference: nodefailurelab.Lab(nodefailurelab.Impl{Assess: reference.Assess}),
		Starter:   nodefailurelab.Lab(nodefailurelab.Impl{Assess: student.Assess}),
		Seeds:     4,
	}
	for _, m := range mutants.All {
		c.Mutants = append(c.Mutants, labtest.Mutant{Name: m.Name, Lab: nodefailurelab.Lab(nodefailurelab.Impl{Assess: m.Assess})})
	}
	labtest.Run(t, c)
}

// Each simulated test, on its own, catches the mutants it is there for.
// (grace-inclusive, unknown-is-not-ready and marks-unknown-again are left
// to the rule table: an instant's difference at the boundary never
// decides a simulated run, and the other two taint and evict on time.)
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	want := map[string]string{
		"trusts-renew-time": "ShortPartitionsEvictNothing",
		"half-grace":        "ShortPartitionsEvictNothing",
		"never-stale":       "LostNodesAreReplaced",
	}
	for _, m := range mutants.All {
		test, ok := want[m.Name]
		if !ok {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			rep, err := lab.Run(nodefailurelab.Lab(nodefailurelab.Impl{Assess: m.Assess}), lab.Options{Seeds: 4, Run: test})
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
