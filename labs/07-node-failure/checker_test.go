package nodefailurelab_test

import (
	"testing"

	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. Its simulated runs
// cost a fraction of a second each, so the self-test runs 4 seeds; make
// soak runs more.
func TestChecker(t *testing.T) {
	labtest.Run(t, labtest.For(t, "07", 4))
}

// Each simulated test, on its own, catches the mutants it is there for.
// (grace-inclusive, unknown-is-not-ready and marks-unknown-again are left
// to the rule table: an instant's difference at the boundary never
// decides a simulated run, and the other two taint and evict on time.)
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	labtest.Catches(t, labtest.For(t, "07", 4), map[string]string{
		"trusts-renew-time":    "ShortPartitionsEvictNothing",
		"half-grace":           "ShortPartitionsEvictNothing",
		"never-stale":          "LostNodesAreReplaced",
		"grace-inclusive":      "",
		"unknown-is-not-ready": "",
		"marks-unknown-again":  "",
	})
}
