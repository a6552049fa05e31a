package replicaset

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// BurstReplicas caps the pods one reconcile creates or deletes, as
// Kubernetes' --replicaset-burst (500) does: a ReplicaSet scaled to 10000
// converges over several passes instead of flooding the API in one.
const BurstReplicas = 500

// notSyncedDelay is how long a key waits when the caches are still loading.
const notSyncedDelay = 100 * time.Millisecond

// Reconcile brings the ReplicaSet named by key ("namespace/name") one step
// towards its spec and writes what it observed to its status. It is
// level-triggered: it reads the whole current state from the caches and
// does not care which event brought it here. It returns an error to be
// retried with backoff.
//
// Contract: called on the controller's loop, one key at a time (by the
// queue, or directly by tests).
func (c *Controller) Reconcile(key string) error {
	if !c.pods.HasSynced() || !c.rsets.HasSynced() {
		c.queue.AddAfter(key, notSyncedDelay)
		return nil
	}
	ns, name := client.SplitKey(key)
	rs, ok := c.rsets.Get(ns, name)
	if !ok {
		c.exp.Forget(key)
		return nil
	}
	if rs.DeletionTimestamp != nil {
		return nil
	}
	sel, err := api.SelectorFromLabelSelector(rs.Spec.Selector)
	if err != nil {
		// Validation should have refused it; retrying cannot help.
		c.recorder.Eventf(rs, client.EventWarning, "InvalidSelector", "spec.selector: %v", err)
		return nil
	}
	// Ask before listing: an expectation met between the two would make us
	// act on a list that predates the pods that met it.
	satisfied := c.exp.Satisfied(key)

	var active []*api.Pod
	for _, p := range c.pods.ListNamespace(ns, api.Everything()) {
		if api.IsPodActive(p) { // finished and terminating pods do not count
			active = append(active, p)
		}
	}
	owned, err := c.claim(rs, sel, active)
	if err != nil {
		return err
	}

	var manageErr error
	if satisfied {
		manageErr = c.manage(key, rs, owned)
	}
	if err := c.updateStatus(rs, owned, manageErr); err != nil {
		return errors.Join(manageErr, err)
	}
	if manageErr != nil {
		return manageErr
	}
	if d, ok := nextAvailable(owned, rs.Spec.MinReadySeconds, c.loop.Now()); ok {
		c.queue.AddAfter(key, d)
	}
	return nil
}

// manage creates or deletes pods so that len(owned) moves to spec.replicas,
// as Diff (or Config.Diff) decides, at most BurstReplicas in one pass.
func (c *Controller) manage(key string, rs *api.ReplicaSet, owned []*api.Pod) error {
	create, victims := c.diff(rs, owned)
	switch {
	case create > 0:
		return c.create(key, rs, min(create, BurstReplicas))
	case len(victims) > 0:
		return c.deleteSurplus(key, rs, victims[:min(len(victims), BurstReplicas)])
	}
	return nil
}

// Diff is the decision of one reconcile step: owned are the active pods
// rs owns; it returns how many pods to create, or which of them to delete,
// the least valuable first (see surplus). It changes nothing.
func Diff(rs *api.ReplicaSet, owned []*api.Pod) (create int, victims []*api.Pod) {
	diff := len(owned) - int(*replicas(rs))
	switch {
	case diff < 0:
		return -diff, nil
	case diff > 0:
		return 0, surplus(owned, diff)
	}
	return 0, nil
}

func replicas(rs *api.ReplicaSet) *int32 {
	if rs.Spec.Replicas == nil {
		one := int32(1)
		return &one
	}
	return rs.Spec.Replicas
}

// create makes n pods in slow-start batches of 1, 2, 4, …: if the first
// creations fail (a quota, an admission webhook, a bad template), the
// controller finds out after one call instead of n. A batch stops at its
// first error and no further batch starts; every create not issued or
// failed is taken off the expectations at once, because no pod will ever
// appear for it.
func (c *Controller) create(key string, rs *api.ReplicaSet, n int) error {
	c.exp.ExpectCreations(key, n)
	tmpl := api.DeepCopy(rs).Spec.Template
	ctx := context.Background()
	pods := client.For[*api.Pod](c.client)
	done := 0
	for batch := 1; done < n; batch *= 2 {
		size := min(batch, n-done)
		for i := 0; i < size; i++ {
			p, err := pods.Create(ctx, podFromTemplate(rs, &tmpl), client.WriteOptions{})
			if err != nil {
				done += i
				for range n - done {
					c.exp.CreationObserved(key)
				}
				c.recorder.Eventf(rs, client.EventWarning, "FailedCreate", "Error creating: %v", err)
				return fmt.Errorf("replicaset %s: creating pod %d of %d: %w", key, done+1, n, err)
			}
			c.recorder.Eventf(rs, client.EventNormal, "SuccessfulCreate", "Created pod: %s", p.Name)
		}
		done += size
	}
	return nil
}

// podFromTemplate is the pod a ReplicaSet stamps out: the template's labels,
// annotations and spec, a generated name and a controller reference back.
func podFromTemplate(rs *api.ReplicaSet, tmpl *api.PodTemplateSpec) *api.Pod {
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{
			GenerateName:    rs.Name + "-",
			Namespace:       rs.Namespace,
			Labels:          tmpl.Labels,
			Annotations:     tmpl.Annotations,
			OwnerReferences: []api.OwnerReference{controllerRef(rs)},
		},
		Spec: tmpl.Spec,
	}
}

func controllerRef(rs *api.ReplicaSet) api.OwnerReference {
	t := true
	return api.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: &t, BlockOwnerDeletion: &t}
}

// deleteSurplus deletes victims, pods of rs.
func (c *Controller) deleteSurplus(key string, rs *api.ReplicaSet, victims []*api.Pod) error {
	podKeys := make([]string, len(victims))
	for i, p := range victims {
		podKeys[i] = client.Key(p)
	}
	c.exp.ExpectDeletions(key, podKeys)
	ctx := context.Background()
	pods := client.For[*api.Pod](c.client)
	var errs []error
	for _, p := range victims {
		_, err := pods.Delete(ctx, p.Namespace, p.Name, client.DeleteOptions{UID: p.UID})
		if err != nil {
			// No deletion will be observed for it: stop waiting for one.
			c.exp.DeletionObserved(key, client.Key(p))
			if api.IsNotFound(err) {
				continue // gone already: that is what we wanted
			}
			c.recorder.Eventf(rs, client.EventWarning, "FailedDelete", "Error deleting: %v", err)
			errs = append(errs, fmt.Errorf("replicaset %s: deleting pod %s: %w", key, p.Name, err))
			continue
		}
		c.recorder.Eventf(rs, client.EventNormal, "SuccessfulDelete", "Deleted pod: %s", p.Name)
	}
	return errors.Join(errs...)
}
