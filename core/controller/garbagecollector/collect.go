package garbagecollector

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// Reconcile acts on the object of uid, from what the graph says now:
// an owner being deleted with the orphan or foregroundDeletion finalizer
// gets that policy carried out; any other object not being deleted is
// deleted when none of its owners exists any more. It returns an error to
// be retried with backoff.
//
// Contract: called on the collector's loop, one uid at a time.
func (c *Controller) Reconcile(uid string) error {
	if !c.synced() {
		c.queue.AddAfter(uid, notSyncedDelay)
		return nil
	}
	n := c.graph.nodes[uid]
	if n == nil {
		return nil
	}
	if n.deleting {
		switch {
		case n.hasFinalizer(FinalizerOrphan):
			return c.orphanDependents(n)
		case n.hasFinalizer(FinalizerForeground):
			return c.deleteDependentsFirst(n)
		}
		// Going anyway: its dependents are looked at once it is gone.
		return nil
	}
	return c.collectIfOrphaned(n)
}

// collectIfOrphaned deletes n when none of its owners exists, and drops
// the references to missing owners when some still exist.
func (c *Controller) collectIfOrphaned(n *node) error {
	if len(n.owners) == 0 {
		return nil
	}
	var dangling []string
	recheck := false
	for i := range n.owners {
		ref := &n.owners[i]
		exists, err := c.ownerExists(n, ref)
		if err != nil {
			return err
		}
		if !exists {
			dangling = append(dangling, ref.UID)
		} else if c.graph.nodes[ref.UID] == nil && c.kinds.resourceFor(ref.APIVersion, ref.Kind) != nil {
			recheck = true
		}
	}
	switch {
	case len(dangling) == 0:
		if recheck {
			// The API has an owner the graph lacks (Kubernetes' "virtual
			// node"): the informer lags, does not watch the kind, or the
			// API's answer was stale. Nothing may signal the owner's
			// deletion, so look again later.
			c.queue.AddAfter(n.uid, virtualRecheck)
		}
		return nil
	case len(dangling) == len(n.owners):
		return c.delete(n, "Background")
	default:
		return c.removeOwnerRefs(n, dangling)
	}
}

// ownerExists reports whether the owner ref names exists with its uid, in
// the dependent's namespace (or cluster-wide). The graph answers yes at
// once; otherwise the API is asked, since the informer of the owner's kind
// may lag its creation (or not watch the kind at all). The kind resolves
// through the built-in kinds and the custom resources of the definitions
// the collector follows. A reference to a kind whose definition the
// collector saw deleted names an owner that is gone (a definition goes
// only once its objects have); any other reference the collector cannot
// resolve (an unknown kind, or a definition it has not seen yet) is taken
// to exist: nothing is deleted on a guess.
//
// The API is asked with a list (of the one name), whose resourceVersion
// says which revision answered. The owner existed when the dependent's
// reference to it was written, so at or before the dependent's version n.rv:
// a read at a revision before that (a lagging or time-travelling API
// cache) cannot show that the owner is gone, and is retried.
func (c *Controller) ownerExists(n *node, ref *api.OwnerReference) (bool, error) {
	res := c.kinds.resourceFor(ref.APIVersion, ref.Kind)
	if res == nil {
		return !c.kinds.definitionGone(ref.APIVersion, ref.Kind), nil
	}
	ns := ""
	if res.Namespaced {
		if n.namespace == "" {
			// A cluster-scoped object cannot be owned by a namespaced one:
			// the reference is dangling, as Kubernetes says in an event.
			c.warnInvalidNamespace(n, ref)
			return false, nil
		}
		ns = n.namespace
	}
	if o := c.graph.nodes[ref.UID]; o != nil {
		// Owners are in their dependents' namespace: a uid found in
		// another one is not this reference's owner.
		return o.namespace == ns, nil
	}
	l, err := client.Dynamic(c.client, res).List(context.Background(), ns, client.ListOptions{FieldSelector: "metadata.name=" + ref.Name})
	if err != nil {
		return false, err
	}
	for _, o := range l.Items {
		if o.GetObjectMeta().UID == ref.UID {
			return true, nil
		}
	}
	if rv, _ := strconv.ParseInt(l.ResourceVersion, 10, 64); rv < n.rv {
		return false, fmt.Errorf("the API answered for %s %s/%s at revision %d, before the revision %d of its dependent %s %s: not trusting that it is gone",
			res.Kind, ns, ref.Name, rv, n.rv, n.res.Kind, n.name)
	}
	return false, nil
}

// orphanDependents removes owner from the ownerReferences of its
// dependents, then removes the orphan finalizer, which lets the API server
// delete the owner.
func (c *Controller) orphanDependents(owner *node) error {
	for _, d := range c.graph.dependentsOf(owner.uid) {
		if err := c.removeOwnerRefs(d, []string{owner.uid}); err != nil {
			return err
		}
	}
	return c.removeFinalizer(owner, FinalizerOrphan)
}

// deleteDependentsFirst deletes the dependents of owner (in the
// foreground too when they have dependents of their own), and removes the
// foregroundDeletion finalizer once no dependent that blocks owner
// deletion is left.
func (c *Controller) deleteDependentsFirst(owner *node) error {
	waiting := 0
	for _, d := range c.graph.dependentsOf(owner.uid) {
		if ref := d.refTo(owner.uid); ref != nil && blocks(ref) {
			waiting++
		}
		if d.deleting {
			continue
		}
		policy := "Background"
		if len(c.graph.dependentsOf(d.uid)) > 0 {
			policy = "Foreground"
		}
		if err := c.delete(d, policy); err != nil {
			return err
		}
	}
	if waiting > 0 {
		// The dependents' deletions re-enqueue the owner.
		return nil
	}
	return c.removeFinalizer(owner, FinalizerForeground)
}

// deleteOptions is the body of the collector's deletes.
type deleteOptions struct {
	APIVersion        string `json:"apiVersion"`
	Kind              string `json:"kind"`
	PropagationPolicy string `json:"propagationPolicy"`
	Preconditions     struct {
		UID             string `json:"uid"`
		ResourceVersion string `json:"resourceVersion,omitempty"`
	} `json:"preconditions"`
}

// delete deletes n with policy, on the condition that it is still the
// object of n's uid, at the version the graph saw. An object already gone,
// or replaced, is no error. One changed since is retried (by then the
// graph has its change, and may decide otherwise). Without the version, a
// graph that has seen an owner go but not yet the dependent's update that
// released it — two informers, each with its own lag — deletes an object
// that was just orphaned on purpose.
func (c *Controller) delete(n *node, policy string) error {
	o := deleteOptions{APIVersion: "v1", Kind: "DeleteOptions", PropagationPolicy: policy}
	o.Preconditions.UID = n.uid
	if n.rv > 0 {
		o.Preconditions.ResourceVersion = strconv.FormatInt(n.rv, 10)
	}
	body, err := json.Marshal(o)
	if err != nil {
		return err
	}
	_, err = c.client.Do(context.Background(), &rest.Request{Method: http.MethodDelete,
		Path: client.Path(n.res, n.namespace, n.name, ""), ContentType: rest.ContentJSON, Body: body})
	switch {
	case api.IsNotFound(err):
		return nil
	case api.IsConflict(err):
		// Replaced (a new uid), or changed: the retry finds the old uid
		// gone from the graph, or the new version in it.
		return fmt.Errorf("%s %s/%s changed since the graph saw it (revision %d); not deleted: %w", n.res.Kind, n.namespace, n.name, n.rv, err)
	}
	return err
}

// removeOwnerRefs drops the references to the owner uids from the live
// object of n (read again, so the write is against its latest version; a
// conflict is retried by the queue).
func (c *Controller) removeOwnerRefs(n *node, uids []string) error {
	return c.rewrite(n, func(m *api.ObjectMeta) bool {
		var keep []api.OwnerReference
		for _, ref := range m.OwnerReferences {
			drop := false
			for _, u := range uids {
				drop = drop || ref.UID == u
			}
			if !drop {
				keep = append(keep, ref)
			}
		}
		changed := len(keep) != len(m.OwnerReferences)
		m.OwnerReferences = keep
		return changed
	})
}

// removeFinalizer removes fin from the live object of n.
func (c *Controller) removeFinalizer(n *node, fin string) error {
	return c.rewrite(n, func(m *api.ObjectMeta) bool {
		var keep []string
		for _, f := range m.Finalizers {
			if f != fin {
				keep = append(keep, f)
			}
		}
		changed := len(keep) != len(m.Finalizers)
		m.Finalizers = keep
		return changed
	})
}

// rewrite reads n's object, lets change edit its metadata, and writes it
// back when change reports a change. Gone or replaced objects are left.
func (c *Controller) rewrite(n *node, change func(*api.ObjectMeta) bool) error {
	r := client.Dynamic(c.client, n.res)
	ctx := context.Background()
	obj, err := r.Get(ctx, n.namespace, n.name)
	if api.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if obj.GetObjectMeta().UID != n.uid || !change(obj.GetObjectMeta()) {
		return nil
	}
	_, err = r.Update(ctx, obj, client.WriteOptions{})
	if api.IsNotFound(err) {
		return nil
	}
	return err
}

// warnInvalidNamespace records, on the dependent, that one of its
// ownerReferences cannot resolve. It is the collector's one event.
func (c *Controller) warnInvalidNamespace(n *node, ref *api.OwnerReference) {
	if c.recorder == nil {
		return
	}
	obj := n.res.New()
	m := obj.GetObjectMeta()
	m.Name, m.Namespace, m.UID = n.name, n.namespace, n.uid
	c.recorder.Eventf(obj, client.EventWarning, "OwnerRefInvalidNamespace",
		"ownerRef [%s/%s, namespace: , name: %s, uid: %s] does not exist in namespace %q: a cluster-scoped object cannot be owned by a namespaced %s",
		ref.APIVersion, ref.Kind, ref.Name, ref.UID, n.namespace, ref.Kind)
}
