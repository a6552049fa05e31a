package mutants

import (
	"context"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/operator/database"
)

// The database operator's mutants: the bug classes Sieve found in real
// operators, each plugged into the operator through database.Hooks. Each
// runs in scenarios with operators: [database] (sim/cluster's
// TestBrokenDatabaseOperator).

func init() {
	All = append(All,
		&Mutant{
			Name:     "database-promotes-from-cache",
			Mistake:  "the database operator promotes from its informer cache: it demotes the primaries the cache shows and labels the new one, with no live read and no resourceVersion precondition, so a stale cache that misses the current primary makes a second one",
			CaughtBy: "database-one-primary",
			Database: &database.Hooks{Promote: promoteFromCache},
		},
		&Mutant{
			Name:     "database-forgets-cleanup",
			Mistake:  "the database operator removes its finalizer without removing the database's catalog entry, as if owner references cleaned everything: the entry outlives the database",
			CaughtBy: "database-catalog",
			Database: &database.Hooks{Cleanup: func(*database.Controller, context.Context, *database.Database) error { return nil }},
		},
		&Mutant{
			Name:     "database-status-from-spec",
			Mistake:  "the database operator writes status.readyReplicas from spec.replicas, what is wanted, instead of counting the pods it saw ready",
			CaughtBy: "database-status-observed",
			Database: &database.Hooks{Status: statusFromSpec},
		},
		&Mutant{
			Name:     "database-catalog-appends",
			Mistake:  "the database operator appends the primary's address to its catalog entry instead of setting it, so the entry holds two addresses after a failover (a non-idempotent write: a retry after a crash or a lost answer would append again)",
			CaughtBy: "database-catalog",
			Database: &database.Hooks{CatalogEntry: appendEntry},
		},
	)
}

// promoteFromCache is the operator's promotion done wrong: decisions and
// writes from the cache, unconditionally.
func promoteFromCache(c *database.Controller, ctx context.Context, db *database.Database, target string) error {
	pods := client.For[*api.Pod](c.Client())
	cached := c.CachedPods(db)
	for _, p := range cached.Pods {
		role := database.RoleReplica
		if p.Name == target {
			role = database.RolePrimary
		}
		if p.Labels[database.RoleLabel] == role {
			continue
		}
		next := api.DeepCopy(p)
		next.ResourceVersion = "" // no precondition: last writer wins
		next.Labels[database.RoleLabel] = role
		if _, err := pods.Update(ctx, next, client.WriteOptions{}); err != nil {
			return err
		}
	}
	next := api.DeepCopy(db)
	next.ResourceVersion = ""
	next.Status.Primary = target
	if p := cached.Find(target); p != nil {
		next.Status.PrimaryUID = p.UID
	}
	_, err := client.ForResource[*database.Database](c.Client(), database.Resource()).UpdateStatus(ctx, next, client.WriteOptions{})
	return err
}

func statusFromSpec(db *database.Database, v database.PodView) database.Status {
	st := database.ObservedStatus(db, v)
	st.ReadyReplicas = db.Spec.Replicas
	return st
}

func appendEntry(current, address string) string {
	if current == "" || strings.HasSuffix(current, address) {
		return address
	}
	return current + "," + address
}
