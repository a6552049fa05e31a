package operatorlab

import (
	"context"
	"errors"
	"fmt"

	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/labs/17-operator/ops"
)

// Impl is an answer to the lab: the four functions of
// labs/17-operator/student, each one decision of the database operator
// (core/operator/database), plugged in through its Hooks.
type Impl struct {
	Promote      func(o ops.API, db *database.Database, target string) error
	Cleanup      func(o ops.API, db *database.Database) error
	Status       func(db *database.Database, view database.PodView) database.Status
	CatalogEntry func(current, address string) string
}

// errNotWritten is the failure of every test while the function named is
// the starter's.
func errNotWritten(fn string) error {
	return fmt.Errorf("%s is not implemented yet (it answered %q): write it in labs/17-operator/student/operator.go, below \"LAB 17: your code here\"", fn, ops.NotImplemented)
}

// hooks plugs impl into the operator. A function that answers "not
// implemented" records it in *missing (the run's verdict) and the
// operator goes on with its own code, so that the run stays meaningful
// for the functions that are written.
func hooks(impl Impl, missing *error) database.Hooks {
	note := func(fn string) {
		if *missing == nil {
			*missing = errNotWritten(fn)
		}
	}
	return database.Hooks{
		Promote: func(c *database.Controller, ctx context.Context, db *database.Database, target string) error {
			err := impl.Promote(ops.New(c, ctx), db, target)
			if errors.Is(err, ops.ErrNotImplemented) {
				note("Promote")
			}
			return err
		},
		Cleanup: func(c *database.Controller, ctx context.Context, db *database.Database) error {
			err := impl.Cleanup(ops.New(c, ctx), db)
			if errors.Is(err, ops.ErrNotImplemented) {
				note("Cleanup")
			}
			return err
		},
		Status: func(db *database.Database, view database.PodView) database.Status {
			st := impl.Status(db, view)
			if st.Phase == ops.NotImplemented {
				note("Status")
				return database.ObservedStatus(db, view)
			}
			return st
		},
		CatalogEntry: func(current, address string) string {
			e := impl.CatalogEntry(current, address)
			if e == ops.NotImplemented {
				note("CatalogEntry")
				return address
			}
			return e
		},
	}
}
