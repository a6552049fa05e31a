package namespace

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// notSyncedDelay is how long a key waits while the cache is still loading.
const notSyncedDelay = 100 * time.Millisecond

// RecheckDelay is how long the controller waits before looking again at a
// namespace whose content is still going (pods in their grace period,
// objects with finalizers). Nothing tells it when they go: it does not
// watch the content, as Kubernetes' controller does not either.
const RecheckDelay = 2 * time.Second

// Reconcile moves the namespace named by key towards its removal when it is
// being deleted, and does nothing otherwise: it deletes the namespace's
// content, records what remains in the namespace's conditions, and once
// nothing remains removes the "kubernetes" finalizer. It returns an error
// to be retried with backoff when a call failed.
//
// The cache only says which namespaces to look at; the namespace itself is
// read live and must be the one the cache saw (same uid, terminating), so
// that a stale cache cannot make the controller empty a namespace that was
// deleted and created again under the same name. When the two disagree it
// looks again later rather than drop the key: a live read served from a
// stale server must not leave a terminating namespace behind for good.
//
// Contract: called on the controller's loop, one key at a time (by the
// queue, or directly by tests).
func (c *Controller) Reconcile(key string) error {
	if !c.namespaces.HasSynced() {
		c.queue.AddAfter(key, notSyncedDelay)
		return nil
	}
	_, name := client.SplitKey(key)
	cached, ok := c.namespaces.Get("", name)
	if !ok || !terminating(cached) {
		return nil
	}
	ctx := context.Background()
	ns, err := client.For[*api.Namespace](c.client).Get(ctx, "", name)
	if err != nil && !api.IsNotFound(err) {
		return err
	}
	if err != nil || ns.UID != cached.UID || !terminating(ns) {
		// The live read and the cache disagree: one of them is behind.
		// Look again later; once the cache shows the namespace gone or
		// finalized, the check above ends it.
		c.queue.AddAfter(key, RecheckDelay)
		return nil
	}
	left := c.deleteContent(ctx, name)
	ns, err = c.report(ctx, ns, left)
	if api.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(left.errors) > 0 {
		return fmt.Errorf("namespace %s: %s", name, strings.Join(left.errors, "; "))
	}
	if left.objects > 0 {
		c.queue.AddAfter(key, RecheckDelay)
		return nil
	}
	return c.finalize(ctx, ns)
}

// terminating reports whether ns is being deleted and still waits for this
// controller.
func terminating(ns *api.Namespace) bool {
	return ns.DeletionTimestamp != nil && slices.Contains(ns.Spec.Finalizers, api.FinalizerKubernetes)
}

// remaining is what one pass over a namespace's content left behind.
type remaining struct {
	objects    int
	byResource map[string]int // "pods." or "deployments.apps" -> count
	byFinal    map[string]int // finalizer -> objects that carry it
	errors     []string       // one per kind whose list or deletes failed
}

// deleteContent deletes every object of every namespaced kind in ns (the
// built-in kinds and the custom resources, see namespacedResources) that is
// not being deleted already, each with a uid precondition (so that nothing
// created since the list is touched), and counts what is still there. An
// object that a delete only marks (a pod in its grace period, an object
// with finalizers) is still there.
func (c *Controller) deleteContent(ctx context.Context, ns string) remaining {
	left := remaining{byResource: map[string]int{}, byFinal: map[string]int{}}
	kinds, err := c.namespacedResources(ctx)
	if err != nil {
		left.errors = append(left.errors, err.Error())
	}
	for _, res := range kinds {
		h := client.Dynamic(c.client, res)
		l, err := h.List(ctx, ns, client.ListOptions{})
		if res.Custom != nil && api.IsNotFound(err) {
			// The definition went since it was read: so did its
			// objects (its cleanup deletes them first).
			continue
		}
		if err != nil {
			left.errors = append(left.errors, fmt.Sprintf("listing %s: %v", res.GroupResource(), err))
			continue
		}
		failed := 0
		var lastErr error
		for _, obj := range l.Items {
			m := obj.GetObjectMeta()
			if m.DeletionTimestamp == nil {
				out, err := h.Delete(ctx, ns, m.Name, client.DeleteOptions{UID: m.UID})
				switch {
				case api.IsNotFound(err):
					continue
				case api.IsConflict(err):
					// Replaced since the list: counted, looked at again.
				case err != nil:
					failed++
					lastErr = err
				case out.GetObjectMeta().DeletionTimestamp == nil:
					continue // deleted at once
				default:
					m = out.GetObjectMeta()
				}
			}
			left.objects++
			left.byResource[res.Plural+"."+res.Group]++
			for _, f := range m.Finalizers {
				left.byFinal[f]++
			}
		}
		if failed > 0 {
			left.errors = append(left.errors, fmt.Sprintf("deleting %d %s: %v", failed, res.GroupResource(), lastErr))
		}
	}
	sort.Strings(left.errors)
	return left
}

// finalize removes the "kubernetes" finalizer from ns through its finalize
// subresource, on the condition that ns has not changed since it was read.
// The API server removes the namespace if no other finalizer remains.
func (c *Controller) finalize(ctx context.Context, ns *api.Namespace) error {
	next := api.DeepCopy(ns)
	next.Spec.Finalizers = slices.DeleteFunc(next.Spec.Finalizers, func(f string) bool { return f == api.FinalizerKubernetes })
	body, err := json.Marshal(next)
	if err != nil {
		return err
	}
	res := api.ResourceByPlural("", "namespaces")
	_, err = c.client.Do(ctx, &rest.Request{Method: http.MethodPut, Path: client.Path(res, "", ns.Name, "finalize"),
		ContentType: rest.ContentJSON, Body: body})
	if api.IsNotFound(err) {
		return nil
	}
	return err
}
