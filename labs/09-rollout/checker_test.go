package rolloutlab_test

import (
	"testing"

	rolloutlab "github.com/tinykube/tinykube/labs/09-rollout"
	"github.com/tinykube/tinykube/labs/09-rollout/mutants"
	"github.com/tinykube/tinykube/labs/09-rollout/reference"
	"github.com/tinykube/tinykube/labs/09-rollout/student"
	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice.
func TestChecker(t *testing.T) {
	c := labtest.Checker{
		Reference: rolloutlab.Lab(rolloutlab.Impl{Step: reference.Step, Bounds: reference.Bounds}),
		Starter:   rolloutlab.Lab(rolloutlab.Impl{Step: student.Step, Bounds: student.Bounds}),
	}
	for _, m := range mutants.All {
		c.Mutants = append(c.Mutants, labtest.Mutant{Name: m.Name, Lab: rolloutlab.Lab(m.Impl)})
	}
	labtest.Run(t, c)
}
