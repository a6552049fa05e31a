package schedulerlab_test

import (
	"testing"

	schedulerlab "github.com/tinykube/tinykube/labs/04-scheduler"
	"github.com/tinykube/tinykube/labs/04-scheduler/mutants"
	"github.com/tinykube/tinykube/labs/04-scheduler/reference"
	"github.com/tinykube/tinykube/labs/04-scheduler/student"
	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice.
func TestChecker(t *testing.T) {
	c := labtest.Checker{
		Reference: schedulerlab.Lab(schedulerlab.Impl{Fits: reference.Fits, Score: reference.ScoreMostAllocated}),
		Starter:   schedulerlab.Lab(schedulerlab.Impl{Fits: student.Fits, Score: student.ScoreMostAllocated}),
	}
	for _, m := range mutants.All {
		c.Mutants = append(c.Mutants, labtest.Mutant{Name: m.Name, Lab: schedulerlab.Lab(schedulerlab.Impl{Fits: m.Fits, Score: m.Score})})
	}
	labtest.Run(t, c)
}
