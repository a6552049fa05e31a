package strategiclab_test

import (
	"testing"

	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice, on the 50 seeds of
// the self-tests (each a fraction of a millisecond).
func TestChecker(t *testing.T) {
	labtest.Run(t, labtest.For(t, "14", 0))
}
