package volumebinder

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// Reconcile syncs the claim or volume a queue key names. An error sends
// the key back to the queue, which retries with back-off.
func (c *Controller) Reconcile(key string) error {
	if !c.synced() {
		return fmt.Errorf("caches not loaded yet")
	}
	if name, ok := strings.CutPrefix(key, volumePrefix); ok {
		return c.syncVolume(name)
	}
	return c.syncClaim(strings.TrimPrefix(key, claimPrefix))
}

// syncClaim moves one claim towards Bound: it protects it, binds it when
// it names no volume, or finishes and checks its binding when it does.
func (c *Controller) syncClaim(key string) error {
	ns, name := client.SplitKey(key)
	pvc, ok := c.claims.Get(ns, name)
	if !ok {
		return nil // the volume's sync releases what it held
	}
	if pvc.DeletionTimestamp != nil {
		return c.unprotect(pvc)
	}
	if !pvc.HasFinalizer(api.ClaimProtectionFinalizer) {
		next := api.DeepCopy(pvc)
		next.Finalizers = append(next.Finalizers, api.ClaimProtectionFinalizer)
		_, err := client.For[*api.PersistentVolumeClaim](c.client).Update(context.Background(), next, client.WriteOptions{})
		return err // the update brings the claim back to the queue
	}
	if pvc.Spec.VolumeName == "" {
		return c.bindUnbound(pvc)
	}
	return c.syncBoundClaim(pvc)
}

// class returns the claim's StorageClass, or nil (no class, or one that
// does not exist).
func (c *Controller) class(pvc *api.PersistentVolumeClaim) *api.StorageClass {
	name := api.ClaimClass(pvc)
	if name == "" {
		return nil
	}
	sc, _ := c.classes.Get("", name)
	return sc
}

// bindUnbound finds a volume for a claim that names none, or asks its
// class's provisioner for one. A WaitForFirstConsumer claim waits until
// the scheduler has chosen a node for its first pod, and then takes only
// volumes usable from that node.
func (c *Controller) bindUnbound(pvc *api.PersistentVolumeClaim) error {
	sc := c.class(pvc)
	var node *api.Node
	if api.BindingMode(sc) == api.BindingWaitForFirstConsumer {
		sel := pvc.Annotations[api.AnnSelectedNode]
		if sel == "" {
			return nil // Pending until a pod using it is scheduled
		}
		if n, ok := c.nodes.Get("", sel); ok {
			node = n
		} else {
			node = &api.Node{ObjectMeta: api.ObjectMeta{Name: sel}}
		}
	}
	if pv := c.match(pvc, c.volumes.List(api.Everything()), node); pv != nil {
		return c.bind(pvc, pv)
	}
	if sc == nil || sc.Provisioner == "" {
		if pvc.Status.Phase == api.ClaimPending && sc == nil {
			c.recorder.Eventf(pvc, client.EventNormal, ReasonFailedBinding, "no persistent volumes available for this claim and no storage class is set")
		}
		return nil
	}
	if pvc.Annotations[api.AnnStorageProvisioner] == sc.Provisioner {
		return nil
	}
	next := api.DeepCopy(pvc)
	if next.Annotations == nil {
		next.Annotations = map[string]string{}
	}
	next.Annotations[api.AnnStorageProvisioner] = sc.Provisioner
	if _, err := client.For[*api.PersistentVolumeClaim](c.client).Update(context.Background(), next, client.WriteOptions{}); err != nil {
		return err
	}
	c.recorder.Eventf(pvc, client.EventNormal, ReasonExternalProvisioning,
		"Waiting for a volume to be created either by the external provisioner '%s' or manually by the system administrator", sc.Provisioner)
	return nil
}

// bind binds pvc and pv, writing only what is not yet written, volume side
// first: pv.spec.claimRef, pv Bound, pvc.spec.volumeName, pvc Bound. A
// Conflict on the first write means another writer (or this binder,
// earlier) changed the volume; the retry sees it.
func (c *Controller) bind(pvc *api.PersistentVolumeClaim, pv *api.PersistentVolume) error {
	ctx := context.Background()
	volumes := client.For[*api.PersistentVolume](c.client)
	claims := client.For[*api.PersistentVolumeClaim](c.client)
	if ref := pv.Spec.ClaimRef; ref == nil || ref.UID != pvc.UID {
		next := api.DeepCopy(pv)
		next.Spec.ClaimRef = &api.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: pvc.Namespace, Name: pvc.Name,
			UID: pvc.UID, ResourceVersion: pvc.ResourceVersion}
		if ref == nil {
			setAnnotation(&next.ObjectMeta, api.AnnBoundByController, "yes")
		}
		out, err := volumes.Update(ctx, next, client.WriteOptions{})
		if err != nil {
			return err
		}
		pv = out
	}
	if pv.Status.Phase != api.VolumeBound {
		next := api.DeepCopy(pv)
		next.Status.Phase, next.Status.Reason, next.Status.Message = api.VolumeBound, "", ""
		out, err := volumes.UpdateStatus(ctx, next, client.WriteOptions{})
		if err != nil {
			return err
		}
		pv = out
	}
	if pvc.Spec.VolumeName != pv.Name || pvc.Annotations[api.AnnBindCompleted] == "" {
		next := api.DeepCopy(pvc)
		if next.Spec.VolumeName == "" {
			setAnnotation(&next.ObjectMeta, api.AnnBoundByController, "yes")
		}
		next.Spec.VolumeName = pv.Name
		setAnnotation(&next.ObjectMeta, api.AnnBindCompleted, "yes")
		out, err := claims.Update(ctx, next, client.WriteOptions{})
		if err != nil {
			return err
		}
		pvc = out
	}
	capacity := pv.Spec.Capacity
	if pvc.Status.Phase != api.ClaimBound || !slices.Equal(pvc.Status.AccessModes, pv.Spec.AccessModes) || !sameCapacity(pvc.Status.Capacity, capacity) {
		next := api.DeepCopy(pvc)
		next.Status.Phase = api.ClaimBound
		next.Status.AccessModes = slices.Clone(pv.Spec.AccessModes)
		next.Status.Capacity = maps.Clone(capacity)
		if _, err := claims.UpdateStatus(ctx, next, client.WriteOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// syncBoundClaim handles a claim that names a volume: a user's
// pre-binding to a free volume, a binding to finish, or a volume gone or
// taken (the claim is Lost).
func (c *Controller) syncBoundClaim(pvc *api.PersistentVolumeClaim) error {
	pv, ok := c.volumes.Get("", pvc.Spec.VolumeName)
	if !ok {
		// Verify before declaring a loss: the cache may lag.
		if _, err := client.For[*api.PersistentVolume](c.client).Get(context.Background(), "", pvc.Spec.VolumeName); !api.IsNotFound(err) {
			return err
		}
		if pvc.Annotations[api.AnnBindCompleted] != "" {
			return c.lose(pvc, fmt.Sprintf("Bound claim has lost reference to PersistentVolume. Data on the volume is lost!"))
		}
		return nil // pre-bound to a volume not made yet
	}
	ref := pv.Spec.ClaimRef
	switch {
	case ref == nil:
		if !Fits(pvc, pv, nil) {
			c.recorder.Eventf(pvc, client.EventWarning, ReasonFailedBinding, "Cannot bind to requested volume %q: it does not fit the claim (class, access modes, size or selector)", pv.Name)
			return nil
		}
		return c.bind(pvc, pv)
	case ref.Namespace == pvc.Namespace && ref.Name == pvc.Name && (ref.UID == "" || ref.UID == pvc.UID):
		return c.bind(pvc, pv)
	case pvc.Annotations[api.AnnBindCompleted] != "":
		return c.lose(pvc, fmt.Sprintf("Bound claim has lost its PersistentVolume %q, now bound to %s/%s", pv.Name, ref.Namespace, ref.Name))
	default:
		c.recorder.Eventf(pvc, client.EventWarning, ReasonFailedBinding, "volume %q already bound to a different claim", pv.Name)
		return nil
	}
}

func (c *Controller) lose(pvc *api.PersistentVolumeClaim, msg string) error {
	if pvc.Status.Phase == api.ClaimLost {
		return nil
	}
	next := api.DeepCopy(pvc)
	next.Status.Phase = api.ClaimLost
	if _, err := client.For[*api.PersistentVolumeClaim](c.client).UpdateStatus(context.Background(), next, client.WriteOptions{}); err != nil {
		return err
	}
	c.recorder.Eventf(pvc, client.EventWarning, ReasonClaimLost, "%s", msg)
	return nil
}

// syncVolume keeps a volume's phase true to its claimRef: Available
// without a claim, Bound when the claim names it back, Released (then
// reclaimed) when the claim is gone. A half-binding — the claim exists but
// names no volume — is finished by the claim's sync.
func (c *Controller) syncVolume(name string) error {
	pv, ok := c.volumes.Get("", name)
	if !ok || pv.DeletionTimestamp != nil {
		return nil
	}
	ref := pv.Spec.ClaimRef
	if ref == nil || ref.UID == "" {
		return c.setPhase(pv, api.VolumeAvailable, "")
	}
	pvc, ok := c.claims.Get(ref.Namespace, ref.Name)
	if ok && pvc.UID == ref.UID {
		switch pvc.Spec.VolumeName {
		case pv.Name:
			return c.setPhase(pv, api.VolumeBound, "")
		case "":
			c.queue.Add(claimPrefix + client.Key(pvc))
			return nil
		}
		// The claim went to another volume (a lost answer, or a user's
		// pre-binding). A binding this controller made is undone; a volume
		// made for the claim is released.
		if pv.Annotations[api.AnnBoundByController] != "" {
			next := api.DeepCopy(pv)
			next.Spec.ClaimRef = nil
			delete(next.Annotations, api.AnnBoundByController)
			_, err := client.For[*api.PersistentVolume](c.client).Update(context.Background(), next, client.WriteOptions{})
			return err // the update brings the volume back to set Available
		}
		return c.release(pv)
	}
	// Not in the cache, or another claim of that name: ask the API server.
	live, err := client.For[*api.PersistentVolumeClaim](c.client).Get(context.Background(), ref.Namespace, ref.Name)
	if err == nil && live.UID == ref.UID {
		return nil // the cache lags; the claim's event brings the volume back
	}
	if err != nil && !api.IsNotFound(err) {
		return err
	}
	return c.release(pv)
}

// release marks a volume whose claim is gone Released and applies its
// reclaim policy. Retain keeps it (an administrator decides); Delete is
// the provisioner's job for a volume it made (it alone can reach the
// data); any other volume with Delete fails, as in Kubernetes.
func (c *Controller) release(pv *api.PersistentVolume) error {
	if pv.Status.Phase == api.VolumeFailed {
		return nil
	}
	if pv.Spec.PersistentVolumeReclaimPolicy == api.ReclaimDelete && pv.Annotations[api.AnnProvisionedBy] == "" {
		if err := c.setPhase(pv, api.VolumeFailed, "no deletable volume plugin matched"); err != nil {
			return err
		}
		c.recorder.Eventf(pv, client.EventWarning, ReasonVolumeFailedDelete, "error getting deleter volume plugin for volume %q: no deletable volume plugin matched", pv.Name)
		return nil
	}
	return c.setPhase(pv, api.VolumeReleased, "")
}

func (c *Controller) setPhase(pv *api.PersistentVolume, phase, msg string) error {
	if pv.Status.Phase == phase && pv.Status.Message == msg {
		return nil
	}
	next := api.DeepCopy(pv)
	next.Status.Phase, next.Status.Message = phase, msg
	next.Status.LastPhaseTransitionTime = api.NewTime(c.loop.Now())
	_, err := client.For[*api.PersistentVolume](c.client).UpdateStatus(context.Background(), next, client.WriteOptions{})
	return err
}

// unprotect lets a deleted claim go once no pod uses it: no pod of the
// cache that is not finished, confirmed by a live list (the cache may not
// show a pod just created).
func (c *Controller) unprotect(pvc *api.PersistentVolumeClaim) error {
	if !pvc.HasFinalizer(api.ClaimProtectionFinalizer) {
		return nil
	}
	key := client.Key(pvc)
	for _, p := range c.pods.ByIndex("claim", key) {
		if !podDone(p) {
			return nil // the pod's end brings the claim back
		}
	}
	live, err := client.For[*api.Pod](c.client).List(context.Background(), pvc.Namespace, client.ListOptions{})
	if err != nil {
		return err
	}
	for _, p := range live.Items {
		if !podDone(p) && usesClaim(p, pvc.Name) {
			return nil
		}
	}
	next := api.DeepCopy(pvc)
	next.Finalizers = slices.DeleteFunc(next.Finalizers, func(f string) bool { return f == api.ClaimProtectionFinalizer })
	_, err = client.For[*api.PersistentVolumeClaim](c.client).Update(context.Background(), next, client.WriteOptions{})
	return err
}

func usesClaim(p *api.Pod, claim string) bool {
	for _, v := range p.Spec.Volumes {
		if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == claim {
			return true
		}
	}
	return false
}

func sameCapacity(a, b api.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for k, q := range a {
		if r, ok := b[k]; !ok || q.Cmp(r) != 0 {
			return false
		}
	}
	return true
}

func setAnnotation(m *api.ObjectMeta, k, v string) {
	if m.Annotations == nil {
		m.Annotations = map[string]string{}
	}
	m.Annotations[k] = v
}
