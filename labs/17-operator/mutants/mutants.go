package mutants

import (
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/operator/database"
	operatorlab "github.com/tinykube/tinykube/labs/17-operator"
	"github.com/tinykube/tinykube/labs/17-operator/ops"
	"github.com/tinykube/tinykube/labs/17-operator/reference"
)

// Mutant is a named broken answer.
type Mutant struct {
	Name string
	Impl operatorlab.Impl
}

// with is the reference with some functions replaced by f.
func with(f func(i *operatorlab.Impl)) operatorlab.Impl {
	i := operatorlab.Impl{Promote: reference.Promote, Cleanup: reference.Cleanup, Status: reference.Status, CatalogEntry: reference.CatalogEntry}
	f(&i)
	return i
}

// All are the kept mutants.
var All = []Mutant{
	// Acts on a stale read: promotes from the informer's cache, demoting
	// the primaries the cache shows, and writes without preconditions
	// (sim/mutants' database-promotes-from-cache, over ops). A cache that
	// missed the current primary's label makes a second primary.
	{"promotes-from-cache", with(func(i *operatorlab.Impl) { i.Promote = promoteFromCache })},
	// Forgets what the finalizer guards: lets the Database go without
	// removing its catalog entry, as if owner references cleaned it.
	{"forgets-cleanup", with(func(i *operatorlab.Impl) {
		i.Cleanup = func(ops.API, *database.Database) error { return nil }
	})},
	// Status from spec: readyReplicas is what is asked for.
	{"status-from-spec", with(func(i *operatorlab.Impl) {
		i.Status = func(db *database.Database, v database.PodView) database.Status {
			st := reference.Status(db, v)
			st.ReadyReplicas = db.Spec.Replicas
			return st
		}
	})},
	// Not idempotent: appends the address to the entry, so that a
	// failover (or a retry) leaves two addresses in it.
	{"catalog-appends", with(func(i *operatorlab.Impl) {
		i.CatalogEntry = func(current, address string) string {
			if current == "" || strings.HasSuffix(current, address) {
				return address
			}
			return current + "," + address
		}
	})},
	// Promotes before demoting: labels the target primary, then demotes
	// the old one; between the two writes there are two primaries.
	{"promotes-before-demoting", with(func(i *operatorlab.Impl) { i.Promote = promoteFirst })},
	// observedGeneration never advances: the status keeps the one it had,
	// so a reader cannot tell that a new spec has been acted on.
	{"stale-observed-generation", with(func(i *operatorlab.Impl) {
		i.Status = func(db *database.Database, v database.PodView) database.Status {
			st := reference.Status(db, v)
			st.ObservedGeneration = db.Status.ObservedGeneration
			return st
		}
	})},
}

// promoteFromCache decides and writes from the cache, unconditionally.
func promoteFromCache(o ops.API, db *database.Database, target string) error {
	cached := o.CachedPods(db)
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
		if err := o.SetRole(next, role); err != nil {
			return err
		}
	}
	p := cached.Find(target)
	if p == nil {
		return ops.Abandon("%s is not in the cache", target)
	}
	next := api.DeepCopy(db)
	next.ResourceVersion = ""
	return o.RecordPrimary(next, p)
}

// promoteFirst is the reference's promotion with the label written
// before the demotions.
func promoteFirst(o ops.API, db *database.Database, target string) error {
	live, err := o.Database(db.Namespace, db.Name)
	if err != nil {
		return err
	}
	if live.UID != db.UID || live.DeletionTimestamp != nil {
		return ops.Abandon("database %s was deleted", db.Name)
	}
	pods, err := o.Pods(live)
	if err != nil {
		return err
	}
	var chosen *api.Pod
	for _, p := range pods {
		if p.Name == target {
			chosen = p
		}
	}
	if chosen == nil || chosen.DeletionTimestamp != nil || !api.IsPodReady(chosen) {
		return ops.Abandon("%s is no longer a ready pod", target)
	}
	if err := o.RecordPrimary(live, chosen); err != nil {
		return err
	}
	if chosen.Labels[database.RoleLabel] != database.RolePrimary {
		if err := o.SetRole(chosen, database.RolePrimary); err != nil {
			return err
		}
	}
	for _, p := range pods {
		if p.Name != target && (p.Labels[database.RoleLabel] == database.RolePrimary || p.Name == live.Status.Primary) {
			if err := o.SetRole(p, database.RoleReplica); err != nil && !api.IsNotFound(err) {
				return err
			}
		}
	}
	return nil
}
