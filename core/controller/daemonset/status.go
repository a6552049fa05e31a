package daemonset

import (
	"context"
	"reflect"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// computeStatus counts, as Kubernetes does, over the nodes in the API:
// a node that should run the pod is desired, and current if it has a live
// pod; its oldest live pod decides ready, available and updated. A node
// that should not run the pod but has one is misscheduled.
func computeStatus(ds *api.DaemonSet, hash string, byNode map[string]*nodePods, now time.Time) api.DaemonSetStatus {
	st := api.DaemonSetStatus{ObservedGeneration: ds.Generation, CollisionCount: ds.Status.CollisionCount, Conditions: ds.Status.Conditions}
	for _, np := range byNode {
		if np.node == nil {
			continue
		}
		if !np.shouldRun {
			if len(np.live) > 0 {
				st.NumberMisscheduled++
			}
			continue
		}
		st.DesiredNumberScheduled++
		if len(np.live) == 0 {
			continue
		}
		st.CurrentNumberScheduled++
		p := np.live[0]
		if api.IsPodReady(p) {
			st.NumberReady++
			if isAvailable(p, ds.Spec.MinReadySeconds, now) {
				st.NumberAvailable++
			}
		}
		if p.Labels[RevisionHashLabel] == hash {
			st.UpdatedNumberScheduled++
		}
	}
	st.NumberUnavailable = st.DesiredNumberScheduled - st.NumberAvailable
	return st
}

// nextAvailable returns how long until the first ready but not yet
// available pod becomes available.
func nextAvailable(byNode map[string]*nodePods, minReadySeconds int32, now time.Time) (time.Duration, bool) {
	var next time.Duration
	found := false
	for _, np := range byNode {
		for _, p := range np.live {
			if !api.IsPodReady(p) || isAvailable(p, minReadySeconds, now) {
				continue
			}
			cond := p.Status.FindCondition(api.PodReady)
			if cond.LastTransitionTime == nil {
				continue
			}
			d := cond.LastTransitionTime.Add(time.Duration(minReadySeconds) * time.Second).Sub(now)
			if !found || d < next {
				next, found = d, true
			}
		}
	}
	return next, found
}

// updateStatus writes the computed status if it differs from the stored one.
func (c *Controller) updateStatus(ds *api.DaemonSet, hash string, byNode map[string]*nodePods) error {
	st := computeStatus(ds, hash, byNode, c.loop.Now())
	if reflect.DeepEqual(st, ds.Status) {
		return nil
	}
	out := api.DeepCopy(ds)
	out.Status = st
	_, err := client.For[*api.DaemonSet](c.client).UpdateStatus(context.Background(), out, client.WriteOptions{})
	if api.IsNotFound(err) {
		return nil
	}
	return err
}
