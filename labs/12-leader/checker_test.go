package leaderlab_test

import (
	"testing"

	leaderlab "github.com/tinykube/tinykube/labs/12-leader"
	"github.com/tinykube/tinykube/labs/12-leader/mutants"
	"github.com/tinykube/tinykube/labs/12-leader/reference"
	"github.com/tinykube/tinykube/labs/12-leader/student"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. Its simulated runs
// cost a fraction of a second each, so the self-test runs 4 seeds; make
// soak runs more.
func TestChecker(t *testing.T) {
	c := labtest.Checker{
		Reference: leaderlab.Lab(leaderlab.Impl{Decide: reference.Decide}),
		Starter:   leaderlab.Lab(leaderlab.Impl{Decide: student.Decide}),
		Seeds:     4,
	}
	for _, m := range mutants.All {
		c.Mutants = append(c.Mutants, labtest.Mutant{Name: m.Name, Lab: leaderlab.Lab(m.Impl)})
	}
	labtest.Run(t, c)
}

// Each sim-based test, on its own, catches the mutant it is there for:
// the rule table is not the only line of defence. (renews-any-holder and
// boundary-off-by-one are left to the table: within the drift bound a
// leader's deadline passes before anyone can take over, and an instant's
// difference at the boundary never decides a simulated run.)
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	want := map[string]string{
		"trusts-renew-time":          "OneLeaderOnFailover",
		"no-renew-deadline":          "StepsDownInTime",
		"no-wait":                    "OneLeaderOnFailover",
		"never-takes-over":           "TakesOverFromALostLeader",
		"deadline-is-lease-duration": "StepsDownInTime",
	}
	for _, m := range mutants.All {
		test, ok := want[m.Name]
		if !ok {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			rep, err := lab.Run(leaderlab.Lab(m.Impl), lab.Options{Seeds: 4, Run: test})
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
