package reference

import (
	"fmt"
	"maps"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/labs/17-operator/ops"
)

// Promote makes target the only primary of db: read live, demote every
// other primary (and the recorded one) with preconditions, record target
// with the Database's resourceVersion as precondition, then label it.
// (*database.Controller).promote is the operator's own.
func Promote(o ops.API, db *database.Database, target string) error {
	live, err := o.Database(db.Namespace, db.Name)
	if err != nil {
		return err
	}
	if live.UID != db.UID || live.DeletionTimestamp != nil {
		return ops.Abandon("database %s/%s was deleted", db.Namespace, db.Name)
	}
	pods, err := o.Pods(live)
	if err != nil {
		return err
	}
	var chosen *api.Pod
	for _, p := range pods {
		switch {
		case p.Name == target:
			chosen = p
		case p.Labels[database.RoleLabel] == database.RolePrimary || p.Name == live.Status.Primary:
			// Even when it looks like a replica already: only a write
			// conditional on what was read proves the read current.
			if err := o.SetRole(p, database.RoleReplica); err != nil && !api.IsNotFound(err) {
				return err
			}
		}
	}
	if chosen == nil || chosen.DeletionTimestamp != nil || !api.IsPodReady(chosen) {
		return ops.Abandon("%s is no longer a ready pod", target)
	}
	if err := o.RecordPrimary(live, chosen); err != nil {
		return err
	}
	if chosen.Labels[database.RoleLabel] == database.RolePrimary {
		return nil
	}
	return o.SetRole(chosen, database.RolePrimary)
}

// Cleanup removes db's catalog entry: a live read and a conditional
// write, made even when the entry looks absent. A catalog that reads as
// missing is created empty, which fails if it exists after all.
// (*database.Controller).unregister is the operator's own.
func Cleanup(o ops.API, db *database.Database) error {
	cm, err := o.Catalog(db.Namespace)
	if api.IsNotFound(err) {
		return o.CreateCatalog(db.Namespace)
	}
	if err != nil {
		return err
	}
	next := api.DeepCopy(cm)
	next.Data = maps.Clone(cm.Data)
	delete(next.Data, db.Name)
	return o.UpdateCatalog(next)
}

// Status is what db should report given its pods as view shows them:
// database.ObservedStatus, written out.
func Status(db *database.Database, view database.PodView) database.Status {
	st := database.Status{Primary: db.Status.Primary, PrimaryUID: db.Status.PrimaryUID, ObservedGeneration: db.Generation}
	st.ReadyReplicas = int32(len(view.Ready()))
	want := db.Spec.Replicas
	if want <= 0 {
		want = 3
	}
	p := view.Find(db.Status.Primary)
	ready := p != nil && p.UID == db.Status.PrimaryUID && api.IsPodReady(p) && p.Labels[database.RoleLabel] == database.RolePrimary
	switch {
	case !ready:
		st.Phase = database.PhasePending
	case st.ReadyReplicas >= want:
		st.Phase = database.PhaseRunning
	default:
		st.Phase = database.PhaseDegraded
	}
	readyReason, readyMsg := "NoPrimary", "no ready primary"
	if ready {
		readyReason, readyMsg = "PrimaryReady", p.Name+" is the primary"
	}
	all := st.ReadyReplicas >= want
	allReason := "ReplicasNotReady"
	if all {
		allReason = "AllReplicasReady"
	}
	st.Conditions = []api.Condition{
		ops.Condition(database.ConditionReady, ready, db.Generation, readyReason, readyMsg),
		ops.Condition(database.ConditionAvailable, all, db.Generation, allReason, fmt.Sprintf("%d of %d replicas ready", st.ReadyReplicas, want)),
	}
	return st
}

// CatalogEntry is the entry to write: the primary's address, whatever
// was there.
func CatalogEntry(current, address string) string { return address }
