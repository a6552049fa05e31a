package deployment

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// Deployment condition types.
const (
	Available   = "Available"
	Progressing = "Progressing"
)

// Condition reasons, Kubernetes' words.
const (
	ReasonMinimumReplicasAvailable   = "MinimumReplicasAvailable"
	ReasonMinimumReplicasUnavailable = "MinimumReplicasUnavailable"
	ReasonNewReplicaSetCreated       = "NewReplicaSetCreated"
	ReasonFoundNewReplicaSet         = "FoundNewReplicaSet"
	ReasonReplicaSetUpdated          = "ReplicaSetUpdated"
	ReasonNewReplicaSetAvailable     = "NewReplicaSetAvailable"
	ReasonProgressDeadlineExceeded   = "ProgressDeadlineExceeded"
	ReasonDeploymentPaused           = "DeploymentPaused"
	ReasonDeploymentResumed          = "DeploymentResumed"
)

// computeStatus derives d's status from its ReplicaSets as cached, and
// the Progressing condition from how that status moved since the stored
// one (Kubernetes' calculateStatus and syncRolloutStatus).
func computeStatus(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet, created bool, now time.Time) api.DeploymentStatus {
	all := append([]*api.ReplicaSet{newRS}, olds...)
	st := api.DeploymentStatus{
		ObservedGeneration: d.Generation,
		Conditions:         append([]api.WorkloadCondition(nil), d.Status.Conditions...),
		CollisionCount:     d.Status.CollisionCount,
	}
	var specSum int32
	for _, rs := range all {
		if rs == nil {
			continue
		}
		st.Replicas += rs.Status.Replicas
		st.ReadyReplicas += rs.Status.ReadyReplicas
		st.AvailableReplicas += rs.Status.AvailableReplicas
		specSum += replicasOf(rs)
	}
	if newRS != nil {
		st.UpdatedReplicas = newRS.Status.Replicas
	}
	st.UnavailableReplicas = max(0, specSum-st.AvailableReplicas)

	_, maxUnavailable := bounds(d)
	if st.AvailableReplicas >= desired(d)-maxUnavailable {
		setCondition(&st, Available, api.ConditionTrue, ReasonMinimumReplicasAvailable, "Deployment has minimum availability.", now)
	} else {
		setCondition(&st, Available, api.ConditionFalse, ReasonMinimumReplicasUnavailable, "Deployment does not have minimum availability.", now)
	}

	rsName := ""
	if newRS != nil {
		rsName = newRS.Name
	}
	cur := findCondition(st.Conditions, Progressing)
	switch {
	case d.Spec.Paused:
		setCondition(&st, Progressing, api.ConditionUnknown, ReasonDeploymentPaused, "Deployment is paused", now)
		return finish(st)
	case cur != nil && cur.Reason == ReasonDeploymentPaused:
		setCondition(&st, Progressing, api.ConditionUnknown, ReasonDeploymentResumed, "Deployment is resumed", now)
	case created:
		setCondition(&st, Progressing, api.ConditionTrue, ReasonNewReplicaSetCreated, fmt.Sprintf("Created new replica set %q", rsName), now)
		return finish(st)
	case cur == nil && newRS != nil:
		setCondition(&st, Progressing, api.ConditionTrue, ReasonFoundNewReplicaSet, fmt.Sprintf("Found new replica set %q", rsName), now)
		return finish(st)
	}
	cur = findCondition(st.Conditions, Progressing)
	if st.Replicas == st.UpdatedReplicas && cur != nil && cur.Reason == ReasonNewReplicaSetAvailable {
		return finish(st) // complete, and said so already
	}
	switch {
	case complete(d, &st):
		setCondition(&st, Progressing, api.ConditionTrue, ReasonNewReplicaSetAvailable, fmt.Sprintf("ReplicaSet %q has successfully progressed.", rsName), now)
	case progressed(&d.Status, &st):
		// Progress moves lastUpdateTime even when the reason stays: the
		// deadline counts from the last progress, not the first.
		setCondition(&st, Progressing, api.ConditionTrue, ReasonReplicaSetUpdated, fmt.Sprintf("ReplicaSet %q is progressing.", rsName), now)
		if c := findCondition(st.Conditions, Progressing); c != nil {
			c.LastUpdateTime = api.NewTime(now)
		}
	case timedOut(d, cur, now):
		setCondition(&st, Progressing, api.ConditionFalse, ReasonProgressDeadlineExceeded, fmt.Sprintf("ReplicaSet %q has timed out progressing.", rsName), now)
	}
	return finish(st)
}

func finish(st api.DeploymentStatus) api.DeploymentStatus {
	if len(st.Conditions) == 0 {
		st.Conditions = nil
	}
	return st
}

// complete: every replica is updated and available, and the status is
// about the current spec.
func complete(d *api.Deployment, st *api.DeploymentStatus) bool {
	n := desired(d)
	return st.UpdatedReplicas == n && st.Replicas == n && st.AvailableReplicas == n && st.ObservedGeneration >= d.Generation
}

// progressed: more updated, ready or available pods, or fewer old ones.
func progressed(old, st *api.DeploymentStatus) bool {
	return st.UpdatedReplicas > old.UpdatedReplicas ||
		st.Replicas-st.UpdatedReplicas < old.Replicas-old.UpdatedReplicas ||
		st.ReadyReplicas > old.ReadyReplicas ||
		st.AvailableReplicas > old.AvailableReplicas
}

// timedOut: no progress recorded for progressDeadlineSeconds.
func timedOut(d *api.Deployment, cur *api.WorkloadCondition, now time.Time) bool {
	at, ok := deadline(d, cur)
	return ok && now.After(at)
}

// deadline is when a rollout whose Progressing condition is cur times out.
func deadline(d *api.Deployment, cur *api.WorkloadCondition) (time.Time, bool) {
	if d.Spec.ProgressDeadlineSeconds == nil || cur == nil || cur.LastUpdateTime == nil ||
		cur.Status != api.ConditionTrue || cur.Reason == ReasonNewReplicaSetAvailable {
		return time.Time{}, false
	}
	return cur.LastUpdateTime.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds) * time.Second), true
}

func findCondition(cs []api.WorkloadCondition, typ string) *api.WorkloadCondition {
	for i := range cs {
		if cs[i].Type == typ {
			return &cs[i]
		}
	}
	return nil
}

// setCondition sets a condition as Kubernetes' SetDeploymentCondition
// does: the same status and reason change nothing; the same status keeps
// its lastTransitionTime.
func setCondition(st *api.DeploymentStatus, typ string, status api.ConditionStatus, reason, msg string, now time.Time) {
	cur := findCondition(st.Conditions, typ)
	if cur != nil && cur.Status == status && cur.Reason == reason {
		return
	}
	c := api.WorkloadCondition{Type: typ, Status: status, Reason: reason, Message: msg,
		LastUpdateTime: api.NewTime(now), LastTransitionTime: api.NewTime(now)}
	if cur != nil {
		if cur.Status == status {
			c.LastTransitionTime = cur.LastTransitionTime
		}
		*cur = c
		return
	}
	st.Conditions = append(st.Conditions, c)
}

// syncStatus writes the computed status if it changed, and asks to be
// woken at the progress deadline of a rollout still under way.
func (c *Controller) syncStatus(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet, created bool) error {
	now := c.loop.Now()
	st := computeStatus(d, newRS, olds, created, now)
	if at, ok := deadline(d, findCondition(st.Conditions, Progressing)); ok && !complete(d, &st) {
		// One second past: api.Time has whole seconds, and timedOut wants
		// strictly after.
		c.queue.AddAfter(client.Key(d), at.Sub(now)+time.Second)
	}
	if reflect.DeepEqual(st, d.Status) {
		return nil
	}
	out := api.DeepCopy(d)
	out.Status = st
	_, err := client.For[*api.Deployment](c.client).UpdateStatus(context.Background(), out, client.WriteOptions{})
	if api.IsNotFound(err) {
		return nil
	}
	return err
}
