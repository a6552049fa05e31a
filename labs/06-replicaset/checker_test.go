package replicasetlab_test

import (
	"testing"

	replicasetlab "github.com/tinykube/tinykube/labs/06-replicaset"
	"github.com/tinykube/tinykube/labs/06-replicaset/mutants"
	"github.com/tinykube/tinykube/labs/06-replicaset/reference"
	"github.com/tinykube/tinykube/labs/06-replicaset/student"
	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice.
func TestChecker(t *testing.T) {
	c := labtest.Checker{
		Reference: replicasetlab.Lab(reference.Diff),
		Starter:   replicasetlab.Lab(student.Diff),
	}
	for _, m := range mutants.All {
		c.Mutants = append(c.Mutants, labtest.Mutant{Name: m.Name, Lab: replicasetlab.Lab(m.Diff)})
	}
	labtest.Run(t, c)
}
