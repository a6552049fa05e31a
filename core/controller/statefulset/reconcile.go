package statefulset

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// notSyncedDelay is how long a key waits when the caches are still loading.
const notSyncedDelay = 100 * time.Millisecond

// staleClaimDelay is how long an ordinal waits before it looks again at a
// claim the garbage collector is about to delete (no claim event names
// the set).
const staleClaimDelay = time.Second

// view is one reconcile's picture of a set: its pods by ordinal, and the
// pods it must remove.
type view struct {
	set       *api.StatefulSet
	replicas  int
	updateRev string
	slots     []*api.Pod // ordinal i < replicas -> its pod, or nil
	condemned []*api.Pod // ordinals >= replicas (or names not SET-i), highest first
	owned     []*api.Pod
}

// Reconcile moves the StatefulSet named by key ("namespace/name") one step
// towards its spec and writes what it observed to its status. It is
// level-triggered and stateless between passes: the stable pod names make
// the API server refuse a duplicate, so a cache that lags our own writes
// costs an AlreadyExists answer, never a second pod.
//
// Contract: called on the controller's loop, one key at a time.
func (c *Controller) Reconcile(key string) error {
	if !c.pods.HasSynced() || !c.sets.HasSynced() || !c.claims.HasSynced() {
		c.queue.AddAfter(key, notSyncedDelay)
		return nil
	}
	ns, name := client.SplitKey(key)
	set, ok := c.sets.Get(ns, name)
	if !ok || set.DeletionTimestamp != nil {
		return nil
	}
	v := c.look(set)
	stepErr := c.step(v)
	if err := c.updateStatus(v); err != nil {
		return errors.Join(stepErr, err)
	}
	if stepErr != nil {
		return stepErr
	}
	if d, ok := nextAvailable(v.owned, set.Spec.MinReadySeconds, c.loop.Now()); ok {
		c.queue.AddAfter(key, d)
	}
	return nil
}

// look sorts the set's pods into ordinals.
func (c *Controller) look(set *api.StatefulSet) *view {
	v := &view{set: set, replicas: int(replicasOf(set)), updateRev: revision(set)}
	v.slots = make([]*api.Pod, v.replicas)
	for _, p := range c.pods.ListNamespace(set.Namespace, api.Everything()) {
		if !p.IsControlledBy(set.UID) {
			continue
		}
		v.owned = append(v.owned, p)
		if i, ok := ordinalOf(set, p); ok && i < v.replicas {
			v.slots[i] = p
			continue
		}
		v.condemned = append(v.condemned, p)
	}
	sort.Slice(v.condemned, func(a, b int) bool {
		i, _ := ordinalOf(set, v.condemned[a])
		j, _ := ordinalOf(set, v.condemned[b])
		if i != j {
			return i > j
		}
		return v.condemned[a].Name < v.condemned[b].Name
	})
	return v
}

func replicasOf(set *api.StatefulSet) int32 {
	if set.Spec.Replicas == nil {
		return 1
	}
	return *set.Spec.Replicas
}

// step takes the actions of one pass, in Kubernetes' order: fill the
// ordinals below replicas (lowest first), then remove the condemned
// (highest first), then roll the update (highest first). Under
// OrderedReady every phase stops at the first pod that is not Running and
// Ready, so at most one pod is being created or deleted at a time.
func (c *Controller) step(v *view) error {
	ordered := v.set.Spec.PodManagementPolicy != api.ParallelPodManagement
	ctx := context.Background()
	healthy := true // every ordinal so far Running and Ready
	for i, p := range v.slots {
		if p != nil && !terminating(p) {
			if err := c.fixClaimOwners(ctx, v.set, p, i, nil); err != nil {
				return err
			}
		}
		switch {
		case p == nil:
			// Gone from the API (not merely terminating): now, and only
			// now, may the ordinal have a new pod.
			if err := c.createPod(ctx, v, i); err != nil {
				return err
			}
			healthy = false
		case terminating(p):
			healthy = false // wait for the kubelet to confirm it stopped
		case api.IsPodTerminal(p):
			// A pod that ran to an end is deleted and, once gone,
			// recreated.
			if err := c.deletePod(ctx, v, p, "failed or finished"); err != nil {
				return err
			}
			healthy = false
		case !runningAndReady(p):
			healthy = false
		}
		if ordered && !healthy {
			return nil
		}
	}
	// A condemned pod's claims get their owners first (under
	// whenScaled=Delete, the pod), so that they go with it.
	for _, p := range v.condemned {
		if i, ok := ordinalOf(v.set, p); ok {
			if err := c.fixClaimOwners(ctx, v.set, p, i, nil); err != nil {
				return err
			}
		}
	}
	// Scale down: under OrderedReady only when every other pod is Running
	// and Ready, and one at a time.
	for k, p := range v.condemned {
		if terminating(p) {
			if ordered {
				return nil
			}
			continue
		}
		if ordered && (!healthy || !allReady(v.condemned[k+1:])) {
			return nil
		}
		if err := c.deletePod(ctx, v, p, "scale down"); err != nil {
			return err
		}
		if ordered {
			return nil
		}
	}
	if !healthy || len(v.condemned) > 0 || v.set.Spec.UpdateStrategy.Type != api.StrategyRollingUpdate {
		return nil // OnDelete: a pod the user deleted was recreated above
	}
	return c.rollingUpdate(ctx, v)
}

func allReady(pods []*api.Pod) bool {
	for _, p := range pods {
		if !runningAndReady(p) {
			return false
		}
	}
	return true
}

// rollingUpdate deletes the highest ordinal at or above the partition that
// is at an old revision, but only when every pod above it is updated,
// Running and Ready: one pod at a time, from the top down. The deleted
// ordinal is recreated at the new revision by a later pass, once the old
// pod is gone.
func (c *Controller) rollingUpdate(ctx context.Context, v *view) error {
	partition := 0
	if ru := v.set.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		partition = int(*ru.Partition)
	}
	for i := v.replicas - 1; i >= partition; i-- {
		p := v.slots[i]
		if p.Labels[RevisionLabel] != v.updateRev {
			return c.deletePod(ctx, v, p, "rolling update to "+v.updateRev)
		}
		if !runningAndReady(p) {
			return nil
		}
	}
	return nil
}

// createPod creates ordinal i's claims (those missing), then its pod,
// then gives the claims the owners the retention policy wants. An
// AlreadyExists answer means our cache lags our own earlier create:
// nothing to do. A claim still owned by the ordinal's previous pod makes
// the ordinal wait (claimsStale).
func (c *Controller) createPod(ctx context.Context, v *view, i int) error {
	set := v.set
	if c.claimsStale(set, i) {
		// The garbage collector deletes the claim; look again later.
		c.queue.AddAfter(client.KeyFor(set.Namespace, set.Name), staleClaimDelay)
		return nil
	}
	fresh := map[string]*api.PersistentVolumeClaim{}
	for k := range set.Spec.VolumeClaimTemplates {
		t := &set.Spec.VolumeClaimTemplates[k]
		name := claimName(t, set, i)
		if old, ok := c.claims.Get(set.Namespace, name); ok {
			if old.DeletionTimestamp != nil {
				return fmt.Errorf("statefulset %s/%s: claim %s for pod %s is being deleted; waiting", set.Namespace, set.Name, name, podName(set, i))
			}
			continue
		}
		cl, err := client.For[*api.PersistentVolumeClaim](c.client).Create(ctx, newClaim(set, t, i), client.WriteOptions{})
		if err == nil {
			fresh[name] = cl
		}
		if err != nil && !api.IsAlreadyExists(err) {
			c.recorder.Eventf(set, client.EventWarning, "FailedCreate", "create Claim %s for Pod %s in StatefulSet %s failed error: %v", name, podName(set, i), set.Name, err)
			return fmt.Errorf("statefulset %s/%s: creating claim %s: %w", set.Namespace, set.Name, name, err)
		}
		if err == nil {
			c.recorder.Eventf(set, client.EventNormal, "SuccessfulCreate", "create Claim %s Pod %s in StatefulSet %s success", name, podName(set, i), set.Name)
		}
	}
	p, err := client.For[*api.Pod](c.client).Create(ctx, newPod(set, i, v.updateRev), client.WriteOptions{})
	switch {
	case api.IsAlreadyExists(err):
		return nil
	case err != nil:
		c.recorder.Eventf(set, client.EventWarning, "FailedCreate", "create Pod %s in StatefulSet %s failed error: %v", podName(set, i), set.Name, err)
		return fmt.Errorf("statefulset %s/%s: creating pod %s: %w", set.Namespace, set.Name, podName(set, i), err)
	}
	c.recorder.Eventf(set, client.EventNormal, "SuccessfulCreate", "create Pod %s in StatefulSet %s successful", p.Name, set.Name)
	return c.fixClaimOwners(ctx, set, p, i, fresh)
}

// deletePod deletes p gracefully, only that incarnation (uid
// precondition). The controller never force-deletes: the pod's kubelet
// confirms the deletion once its containers have stopped.
func (c *Controller) deletePod(ctx context.Context, v *view, p *api.Pod, why string) error {
	_, err := client.For[*api.Pod](c.client).Delete(ctx, p.Namespace, p.Name, client.DeleteOptions{UID: p.UID})
	if err != nil && !api.IsNotFound(err) && !api.IsConflict(err) {
		c.recorder.Eventf(v.set, client.EventWarning, "FailedDelete", "delete Pod %s in StatefulSet %s failed error: %v", p.Name, v.set.Name, err)
		return fmt.Errorf("statefulset %s/%s: deleting pod %s (%s): %w", v.set.Namespace, v.set.Name, p.Name, why, err)
	}
	if err == nil {
		c.recorder.Eventf(v.set, client.EventNormal, "SuccessfulDelete", "delete Pod %s in StatefulSet %s successful", p.Name, v.set.Name)
	}
	return nil
}
