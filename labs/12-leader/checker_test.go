package leaderlab_test

import (
	"testing"

	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. Its simulated runs
// cost a fraction of a second each, so the self-test runs 4 seeds; make
// soak runs more.
func TestChecker(t *testing.T) {
	labtest.Run(t, labtest.For(t, "12", 4))
}

// Each sim-based test, on its own, catches the mutant it is there for:
// the rule table is not the only line of defence. (renews-any-holder and
// boundary-off-by-one are left to the table: within the drift bound a
// leader's deadline passes before anyone can take over, and an instant's
// difference at the boundary never decides a simulated run.)
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	labtest.Catches(t, labtest.For(t, "12", 4), map[string]string{
		"trusts-renew-time":          "OneLeaderOnFailover",
		"no-renew-deadline":          "StepsDownInTime",
		"deadline-is-lease-duration": "StepsDownInTime",
		"no-wait":                    "OneLeaderOnFailover",
		"renews-any-holder":          "",
		"never-takes-over":           "TakesOverFromALostLeader",
		"boundary-off-by-one":        "",
	})
}
