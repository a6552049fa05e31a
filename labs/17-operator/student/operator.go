// Lab 17: your code goes in this file (labs/17-operator/README.md); the
// contract comments below are the specification.

package student

import (
	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/labs/17-operator/ops"
)

// What you work with (read them before you start):
//
//   - database.Database: ObjectMeta (Namespace, Name, UID, Generation,
//     ResourceVersion, DeletionTimestamp), Spec{Replicas, ...} and
//     Status{Phase, Primary, PrimaryUID, ReadyReplicas,
//     ObservedGeneration, Conditions}, in core/operator/database/database.go.
//   - database.PodView: a database's pods (not being deleted) in ordinal
//     order, with Ready() and Find(name).
//   - A pod's role is its label database.RoleLabel: database.RolePrimary,
//     database.RoleReplica, or none yet. api.IsPodReady(pod) says whether
//     it is ready.
//   - ops.API, your access to the cluster: Database and Pods (live reads),
//     CachedPods (the informer's cache), SetRole and RecordPrimary
//     (writes conditional on the resourceVersion of what you pass them),
//     Catalog, UpdateCatalog and CreateCatalog, and ops.Abandon to give up
//     a promotion. Every read, live ones included, may be stale: only a
//     write conditional on a resourceVersion proves that what you read is
//     current.
//   - api.IsNotFound(err), api.IsConflict(err), api.IsAlreadyExists(err)
//     (core/api) tell the API server's answers apart.

// Promote makes the pod called target the only primary of db. The
// operator calls it with db as its informer cache had it, when it decided
// from its caches that db needs a new primary (none yet, the primary gone,
// or not ready for a while) or that a promotion was left half done.
//
// Contract. Two pods labelled primary at once must be impossible, even
// when every read you make, cached or live, is seconds old:
//
//  1. Read the Database live (o.Database). If it is gone, or is another
//     Database under the same name (another UID), or is being deleted,
//     give up with ops.Abandon. From here on use the live copy, never db.
//  2. Read its pods live (o.Pods). Demote (o.SetRole(p, RoleReplica))
//     every pod other than target that is labelled primary, and the pod
//     the live status names as primary even if it does not look labelled:
//     a stale read may hide its label, and only a successful conditional
//     write proves it is a replica now. A pod that is gone (NotFound) is
//     no longer a primary; any other error ends the promotion (return it).
//  3. Give up with ops.Abandon unless target is among the pods read, not
//     being deleted (DeletionTimestamp nil) and ready.
//  4. Record target as the primary (o.RecordPrimary(live, targetPod)):
//     conditional on the live Database, it fails if a promotion happened
//     since it was read, or if the read was stale. Return its error.
//  5. Last, label target primary (o.SetRole), unless it already is.
//
// Every error stops the promotion at once and is returned: the operator
// retries later and decides again. Run again after a crash at any point,
// Promote must finish the job (a crash between 4 and 5 leaves a recorded
// primary without its label; the operator calls Promote again for it).
func Promote(o ops.API, db *database.Database, target string) error {
	// LAB 17: your code here
	return ops.ErrNotImplemented
}

// Cleanup undoes, for a Database being deleted, what no owner reference
// can: its entry in the namespace's shared catalog ConfigMap
// (database.CatalogName, key = the database's name), which no Database
// owns. Only when Cleanup returns nil does the operator delete the objects
// the Database owns (its StatefulSet, Services and ConfigMap) and remove
// its finalizer, which lets the Database go.
//
// Contract:
//
//   - Read the catalog live (o.Catalog). If it is missing, create it
//     empty (o.CreateCatalog) and return that call's error: when the read
//     was stale the catalog exists, the create fails, and the operator
//     tries again.
//   - Otherwise remove the database's key from a copy of the catalog
//     (never change the object you read: api.DeepCopy, maps.Clone) and
//     write it back with o.UpdateCatalog — even when the key looks absent:
//     the read may be stale, and only the conditional write proves that
//     it was not. Return the write's error.
//   - Idempotent: run again after a crash or a lost answer, it succeeds
//     without harm.
func Cleanup(o ops.API, db *database.Database) error {
	// LAB 17: your code here
	return ops.ErrNotImplemented
}

// Status returns the status the operator writes for db, given its pods as
// view shows them. It reads only its arguments and changes neither.
//
// Contract — report only what was observed, never what the spec asks:
//
//   - Primary and PrimaryUID: db.Status's, as they are (only Promote
//     records a primary).
//   - ReadyReplicas: how many pods of view are ready.
//   - ObservedGeneration: db.Generation, the generation this status was
//     computed from.
//   - The primary is "ready" when view has a pod named db.Status.Primary
//     whose UID is db.Status.PrimaryUID, that is ready and labelled
//     primary.
//   - Phase: database.PhasePending when the primary is not ready; else
//     PhaseRunning when ReadyReplicas reaches the replicas asked for
//     (db.Spec.Replicas, or 3 when it is 0: the schema's default); else
//     PhaseDegraded.
//   - Conditions, in this order, each with ObservedGeneration
//     db.Generation and a reason (one CamelCase word): Ready (True when
//     the primary is ready), then Available (True when ReadyReplicas
//     reaches the replicas asked for). ops.Condition builds one.
func Status(db *database.Database, view database.PodView) database.Status {
	// LAB 17: your code here
	return database.Status{Phase: ops.NotImplemented}
}

// CatalogEntry returns the catalog entry to write for a database, given
// the entry there now (current, "" for none) and its primary's address.
//
// Contract: the entry names the primary now, one address. Writing it is
// idempotent: a retry after a crash or a lost answer, or a reconcile that
// runs twice, writes the same entry again.
func CatalogEntry(current, address string) string {
	// LAB 17: your code here
	return ops.NotImplemented
}
