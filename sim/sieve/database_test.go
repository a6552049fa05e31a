package sieve

import (
	"testing"

	"github.com/tinykube/tinykube/core/operator/database"
)

// databaseCase checks the database operator as Sieve checks an operator:
// two Databases; at 20s the primary pod of one is deleted (a failover),
// at 40s the other Database is deleted (its finalizer's cleanup). Crashes
// before and after every call, stale reads and late watches must not
// change where it ends: one primary per database, the catalog entry of
// the one left, nothing left of the deleted one.
func databaseCase() Case {
	c := DatabaseCase(database.Hooks{})
	c.Name = "database-operator"
	c.Want = all(want("pods/default/orders-", 3, `"phase": "Running"`), want("pods/default/users-", 0),
		want("configmaps/default/database-catalog", 1, `"orders": "orders-`),
		want("statefulsets/default/users", 0))
	return c
}

func TestDatabaseOperator(t *testing.T) {
	t.Parallel()
	Check(t, databaseCase())
}
