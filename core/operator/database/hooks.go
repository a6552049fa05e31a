package database

import "context"

// Hooks replace parts of the operator with other code: the seam through
// which sim/mutants plugs in deliberately broken variants (an operator
// author's classic mistakes) to show that the invariants catch them. The
// zero Hooks is the real operator; core never sets them.
type Hooks struct {
	// Promote makes target the database's primary (default:
	// (*Controller).promote, which reads live and writes with
	// preconditions). It is called with the Database as cached.
	Promote func(c *Controller, ctx context.Context, db *Database, target string) error
	// Cleanup undoes what owner references cannot when a Database is
	// deleted, before its finalizer is removed (default:
	// (*Controller).cleanup, which removes its catalog entry).
	Cleanup func(c *Controller, ctx context.Context, db *Database) error
	// Status computes the status to write from the Database and its pods
	// as cached (default: ObservedStatus).
	Status func(db *Database, view PodView) Status
	// CatalogEntry returns the catalog entry to write for a database,
	// given the entry there now ("" for none) and the primary's address
	// (default: the address, set whatever was there).
	CatalogEntry func(current, address string) string
}

// withDefaults returns h with every unset part the real one.
func (h Hooks) withDefaults() Hooks {
	if h.Promote == nil {
		h.Promote = (*Controller).promote
	}
	if h.Cleanup == nil {
		h.Cleanup = (*Controller).cleanup
	}
	if h.Status == nil {
		h.Status = ObservedStatus
	}
	if h.CatalogEntry == nil {
		h.CatalogEntry = func(_, address string) string { return address }
	}
	return h
}
