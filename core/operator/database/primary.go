package database

import (
	"context"
	"fmt"
	"sort"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// writeOpts are the options of every write the operator makes.
var writeOpts = client.WriteOptions{}

// PodView is a database's pods as one reconcile sees them: the live ones
// (not being deleted) in ordinal order.
type PodView struct {
	Pods []*api.Pod
}

// Ready returns the ready pods of the view, in ordinal order.
func (v PodView) Ready() []*api.Pod {
	var out []*api.Pod
	for _, p := range v.Pods {
		if api.IsPodReady(p) {
			out = append(out, p)
		}
	}
	return out
}

// Find returns the pod called name, or nil.
func (v PodView) Find(name string) *api.Pod {
	for _, p := range v.Pods {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// NewPodView keeps the pods of database db among pods that are not being
// deleted, in ordinal order.
func NewPodView(db string, pods []*api.Pod) PodView {
	var v PodView
	for _, p := range pods {
		if p.Labels[DatabaseLabel] == db && p.DeletionTimestamp == nil && ordinal(db, p.Name) >= 0 {
			v.Pods = append(v.Pods, p)
		}
	}
	sort.Slice(v.Pods, func(i, j int) bool { return ordinal(db, v.Pods[i].Name) < ordinal(db, v.Pods[j].Name) })
	return v
}

// podView is db's view from the pod cache.
func (c *Controller) podView(db *Database) PodView {
	sel := api.SelectorFromSet(map[string]string{DatabaseLabel: db.Name})
	return NewPodView(db.Name, c.podCache.ListNamespace(db.Namespace, sel))
}

// labelReplicas labels replica every pod with no role yet. Only this
// direction happens from the cache: it can never make a primary.
func (c *Controller) labelReplicas(ctx context.Context, db *Database, v PodView) error {
	for _, p := range v.Pods {
		if p.Labels[RoleLabel] != "" {
			continue
		}
		next := api.DeepCopy(p)
		next.Labels[RoleLabel] = RoleReplica
		if _, err := c.pods.Update(ctx, next, writeOpts); err != nil && !api.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// ensurePrimary decides, from the caches, whether db needs a promotion:
// it has no primary, its primary is gone, or it has been not ready for
// failoverAfter, or the recorded primary is not labelled yet. The
// promotion itself (c.hooks.Promote) re-reads everything live.
func (c *Controller) ensurePrimary(ctx context.Context, key string, db *Database, v PodView) error {
	cur := v.Find(db.Status.Primary)
	if cur != nil && db.Status.PrimaryUID != "" && cur.UID != db.Status.PrimaryUID {
		cur = nil // the primary is gone; a new pod took its name
	}
	switch {
	case cur != nil && api.IsPodReady(cur):
		delete(c.notReadySince, key)
		if cur.Labels[RoleLabel] == RolePrimary && !c.strayPrimaries(db, v) {
			return nil
		}
		// Recorded but not (only) labelled: a crash between the two
		// writes of a promotion. Finish it.
		return c.hooks.Promote(c, ctx, db, cur.Name)
	case cur != nil:
		since, ok := c.notReadySince[key]
		if !ok {
			since = c.loop.Now()
			c.notReadySince[key] = since
		}
		if wait := c.failoverAfter - c.loop.Now().Sub(since); wait > 0 {
			c.queue.AddAfter(key, wait)
			return nil
		}
	}
	target := ""
	for _, p := range v.Ready() {
		if p.Name != db.Status.Primary {
			target = p.Name
			break
		}
	}
	if target == "" && cur == nil {
		// Only a new pod under the lost primary's name is ready (one
		// replica): it is the one member there is.
		if p := v.Find(db.Status.Primary); p != nil && api.IsPodReady(p) {
			target = p.Name
		}
	}
	if target == "" {
		return nil // nobody to promote: status says not Ready
	}
	delete(c.notReadySince, key)
	c.event(db, "Normal", "Promoting", "promoting %s (the primary was %q)", target, db.Status.Primary)
	return c.hooks.Promote(c, ctx, db, target)
}

// strayPrimaries reports whether a pod other than the recorded primary
// carries the primary label in the cache.
func (c *Controller) strayPrimaries(db *Database, v PodView) bool {
	for _, p := range v.Pods {
		if p.Name != db.Status.Primary && p.Labels[RoleLabel] == RolePrimary {
			return true
		}
	}
	return false
}

// errStale says that a promotion's live read no longer supports it.
type errStale struct{ why string }

func (e errStale) Error() string {
	return "promotion abandoned: " + e.why + " (the next run decides again)"
}

// promote makes target the only primary of db, in the order that keeps
// two primaries impossible even when some read was stale:
//
//  1. read the Database and its pods live (never from the cache);
//  2. demote every other pod labelled primary, and the pod the status
//     names even when it looks unlabelled, each with a resourceVersion
//     precondition: a stale read of a pod makes its write conflict;
//  3. record target in status.primary with the Database's
//     resourceVersion as precondition: a stale read of the Database, or a
//     promotion that happened since, makes this write conflict;
//  4. label target primary, with its resourceVersion as precondition.
//
// Any failure stops the promotion; the next reconcile decides again. A
// crash between 3 and 4 leaves a recorded primary without its label,
// which ensurePrimary finishes.
func (c *Controller) promote(ctx context.Context, db *Database, target string) error {
	live, err := c.dbs.Get(ctx, db.Namespace, db.Name)
	if err != nil {
		return err
	}
	if live.UID != db.UID || live.DeletionTimestamp != nil {
		return errStale{"the database was deleted"}
	}
	list, err := c.pods.List(ctx, db.Namespace, client.ListOptions{LabelSelector: DatabaseLabel + "=" + db.Name})
	if err != nil {
		return err
	}
	var chosen *api.Pod
	for _, p := range list.Items {
		switch {
		case p.Name == target:
			chosen = p
		case p.Labels[RoleLabel] == RolePrimary || p.Name == live.Status.Primary:
			if err := c.demote(ctx, p); err != nil {
				return err
			}
		}
	}
	if chosen == nil || chosen.DeletionTimestamp != nil || !api.IsPodReady(chosen) {
		return errStale{fmt.Sprintf("%s is no longer a ready pod", target)}
	}
	live.Status.Primary, live.Status.PrimaryUID = target, chosen.UID
	if _, err := c.dbs.UpdateStatus(ctx, live, writeOpts); err != nil {
		return err
	}
	if chosen.Labels[RoleLabel] == RolePrimary {
		return nil
	}
	next := api.DeepCopy(chosen)
	if next.Labels == nil {
		next.Labels = map[string]string{}
	}
	next.Labels[RoleLabel] = RolePrimary
	_, err = c.pods.Update(ctx, next, writeOpts)
	return err
}

// demote labels p replica, conditional on p being as read: the write is
// made even when p looks like a replica already, since only a successful
// conditional write proves that the read was not stale.
func (c *Controller) demote(ctx context.Context, p *api.Pod) error {
	next := api.DeepCopy(p)
	if next.Labels == nil {
		next.Labels = map[string]string{}
	}
	next.Labels[RoleLabel] = RoleReplica
	_, err := c.pods.Update(ctx, next, writeOpts)
	return ignoreNotFound(err)
}
