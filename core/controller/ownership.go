package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// ResolveControllerRef returns the object in cache that ref, the
// controller reference of an object in namespace ns, points at; or the
// zero T (nil) when ref is nil, names another kind than kind in API group
// group ("apps", "batch"), names nothing in cache, or names an object of
// another uid (one deleted and re-created under the same name is another
// owner). This is how a controller maps a dependent's event to the owner
// to reconcile, trusting only its cache.
func ResolveControllerRef[T api.Object](cache *client.Informer[T], ns string, ref *api.OwnerReference, group, kind string) T {
	var none T
	if ref == nil || ref.Kind != kind || !strings.HasPrefix(ref.APIVersion, group+"/") {
		return none
	}
	obj, ok := cache.Get(ns, ref.Name)
	if !ok || obj.GetObjectMeta().UID != ref.UID {
		return none
	}
	return obj
}

// Claimer fixes the ownership of the objects one controller object
// selects (Kubernetes' ControllerRefManager): a ReplicaSet claims pods, a
// Deployment claims ReplicaSets. O is the owner's type, D the dependents'.
type Claimer[O, D api.Object] struct {
	Client *client.Client
	// Owner is the controller object, as the cache has it.
	Owner O
	// Ref is the controller reference Owner puts on what it adopts
	// (controller and blockOwnerDeletion true); its Kind names the owner
	// in errors, lower-cased ("replicaset web: ...").
	Ref api.OwnerReference
	// Selector picks the owner's dependents; it must not be empty.
	Selector api.Selector
	// Noun names one dependent in errors: "pod", "replica set".
	Noun string
}

// Claim sorts candidates (the namespace's objects of kind D, in the
// caller's order) into the ones Owner controls, and fixes ownership on
// the way:
//
//	controller ref   labels match   → result
//	Owner            yes            keep
//	Owner            no             release (remove Owner's references)
//	other owner      any            leave alone
//	none             yes            adopt (add Ref), keep
//	none             no             leave alone
//
// An object being deleted is never adopted, and an empty selector adopts
// nothing (it would take the whole namespace; validation forbids it, and
// Claim does not rely on that).
//
// Adoption first checks with the API server (not the cache), once per
// call, that Owner still exists with the same uid and is not being
// deleted: adopting objects into an owner that is going away would get
// them garbage collected. Every write is a merge patch conditional on the
// object's resourceVersion, so an object that changed since the cache saw
// it (another controller adopted it first, say) fails the call with a
// Conflict and the caller retries on fresh data. An object gone meanwhile
// (NotFound) is skipped. The writes are issued one at a time, in the order
// of candidates.
func (c Claimer[O, D]) Claim(candidates []D) ([]D, error) {
	uid := c.Owner.GetObjectMeta().UID
	var owned []D
	var canAdopt *bool
	for _, obj := range candidates {
		m := obj.GetObjectMeta()
		ref := m.ControllerRef()
		switch {
		case ref != nil && ref.UID == uid:
			if c.Selector.Matches(m.Labels) {
				owned = append(owned, obj)
				continue
			}
			if err := c.release(obj); err != nil {
				return nil, err
			}
		case ref != nil:
			// Another controller's.
		case c.Selector.Empty() || !c.Selector.Matches(m.Labels) || m.DeletionTimestamp != nil:
			// Not ours to take.
		default:
			if canAdopt == nil {
				ok, err := c.ownerStillExists()
				if err != nil {
					return nil, err
				}
				canAdopt = &ok
			}
			if !*canAdopt {
				continue
			}
			adopted, err := c.adopt(obj)
			if api.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			owned = append(owned, adopted)
		}
	}
	return owned, nil
}

// ownerStillExists rereads Owner from the API server: false when it is
// gone, has another uid (deleted and re-created under its name) or is
// being deleted.
func (c Claimer[O, D]) ownerStillExists() (bool, error) {
	m := c.Owner.GetObjectMeta()
	fresh, err := client.For[O](c.Client).Get(context.Background(), m.Namespace, m.Name)
	if api.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: checking it before adopting %ss: %w", c.owner(), c.Noun, err)
	}
	fm := fresh.GetObjectMeta()
	return fm.UID == m.UID && fm.DeletionTimestamp == nil, nil
}

// adopt adds Ref to obj's ownerReferences. A NotFound is returned as it
// is (the caller skips the object); other errors say what failed.
func (c Claimer[O, D]) adopt(obj D) (D, error) {
	m := obj.GetObjectMeta()
	refs := append(append([]api.OwnerReference{}, m.OwnerReferences...), c.Ref)
	out, err := c.patchOwners(obj, refs)
	if err != nil && !api.IsNotFound(err) {
		return out, fmt.Errorf("%s: adopting %s %s: %w", c.owner(), c.Noun, m.Name, err)
	}
	return out, err
}

// release removes Owner's references from obj, which no longer matches.
// An object already gone needs no release.
func (c Claimer[O, D]) release(obj D) error {
	m := obj.GetObjectMeta()
	uid := c.Owner.GetObjectMeta().UID
	var refs []api.OwnerReference
	for _, r := range m.OwnerReferences {
		if r.UID != uid {
			refs = append(refs, r)
		}
	}
	_, err := c.patchOwners(obj, refs)
	if err != nil && !api.IsNotFound(err) {
		return fmt.Errorf("%s: releasing %s %s: %w", c.owner(), c.Noun, m.Name, err)
	}
	return nil
}

// patchOwners replaces obj's ownerReferences with a JSON merge patch that
// is conditional on obj's resourceVersion.
func (c Claimer[O, D]) patchOwners(obj D, refs []api.OwnerReference) (D, error) {
	m := obj.GetObjectMeta()
	meta := map[string]any{"resourceVersion": m.ResourceVersion, "ownerReferences": refs}
	if len(refs) == 0 {
		meta["ownerReferences"] = nil // merge patch: null removes the field
	}
	body, err := json.Marshal(map[string]any{"metadata": meta})
	if err != nil {
		var zero D
		return zero, err
	}
	return client.For[D](c.Client).Patch(context.Background(), m.Namespace, m.Name, rest.ContentMergePatch, body, "", client.WriteOptions{})
}

// owner names Owner in errors: "replicaset default/web".
func (c Claimer[O, D]) owner() string {
	m := c.Owner.GetObjectMeta()
	return strings.ToLower(c.Ref.Kind) + " " + m.Namespace + "/" + m.Name
}
