package replicaset

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// claim sorts the namespace's active pods into the ones rs controls, and
// fixes ownership on the way (Kubernetes' ControllerRefManager):
//
//	controller ref   labels match   → result
//	rs               yes            keep
//	rs               no             release (remove our reference)
//	other owner      any            leave alone
//	none             yes            adopt (add our reference), keep
//	none             no             leave alone
//
// Adoption first checks with the API server (not the cache) that rs still
// exists with the same uid and is not being deleted: adopting pods into a
// ReplicaSet that is going away would get them garbage collected.
func (c *Controller) claim(rs *api.ReplicaSet, sel api.Selector, pods []*api.Pod) ([]*api.Pod, error) {
	var owned []*api.Pod
	var canAdopt *bool
	for _, p := range pods {
		ref := p.ControllerRef()
		switch {
		case ref != nil && ref.UID == rs.UID:
			if sel.Matches(p.Labels) {
				owned = append(owned, p)
				continue
			}
			if err := c.release(rs, p); err != nil {
				return nil, err
			}
		case ref != nil:
			// Another controller's pod.
		case sel.Empty() || !sel.Matches(p.Labels) || p.DeletionTimestamp != nil:
			// An empty selector would adopt the whole namespace; validation
			// forbids it, and we do not rely on that.
		default:
			if canAdopt == nil {
				ok, err := c.canAdopt(rs)
				if err != nil {
					return nil, err
				}
				canAdopt = &ok
			}
			if !*canAdopt {
				continue
			}
			adopted, err := c.adopt(rs, p)
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

// canAdopt rereads rs from the API server.
func (c *Controller) canAdopt(rs *api.ReplicaSet) (bool, error) {
	fresh, err := client.For[*api.ReplicaSet](c.client).Get(context.Background(), rs.Namespace, rs.Name)
	if api.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("replicaset %s/%s: checking it before adopting pods: %w", rs.Namespace, rs.Name, err)
	}
	return fresh.UID == rs.UID && fresh.DeletionTimestamp == nil, nil
}

// adopt adds rs's controller reference to p. The patch carries p's
// resourceVersion, so it fails with a Conflict if p changed since the
// cache saw it (it may have been adopted by another controller): the
// reconcile is then retried on fresh data.
func (c *Controller) adopt(rs *api.ReplicaSet, p *api.Pod) (*api.Pod, error) {
	refs := append(append([]api.OwnerReference{}, p.OwnerReferences...), controllerRef(rs))
	out, err := c.patchOwners(p, refs)
	if err != nil && !api.IsNotFound(err) {
		return nil, fmt.Errorf("replicaset %s/%s: adopting pod %s: %w", rs.Namespace, rs.Name, p.Name, err)
	}
	return out, err
}

// release removes rs's references from p, which no longer matches.
func (c *Controller) release(rs *api.ReplicaSet, p *api.Pod) error {
	var refs []api.OwnerReference
	for _, r := range p.OwnerReferences {
		if r.UID != rs.UID {
			refs = append(refs, r)
		}
	}
	_, err := c.patchOwners(p, refs)
	if err != nil && !api.IsNotFound(err) {
		return fmt.Errorf("replicaset %s/%s: releasing pod %s: %w", rs.Namespace, rs.Name, p.Name, err)
	}
	return nil
}

// patchOwners replaces p's ownerReferences with a JSON merge patch that is
// conditional on p's resourceVersion.
func (c *Controller) patchOwners(p *api.Pod, refs []api.OwnerReference) (*api.Pod, error) {
	meta := map[string]any{"resourceVersion": p.ResourceVersion, "ownerReferences": refs}
	if len(refs) == 0 {
		meta["ownerReferences"] = nil // merge patch: null removes the field
	}
	body, err := json.Marshal(map[string]any{"metadata": meta})
	if err != nil {
		return nil, err
	}
	return client.For[*api.Pod](c.client).Patch(context.Background(), p.Namespace, p.Name, rest.ContentMergePatch, body, "", client.WriteOptions{})
}
