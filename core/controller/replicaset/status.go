package replicaset

import (
	"context"
	"reflect"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// ReplicaFailure is the condition type set when pods cannot be created or
// deleted.
const ReplicaFailure = "ReplicaFailure"

// computeStatus derives the status from the pods rs controls, as seen now.
// manageErr, the outcome of this pass's creates and deletes, sets or clears
// the ReplicaFailure condition.
func computeStatus(rs *api.ReplicaSet, owned []*api.Pod, manageErr error, now time.Time) api.ReplicaSetStatus {
	st := api.ReplicaSetStatus{
		Replicas:           int32(len(owned)),
		ObservedGeneration: rs.Generation,
		Conditions:         append([]api.WorkloadCondition(nil), rs.Status.Conditions...),
	}
	tmplLabels := api.SelectorFromSet(rs.Spec.Template.Labels)
	for _, p := range owned {
		if tmplLabels.Matches(p.Labels) {
			st.FullyLabeledReplicas++
		}
		if api.IsPodReady(p) {
			st.ReadyReplicas++
			if isAvailable(p, rs.Spec.MinReadySeconds, now) {
				st.AvailableReplicas++
			}
		}
	}
	failure := -1
	for i, c := range st.Conditions {
		if c.Type == ReplicaFailure {
			failure = i
		}
	}
	switch {
	case manageErr != nil && failure < 0:
		reason := "FailedCreate"
		if int32(len(owned)) > *replicas(rs) {
			reason = "FailedDelete"
		}
		st.Conditions = append(st.Conditions, api.WorkloadCondition{
			Type: ReplicaFailure, Status: api.ConditionTrue, Reason: reason,
			Message: manageErr.Error(), LastTransitionTime: api.NewTime(now),
		})
	case manageErr == nil && failure >= 0:
		st.Conditions = append(st.Conditions[:failure], st.Conditions[failure+1:]...)
	}
	if len(st.Conditions) == 0 {
		st.Conditions = nil
	}
	return st
}

// isAvailable: ready, and ready for at least minReadySeconds. (Kubernetes
// asks for strictly longer; at-least lets a recheck scheduled for exactly
// that instant see the pod available.)
func isAvailable(p *api.Pod, minReadySeconds int32, now time.Time) bool {
	if !api.IsPodReady(p) {
		return false
	}
	if minReadySeconds == 0 {
		return true
	}
	c := p.Status.FindCondition(api.PodReady)
	if c.LastTransitionTime == nil {
		return false
	}
	return !now.Before(c.LastTransitionTime.Add(time.Duration(minReadySeconds) * time.Second))
}

// nextAvailable returns how long until the first ready but not yet
// available pod becomes available.
func nextAvailable(owned []*api.Pod, minReadySeconds int32, now time.Time) (time.Duration, bool) {
	var next time.Duration
	found := false
	for _, p := range owned {
		if !api.IsPodReady(p) || isAvailable(p, minReadySeconds, now) {
			continue
		}
		c := p.Status.FindCondition(api.PodReady)
		if c.LastTransitionTime == nil {
			continue
		}
		d := c.LastTransitionTime.Add(time.Duration(minReadySeconds) * time.Second).Sub(now)
		if !found || d < next {
			next, found = d, true
		}
	}
	return next, found
}

// updateStatus writes the computed status if it differs from the stored one.
func (c *Controller) updateStatus(rs *api.ReplicaSet, owned []*api.Pod, manageErr error) error {
	st := computeStatus(rs, owned, manageErr, c.loop.Now())
	if reflect.DeepEqual(st, rs.Status) {
		return nil
	}
	out := api.DeepCopy(rs)
	out.Status = st
	_, err := client.For[*api.ReplicaSet](c.client).UpdateStatus(context.Background(), out, client.WriteOptions{})
	if api.IsNotFound(err) {
		return nil
	}
	return err
}
