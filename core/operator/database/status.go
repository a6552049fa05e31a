package database

import (
	"context"
	"fmt"
	"reflect"

	"github.com/tinykube/tinykube/core/api"
)

// ObservedStatus is the status db should report given its pods: only
// what was observed, never what the spec asks for. The primary is what
// the last promotion recorded (promote writes it), and Ready only when
// that pod is seen ready and labelled.
func ObservedStatus(db *Database, v PodView) Status {
	st := Status{Primary: db.Status.Primary, PrimaryUID: db.Status.PrimaryUID, ObservedGeneration: db.Generation}
	st.ReadyReplicas = int32(len(v.Ready()))
	want := db.replicas()
	p := v.Find(db.Status.Primary)
	ready := p != nil && api.IsPodReady(p) && p.Labels[RoleLabel] == RolePrimary && p.UID == db.Status.PrimaryUID
	switch {
	case !ready:
		st.Phase = PhasePending
	case st.ReadyReplicas >= want:
		st.Phase = PhaseRunning
	default:
		st.Phase = PhaseDegraded
	}
	readyMsg := "no ready primary"
	if ready {
		readyMsg = fmt.Sprintf("%s is the primary", p.Name)
	}
	st.Conditions = []api.Condition{
		condition(ConditionReady, ready, db.Generation, map[bool]string{true: "PrimaryReady", false: "NoPrimary"}[ready], readyMsg),
		condition(ConditionAvailable, st.ReadyReplicas >= want, db.Generation,
			map[bool]string{true: "AllReplicasReady", false: "ReplicasNotReady"}[st.ReadyReplicas >= want],
			fmt.Sprintf("%d of %d replicas ready", st.ReadyReplicas, want)),
	}
	return st
}

func condition(t string, ok bool, gen int64, reason, msg string) api.Condition {
	s := api.ConditionFalse
	if ok {
		s = api.ConditionTrue
	}
	return api.Condition{Type: t, Status: s, ObservedGeneration: gen, Reason: reason, Message: msg}
}

// writeStatus writes st when it differs from db's status, keeping each
// condition's lastTransitionTime unless its status changed. The write is
// conditional on db as cached, so a status computed from a stale Database
// (one whose primary a promotion has since changed) is refused.
func (c *Controller) writeStatus(ctx context.Context, db *Database, st Status) error {
	now := api.NewTime(c.loop.Now())
	for i := range st.Conditions {
		n := &st.Conditions[i]
		if old := db.Status.Condition(n.Type); old != nil && old.Status == n.Status {
			n.LastTransitionTime = old.LastTransitionTime
		} else {
			n.LastTransitionTime = *now
		}
	}
	if reflect.DeepEqual(st, db.Status) {
		return nil
	}
	db.Status = st
	_, err := c.dbs.UpdateStatus(ctx, db, writeOpts)
	return err
}
