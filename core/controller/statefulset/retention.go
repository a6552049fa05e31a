package statefulset

import (
	"context"
	"fmt"
	"reflect"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// Claim retention (spec.persistentVolumeClaimRetentionPolicy) is carried
// out by owner references, as in Kubernetes: the controller never deletes
// a claim itself. It puts on each claim the owner the policy names and the
// garbage collector deletes the claim when that owner is gone.
//
//	whenScaled  whenDeleted  ordinal < replicas   ordinal >= replicas
//	Retain      Retain       no owner             no owner
//	Retain      Delete       the set              the set
//	Delete      Retain       no owner             its pod
//	Delete      Delete       the set              its pod
//
// An ordinal scaled away thus loses its claim with its pod; scaled back up
// before the pod is gone, the claim loses the pod reference again and is
// kept. Both references are controller references.

// retention returns the set's policy, Retain for a field left empty.
func retention(set *api.StatefulSet) (whenDeleted, whenScaled string) {
	whenDeleted, whenScaled = api.RetainClaimRetention, api.RetainClaimRetention
	if rp := set.Spec.PersistentVolumeClaimRetentionPolicy; rp != nil {
		if rp.WhenDeleted != "" {
			whenDeleted = rp.WhenDeleted
		}
		if rp.WhenScaled != "" {
			whenScaled = rp.WhenScaled
		}
	}
	return whenDeleted, whenScaled
}

// refersTo reports whether ref names the object kind/name, whatever its
// uid.
func refersTo(ref api.OwnerReference, apiVersion, kind, name string) bool {
	return ref.APIVersion == apiVersion && ref.Kind == kind && ref.Name == name
}

func controllerRef(apiVersion, kind, name, uid string) api.OwnerReference {
	t := true
	return api.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: name, UID: uid, Controller: &t, BlockOwnerDeletion: &t}
}

// staleOwner reports whether claim names the set, or ordinal i's pod, by
// name but with another uid: an earlier incarnation owned it, and the
// garbage collector is about to delete it. Such a claim is left alone
// (and, under whenScaled=Delete, its ordinal waits for it to go). A pod
// not created yet (uid "") makes every reference to its name stale.
func staleOwner(claim *api.PersistentVolumeClaim, set *api.StatefulSet, i int, podUID string) bool {
	for _, r := range claim.OwnerReferences {
		if refersTo(r, "apps/v1", "StatefulSet", set.Name) && r.UID != set.UID ||
			refersTo(r, "v1", "Pod", podName(set, i)) && r.UID != podUID {
			return true
		}
	}
	return false
}

// wantOwners returns the owner references claim should carry for
// ordinal i, whose pod has uid podUID, under the set's policy (see the
// table above): the references to other objects, then the set's or the
// pod's. A claim that another controller owns keeps only that one (the
// policy does not apply to it), and a claim with a stale reference keeps
// what it has.
func wantOwners(claim *api.PersistentVolumeClaim, set *api.StatefulSet, i int, podUID string) []api.OwnerReference {
	if staleOwner(claim, set, i, podUID) {
		return claim.OwnerReferences
	}
	pod := podName(set, i)
	var out []api.OwnerReference
	foreign := false
	for _, r := range claim.OwnerReferences {
		if refersTo(r, "apps/v1", "StatefulSet", set.Name) || refersTo(r, "v1", "Pod", pod) {
			continue
		}
		out = append(out, r)
		foreign = foreign || r.Controller != nil && *r.Controller
	}
	if foreign {
		return out
	}
	whenDeleted, whenScaled := retention(set)
	scaledDown := i >= int(replicasOf(set))
	switch {
	case whenScaled == api.DeleteClaimRetention && scaledDown:
		out = append(out, controllerRef("v1", "Pod", pod, podUID))
	case whenDeleted == api.DeleteClaimRetention:
		out = append(out, controllerRef("apps/v1", "StatefulSet", set.Name, set.UID))
	}
	return out
}

// claimsStale reports whether one of ordinal i's claims still names a
// previous pod of the ordinal as its owner, under whenScaled=Delete: the
// garbage collector will delete it, so the ordinal's new pod must wait
// for the claim to go and be made afresh rather than start on a claim
// that is about to disappear. Under whenScaled=Retain claims are reused
// and never stale.
func (c *Controller) claimsStale(set *api.StatefulSet, i int) bool {
	if _, whenScaled := retention(set); whenScaled != api.DeleteClaimRetention {
		return false
	}
	for k := range set.Spec.VolumeClaimTemplates {
		name := claimName(&set.Spec.VolumeClaimTemplates[k], set, i)
		cl, ok := c.claims.Get(set.Namespace, name)
		if !ok {
			continue
		}
		for _, r := range cl.OwnerReferences {
			if refersTo(r, "v1", "Pod", podName(set, i)) {
				return true // the new pod has no uid yet: any such reference is an older pod's
			}
		}
	}
	return false
}

// fixClaimOwners updates the owner references of pod p's claims (p is
// ordinal i) to what the retention policy wants. Claims are read from
// fresh (those the caller just created) or else from the cache; a claim
// missing from both, or being deleted, is skipped: a later pass sees it.
// A conflict (the cache lags) is returned, so the key is retried.
//
// Contract: must succeed for a condemned pod before that pod is deleted,
// or its claim would outlive it with no owner.
func (c *Controller) fixClaimOwners(ctx context.Context, set *api.StatefulSet, p *api.Pod, i int, fresh map[string]*api.PersistentVolumeClaim) error {
	for k := range set.Spec.VolumeClaimTemplates {
		name := claimName(&set.Spec.VolumeClaimTemplates[k], set, i)
		cl, ok := fresh[name]
		if !ok {
			cl, ok = c.claims.Get(set.Namespace, name)
		}
		if !ok || cl.DeletionTimestamp != nil {
			continue
		}
		want := wantOwners(cl, set, i, p.UID)
		if len(want) == 0 && len(cl.OwnerReferences) == 0 || reflect.DeepEqual(want, cl.OwnerReferences) {
			continue
		}
		upd := api.DeepCopy(cl)
		upd.OwnerReferences = want
		_, err := client.For[*api.PersistentVolumeClaim](c.client).Update(ctx, upd, client.WriteOptions{})
		if err != nil && !api.IsNotFound(err) {
			return fmt.Errorf("statefulset %s/%s: setting the owners of claim %s (pod %s) for its retention policy: %w", set.Namespace, set.Name, name, p.Name, err)
		}
	}
	return nil
}
