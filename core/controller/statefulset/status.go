package statefulset

import (
	"context"
	"reflect"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// computeStatus counts the set's pods as seen now. Terminating pods are not
// counted. currentRevision moves to updateRevision once every replica is
// updated and ready (for both strategies; Kubernetes moves it only under
// RollingUpdate).
func computeStatus(v *view, now time.Time) api.StatefulSetStatus {
	set := v.set
	st := api.StatefulSetStatus{
		ObservedGeneration: set.Generation,
		CurrentRevision:    set.Status.CurrentRevision,
		UpdateRevision:     v.updateRev,
		CollisionCount:     set.Status.CollisionCount,
		Conditions:         set.Status.Conditions,
	}
	if st.CurrentRevision == "" {
		st.CurrentRevision = v.updateRev
	}
	for _, p := range v.owned {
		if terminating(p) {
			continue
		}
		st.Replicas++
		if runningAndReady(p) {
			st.ReadyReplicas++
			if available(p, set.Spec.MinReadySeconds, now) {
				st.AvailableReplicas++
			}
		}
		if p.Labels[RevisionLabel] == st.CurrentRevision {
			st.CurrentReplicas++
		}
		if p.Labels[RevisionLabel] == v.updateRev {
			st.UpdatedReplicas++
		}
	}
	want := int32(v.replicas)
	if st.UpdatedReplicas == want && st.ReadyReplicas == want && st.Replicas == want {
		st.CurrentRevision = v.updateRev
		st.CurrentReplicas = st.UpdatedReplicas
	}
	return st
}

// available: ready for at least minReadySeconds.
func available(p *api.Pod, minReadySeconds int32, now time.Time) bool {
	if minReadySeconds == 0 {
		return true
	}
	c := p.Status.FindCondition(api.PodReady)
	if c == nil || c.LastTransitionTime == nil {
		return false
	}
	return !now.Before(c.LastTransitionTime.Add(time.Duration(minReadySeconds) * time.Second))
}

// nextAvailable returns how long until the first ready but not yet
// available pod becomes available.
func nextAvailable(pods []*api.Pod, minReadySeconds int32, now time.Time) (time.Duration, bool) {
	var next time.Duration
	found := false
	for _, p := range pods {
		if !runningAndReady(p) || available(p, minReadySeconds, now) {
			continue
		}
		c := p.Status.FindCondition(api.PodReady)
		if c == nil || c.LastTransitionTime == nil {
			continue
		}
		d := c.LastTransitionTime.Add(time.Duration(minReadySeconds) * time.Second).Sub(now)
		if !found || d < next {
			next, found = d, true
		}
	}
	return next, found
}

// updateStatus writes the computed status if it differs from the stored
// one.
func (c *Controller) updateStatus(v *view) error {
	st := computeStatus(v, c.loop.Now())
	if reflect.DeepEqual(st, v.set.Status) {
		return nil
	}
	out := api.DeepCopy(v.set)
	out.Status = st
	_, err := client.For[*api.StatefulSet](c.client).UpdateStatus(context.Background(), out, client.WriteOptions{})
	if api.IsNotFound(err) {
		return nil
	}
	return err
}
