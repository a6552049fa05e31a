package deployment

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller"
)

// Reconcile moves the Deployment named by key ("namespace/name") one step
// along its rollout and writes what it observed to its status. It is
// level-triggered: it reads the Deployment and its ReplicaSets from the
// caches and does not care which event brought it here. It returns an
// error to be retried with backoff.
//
// Contract: called on the controller's loop, one key at a time.
func (c *Controller) Reconcile(key string) error {
	if !c.pods.HasSynced() || !c.rsets.HasSynced() || !c.deploys.HasSynced() {
		c.queue.AddAfter(key, notSyncedDelay)
		return nil
	}
	ns, name := client.SplitKey(key)
	d, ok := c.deploys.Get(ns, name)
	if !ok || d.DeletionTimestamp != nil {
		return nil
	}
	sel, err := api.SelectorFromLabelSelector(d.Spec.Selector)
	if err != nil || sel.Empty() {
		// Validation should have refused it; retrying cannot help.
		c.recorder.Eventf(d, client.EventWarning, "SelectorError", "spec.selector: selects nothing or everything (%v)", err)
		return nil
	}
	owned, err := c.claim(d, sel, c.rsets.ListNamespace(ns, api.Everything()))
	if err != nil {
		return err
	}
	newRS, olds := splitNewOld(d, owned)

	hadNewRS := newRS != nil
	var rolloutErr error
	scaled := false
	all := olds
	if newRS != nil {
		all = append([]*api.ReplicaSet{newRS}, olds...)
	}
	if d.Spec.Paused || isScalingEvent(d, all) {
		// spec.replicas changed (or the rollout is paused): resize what
		// exists, proportionally, before any rollout step.
		scaled, rolloutErr = c.scale(d, newRS, olds)
	}
	switch {
	case rolloutErr != nil, scaled:
		// The writes bring the Deployment back for its next step.
	case d.Spec.Paused:
		// No rollout progress while paused.
	case d.Spec.Strategy.Type == api.StrategyRecreate:
		newRS, rolloutErr = c.rolloutRecreate(d, newRS, olds)
	default:
		newRS, rolloutErr = c.rolloutRolling(d, newRS, olds)
	}
	if rolloutErr == nil && newRS != nil && Revision(d) != Revision(newRS) {
		// The status update below must carry the revision update's
		// resourceVersion, so d is replaced by what the server returned.
		d, rolloutErr = c.syncDeploymentRevision(d, Revision(newRS))
	}
	if rolloutErr == nil {
		rolloutErr = c.cleanupHistory(d, olds)
	}
	created := !hadNewRS && newRS != nil
	if err := c.syncStatus(d, newRS, olds, created); err != nil {
		return errors.Join(rolloutErr, err)
	}
	return rolloutErr
}

// splitNewOld picks, among the ReplicaSets d controls, the one whose
// pod-template-hash is the hash of d's current template (the new one), and
// returns the others, oldest first. The new one may be nil: not created yet.
//
// Matching by hash is what makes a rollback cheap: a template copied back
// from revision 1 hashes to revision 1's ReplicaSet, which is reused.
func splitNewOld(d *api.Deployment, owned []*api.ReplicaSet) (*api.ReplicaSet, []*api.ReplicaSet) {
	hash := TemplateHash(&d.Spec.Template)
	var newRS *api.ReplicaSet
	var olds []*api.ReplicaSet
	for _, rs := range owned {
		if newRS == nil && rs.Labels[PodTemplateHashLabel] == hash && rs.DeletionTimestamp == nil {
			newRS = rs
			continue
		}
		olds = append(olds, rs)
	}
	sortOldestFirst(olds)
	return newRS, olds
}

// sortOldestFirst orders ReplicaSets by creation time, then name, as
// Kubernetes' ReplicaSetsByCreationTimestamp does.
func sortOldestFirst(rss []*api.ReplicaSet) {
	sort.SliceStable(rss, func(i, j int) bool {
		a, b := rss[i].CreationTimestamp, rss[j].CreationTimestamp
		if a != nil && b != nil && !a.Equal(b.Time) {
			return a.Before(b.Time)
		}
		return rss[i].Name < rss[j].Name
	})
}

// claim sorts the namespace's ReplicaSets into the ones d controls, fixing
// ownership on the way exactly as the ReplicaSet controller does for pods
// (controller.Claimer): keep ours that match, release ours that stopped
// matching, adopt matching orphans (after checking with the API server
// that d still exists), leave other owners' alone.
func (c *Controller) claim(d *api.Deployment, sel api.Selector, rss []*api.ReplicaSet) ([]*api.ReplicaSet, error) {
	return controller.Claimer[*api.Deployment, *api.ReplicaSet]{
		Client: c.client, Owner: d, Ref: controllerRef(d), Selector: sel, Noun: "replica set",
	}.Claim(rss)
}

func controllerRef(d *api.Deployment) api.OwnerReference {
	t := true
	return api.OwnerReference{APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name, UID: d.UID, Controller: &t, BlockOwnerDeletion: &t}
}

// ensureNewRS returns the ReplicaSet for d's current template, creating it
// (with 0 replicas; the strategy scales it) when it does not exist, and
// giving it the next revision when it is an old one being reused.
func (c *Controller) ensureNewRS(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (*api.ReplicaSet, error) {
	revision := maxRevision(olds) + 1
	var err error
	switch {
	case newRS == nil:
		newRS, err = c.createNewRS(d, revision)
		if err != nil {
			return nil, err
		}
	case Revision(newRS) < revision || newRS.Spec.MinReadySeconds != d.Spec.MinReadySeconds || changeCause(d) != changeCause(newRS):
		// An old template came back (a rollback): the same pods, a new
		// revision. Kubernetes moves the revision forward the same way.
		out := api.DeepCopy(newRS)
		if Revision(newRS) < revision {
			setRevision(&out.ObjectMeta, revision)
		}
		out.Spec.MinReadySeconds = d.Spec.MinReadySeconds
		setChangeCause(&out.ObjectMeta, changeCause(d))
		newRS, err = client.For[*api.ReplicaSet](c.client).Update(context.Background(), out, client.WriteOptions{})
		if err != nil {
			return nil, fmt.Errorf("deployment %s/%s: updating replica set %s to revision %d: %w", d.Namespace, d.Name, out.Name, revision, err)
		}
	}
	return newRS, nil
}

// createNewRS creates <deployment>-<hash> for d's template. The name is a
// function of the template, so a create issued twice (a stale cache) fails
// with AlreadyExists instead of making a second ReplicaSet; then the
// existing one is used if it is ours.
func (c *Controller) createNewRS(d *api.Deployment, revision int64) (*api.ReplicaSet, error) {
	hash := TemplateHash(&d.Spec.Template)
	tmpl := api.DeepCopy(d).Spec.Template
	tmpl.Labels = withLabel(tmpl.Labels, PodTemplateHashLabel, hash)
	sel := api.DeepCopy(d).Spec.Selector
	sel.MatchLabels = withLabel(sel.MatchLabels, PodTemplateHashLabel, hash)
	zero := int32(0)
	rs := &api.ReplicaSet{
		ObjectMeta: api.ObjectMeta{
			Name:            d.Name + "-" + hash,
			Namespace:       d.Namespace,
			Labels:          tmpl.Labels,
			OwnerReferences: []api.OwnerReference{controllerRef(d)},
		},
		Spec: api.ReplicaSetSpec{Replicas: &zero, MinReadySeconds: d.Spec.MinReadySeconds, Selector: sel, Template: tmpl},
	}
	setRevision(&rs.ObjectMeta, revision)
	setChangeCause(&rs.ObjectMeta, changeCause(d))
	setScaleAnnotations(d, &rs.ObjectMeta)
	rsets := client.For[*api.ReplicaSet](c.client)
	out, err := rsets.Create(context.Background(), rs, client.WriteOptions{})
	if api.IsAlreadyExists(err) {
		existing, gerr := rsets.Get(context.Background(), rs.Namespace, rs.Name)
		if gerr == nil && existing.IsControlledBy(d.UID) && existing.Labels[PodTemplateHashLabel] == hash {
			return existing, nil
		}
		// A hash collision (Kubernetes bumps status.collisionCount and
		// rehashes; tinykube does not).
		return nil, fmt.Errorf("deployment %s/%s: replica set %s exists and is not this template's: %w", d.Namespace, d.Name, rs.Name, err)
	}
	if err != nil {
		c.recorder.Eventf(d, client.EventWarning, "FailedCreate", "Failed to create new replica set %q: %v", rs.Name, err)
		return nil, fmt.Errorf("deployment %s/%s: creating replica set %s: %w", d.Namespace, d.Name, rs.Name, err)
	}
	return out, nil
}

func withLabel(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for mk, mv := range m {
		out[mk] = mv
	}
	out[k] = v
	return out
}

// scaleRS sets rs's replicas to n with an update conditional on the cached
// resourceVersion, records the event Kubernetes records, and keeps the
// scale annotations (scale.go) current. It is a no-op when both already
// are.
func (c *Controller) scaleRS(d *api.Deployment, rs *api.ReplicaSet, n int32) (*api.ReplicaSet, error) {
	from := replicasOf(rs)
	out := api.DeepCopy(rs)
	annotated := setScaleAnnotations(d, &out.ObjectMeta)
	if from == n && !annotated {
		return rs, nil
	}
	out.Spec.Replicas = &n
	out, err := client.For[*api.ReplicaSet](c.client).Update(context.Background(), out, client.WriteOptions{})
	if err != nil {
		return nil, fmt.Errorf("deployment %s/%s: scaling replica set %s from %d to %d: %w", d.Namespace, d.Name, rs.Name, from, n, err)
	}
	if from == n {
		return out, nil // only the annotations moved
	}
	dir := "up"
	if n < from {
		dir = "down"
	}
	c.recorder.Eventf(d, client.EventNormal, "ScalingReplicaSet", "Scaled %s replica set %s to %d from %d", dir, rs.Name, n, from)
	return out, nil
}

// replicasOf is rs's spec.replicas (1 when unset, as defaulting sets).
func replicasOf(rs *api.ReplicaSet) int32 {
	if rs.Spec.Replicas == nil {
		return 1
	}
	return *rs.Spec.Replicas
}

func desired(d *api.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}

// specTotal is the sum of the ReplicaSets' spec.replicas: the pods they
// will have once the ReplicaSet controller has caught up.
func specTotal(rss ...*api.ReplicaSet) int32 {
	var n int32
	for _, rs := range rss {
		if rs != nil {
			n += replicasOf(rs)
		}
	}
	return n
}
