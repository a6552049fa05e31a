package endpoints

import (
	"context"
	"encoding/json"
	"maps"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// ManagedBy is the annotation the controller puts on the Endpoints it
// writes, with the value ManagedByValue. Only Endpoints so marked are ever
// deleted: hand-written ones, for services without a selector, are left
// alone.
const (
	ManagedBy      = "endpoints.tinykube.io/managed-by"
	ManagedByValue = "endpoint-controller"
)

// notSyncedDelay is how long a key waits when the caches are still loading.
const notSyncedDelay = 100 * time.Millisecond

// Reconcile makes the Endpoints named by key ("namespace/name") list the
// pods its service selects, creating, updating or deleting it as needed;
// when the cached Endpoints already says the right thing it writes
// nothing. It is level-triggered: it reads the whole current state from
// the caches. It returns an error to be retried with backoff — a conflict
// means our cache was behind, and the retry sees the newer object.
//
// Contract: called on the controller's loop, one key at a time (by the
// queue, or directly by tests).
func (c *Controller) Reconcile(key string) error {
	if !c.pods.HasSynced() || !c.services.HasSynced() || !c.endpoints.HasSynced() {
		c.queue.AddAfter(key, notSyncedDelay)
		return nil
	}
	ns, name := client.SplitKey(key)
	svc, ok := c.services.Get(ns, name)
	ep, have := c.endpoints.Get(ns, name)
	if !ok || !selects(svc) {
		if have && managed(ep) {
			return c.delete(ep, svc)
		}
		return nil
	}
	pods := c.pods.ListNamespace(ns, api.SelectorFromSet(svc.Spec.Selector))
	want := desired(svc, ep, Subsets(svc, pods))
	ctx := context.Background()
	res := client.For[*api.Endpoints](c.client)
	if !have {
		if _, err := res.Create(ctx, want, client.WriteOptions{}); err != nil {
			c.warn(svc, "FailedToCreateEndpoint", err, "Failed to create endpoint for service %s: %v", key, err)
			return err
		}
		return nil
	}
	if same(ep, want) {
		return nil
	}
	if _, err := res.Update(ctx, want, client.WriteOptions{}); err != nil {
		c.warn(svc, "FailedToUpdateEndpoint", err, "Failed to update endpoint %s: %v", key, err)
		return err
	}
	return nil
}

// selects reports whether svc is one whose Endpoints the controller keeps:
// it has a selector and is not an ExternalName service (a DNS alias, with
// no pods behind it). Headless services are kept too: DNS lists their
// pods.
func selects(svc *api.Service) bool {
	return len(svc.Spec.Selector) > 0 && svc.Spec.Type != api.ServiceExternalName
}

func managed(ep *api.Endpoints) bool { return ep.Annotations[ManagedBy] == ManagedByValue }

// desired is the Endpoints for svc holding subsets, built on cur (the
// cached object, nil when there is none) so that an update carries cur's
// resourceVersion and keeps annotations others set. Labels follow the
// service's, as in Kubernetes, so `get endpoints -l` finds what `get
// services -l` does. Endpoints written by hand before the service got a
// selector are taken over (and marked), as Kubernetes does.
func desired(svc *api.Service, cur *api.Endpoints, subsets []api.EndpointSubset) *api.Endpoints {
	ep := &api.Endpoints{ObjectMeta: api.ObjectMeta{Namespace: svc.Namespace, Name: svc.Name}}
	if cur != nil {
		ep.ObjectMeta = *api.DeepCopy(cur).GetObjectMeta()
	}
	ep.Labels = maps.Clone(svc.Labels)
	if ep.Annotations == nil {
		ep.Annotations = map[string]string{}
	}
	ep.Annotations[ManagedBy] = ManagedByValue
	ep.Subsets = subsets
	return ep
}

// same reports whether cur already says what want says: the same labels,
// annotations and subsets. Subsets are compared as they go on the wire, so
// a nil list and an empty one are the same.
func same(cur, want *api.Endpoints) bool {
	if !maps.Equal(cur.Labels, want.Labels) || !maps.Equal(cur.Annotations, want.Annotations) {
		return false
	}
	a, err1 := json.Marshal(cur.Subsets)
	b, err2 := json.Marshal(want.Subsets)
	return err1 == nil && err2 == nil && string(a) == string(b)
}

// delete removes managed Endpoints whose service is gone or no longer
// selects pods. The uid precondition keeps it from deleting an object
// created since the cache saw ep.
func (c *Controller) delete(ep *api.Endpoints, svc *api.Service) error {
	_, err := client.For[*api.Endpoints](c.client).Delete(context.Background(), ep.Namespace, ep.Name, client.DeleteOptions{UID: ep.UID})
	if err == nil || api.IsNotFound(err) {
		return nil
	}
	if svc != nil {
		c.warn(svc, "FailedToDeleteEndpoint", err, "Failed to delete endpoint %s: %v", client.Key(ep), err)
	}
	return err
}

// warn records a warning about svc after a write failed with err, except
// for conflicts and "already exists": those only mean the cache was
// behind, and the retry mends them.
func (c *Controller) warn(svc *api.Service, reason string, err error, format string, args ...any) {
	if c.recorder == nil || api.IsConflict(err) || api.IsAlreadyExists(err) {
		return
	}
	c.recorder.Eventf(svc, client.EventWarning, reason, format, args...)
}
