package disruption

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// notSyncedDelay is how long a key waits when the caches are still loading.
const notSyncedDelay = 100 * time.Millisecond

// Reconcile recomputes the status of the budget named by key
// ("namespace/name") from the caches and writes it when it changed. The
// write is an update of /status carrying the cached resourceVersion: an
// eviction that spent the budget since makes it a Conflict, and the retry
// counts again from a cache that has seen the eviction. When the budget
// cannot be computed (a pod's controller is unknown) it fails safe:
// disruptionsAllowed 0, condition SyncFailed.
//
// Contract: called on the controller's loop, one key at a time (by the
// queue, or directly by tests).
func (c *Controller) Reconcile(key string) error {
	if !c.pdbs.HasSynced() || !c.pods.HasSynced() || !c.replicaSets.HasSynced() || !c.deployments.HasSynced() || !c.statefulSets.HasSynced() {
		c.queue.AddAfter(key, notSyncedDelay)
		return nil
	}
	ns, name := client.SplitKey(key)
	pdb, ok := c.pdbs.Get(ns, name)
	if !ok || pdb.DeletionTimestamp != nil {
		return nil
	}
	var pods []*api.Pod
	for _, p := range c.pods.ListNamespace(ns, api.Everything()) {
		if pdb.Covers(p) {
			pods = append(pods, p)
		}
	}
	now := c.loop.Now()
	next := api.DeepCopy(pdb)
	expected, desired, err := Expect(pdb, pods, c.scaleOf)
	if err != nil {
		next.Status.DisruptionsAllowed = 0
		next.Status.ObservedGeneration = pdb.Generation
		setSyncFailed(&next.Status, pdb.Generation, err, now)
		if c.recorder != nil {
			c.recorder.Eventf(pdb, client.EventWarning, "CalculateExpectedPodCountFailed", "Failed to calculate the number of expected pods: %v", err)
		}
	} else {
		healthy, kept, recheck := Healthy(pods, pdb.Status.DisruptedPods, now)
		next.Status = api.PodDisruptionBudgetStatus{
			ObservedGeneration: pdb.Generation,
			DisruptedPods:      kept,
			ExpectedPods:       expected,
			DesiredHealthy:     desired,
			CurrentHealthy:     healthy,
			DisruptionsAllowed: c.allowed(Counts{Expected: expected, Desired: desired, Healthy: healthy}),
			Conditions:         next.Status.Conditions,
		}
		api.SetDisruptionAllowed(&next.Status, pdb.Generation, now)
		if !recheck.IsZero() {
			c.queue.AddAfter(key, recheck.Sub(now))
		}
	}
	if sameStatus(pdb.Status, next.Status) {
		return nil
	}
	_, err = client.For[*api.PodDisruptionBudget](c.client).UpdateStatus(context.Background(), next, client.WriteOptions{})
	return err
}

// scaleOf resolves pod's controller to the replicas it wants: a
// ReplicaSet owned by a Deployment answers with the Deployment's scale.
func (c *Controller) scaleOf(pod *api.Pod) (string, int32, bool) {
	ref := pod.ControllerRef()
	if ref == nil || !strings.HasPrefix(ref.APIVersion, "apps/") {
		return "", 0, false
	}
	switch ref.Kind {
	case "ReplicaSet":
		rs, ok := c.replicaSets.Get(pod.Namespace, ref.Name)
		if !ok || rs.UID != ref.UID {
			return "", 0, false
		}
		if dref := rs.ControllerRef(); dref != nil && dref.Kind == "Deployment" {
			d, ok := c.deployments.Get(pod.Namespace, dref.Name)
			if !ok || d.UID != dref.UID {
				return "", 0, false
			}
			return string(d.UID), replicas(d.Spec.Replicas), true
		}
		return string(rs.UID), replicas(rs.Spec.Replicas), true
	case "StatefulSet":
		ss, ok := c.statefulSets.Get(pod.Namespace, ref.Name)
		if !ok || ss.UID != ref.UID {
			return "", 0, false
		}
		return string(ss.UID), replicas(ss.Spec.Replicas), true
	}
	return "", 0, false
}

func replicas(n *int32) int32 {
	if n == nil {
		return 1
	}
	return *n
}

// setSyncFailed sets the DisruptionAllowed condition to False, SyncFailed.
func setSyncFailed(st *api.PodDisruptionBudgetStatus, generation int64, err error, now time.Time) {
	c := api.Condition{Type: api.DisruptionAllowedCondition, Status: api.ConditionFalse, Reason: api.SyncFailedReason, Message: err.Error(), ObservedGeneration: generation, LastTransitionTime: *api.NewTime(now)}
	for i := range st.Conditions {
		if st.Conditions[i].Type == c.Type {
			if st.Conditions[i].Status == c.Status {
				c.LastTransitionTime = st.Conditions[i].LastTransitionTime
			}
			st.Conditions[i] = c
			return
		}
	}
	st.Conditions = append(st.Conditions, c)
}

// sameStatus compares two statuses as they go on the wire.
func sameStatus(a, b api.PodDisruptionBudgetStatus) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}
