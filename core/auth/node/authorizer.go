package node

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
)

// Authorizer is the node authorizer over a Source of pods and volumes.
type Authorizer struct {
	src Source
}

// New returns the node authorizer reading src.
func New(src Source) *Authorizer { return &Authorizer{src: src} }

// Authorize decides a's request when its user is a node, and has no
// opinion on anyone else's. For a node it allows:
//
//   - get of a Secret or ConfigMap, and list or watch of one by name
//     (fieldSelector metadata.name=NAME), when a pod bound to the node
//     names it;
//   - get of a PersistentVolumeClaim a pod bound to the node mounts, and
//     of the PersistentVolume bound to such a claim (its claimRef);
//   - create of serviceaccounts/token for a ServiceAccount a pod bound to
//     the node runs as (NodeRestriction checks that the token is bound
//     to that pod);
//   - get, create, update, patch, delete of a Lease in kube-node-lease
//     named after the node (on create the name is in the body, which
//     NodeRestriction checks);
//   - whatever StaticRules cover.
//
// Anything else is NoOpinion, with a reason when the request was one of
// the graph kinds, so RBAC may still allow it. An error reading the
// Source is returned with NoOpinion.
func (z *Authorizer) Authorize(ctx context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	node, ok := auth.NodeName(a.User)
	if !ok || !a.ResourceRequest {
		return authorizer.NoOpinion, "", nil
	}
	if a.APIGroup == "" {
		switch a.Resource {
		case "secrets", "configmaps":
			return z.readReferenced(ctx, node, a)
		case "persistentvolumeclaims", "persistentvolumes":
			if a.Verb == "get" && a.Subresource == "" {
				return z.getVolume(ctx, node, a)
			}
		case "serviceaccounts":
			if a.Subresource == "token" {
				return z.createToken(ctx, node, a)
			}
		}
	}
	if a.APIGroup == "coordination.k8s.io" && a.Resource == "leases" {
		return lease(node, a)
	}
	for _, r := range StaticRules {
		if rbac.RuleAllows(r, a) {
			return authorizer.Allow, "", nil
		}
	}
	return authorizer.NoOpinion, "", nil
}

// noRelationship is the reason for a graph kind the node's pods do not
// lead to, as Kubernetes words it.
func noRelationship(node string) string {
	return fmt.Sprintf("no relationship found between node %q and this object", node)
}

// readReferenced decides a read of a Secret or ConfigMap: only of one
// named object of one namespace, named by a pod bound to node.
func (z *Authorizer) readReferenced(ctx context.Context, node string, a authorizer.Attributes) (authorizer.Decision, string, error) {
	switch a.Verb {
	case "get", "list", "watch":
	default:
		return authorizer.NoOpinion, fmt.Sprintf("node %q can only get, list or watch %s", node, a.Resource), nil
	}
	if a.Subresource != "" || a.Namespace == "" || a.Name == "" {
		return authorizer.NoOpinion, fmt.Sprintf("node %q can only read individual %s of one namespace (get one, or list or watch with fieldSelector metadata.name=NAME)", node, a.Resource), nil
	}
	p, found, err := z.findPod(ctx, a.Namespace, node, func(p PodRefs) bool {
		return (a.Resource == "secrets" && p.Secrets[a.Name]) || (a.Resource == "configmaps" && p.ConfigMaps[a.Name])
	})
	if err != nil {
		return authorizer.NoOpinion, "", err
	}
	if found {
		return authorizer.Allow, fmt.Sprintf("node %q runs pod %q, which names %s %q", node, p.Pod, a.Resource, a.Name), nil
	}
	return authorizer.NoOpinion, noRelationship(node), nil
}

// getVolume decides a get of a claim (a pod bound to node mounts it) or
// of a volume (its claimRef names such a claim).
func (z *Authorizer) getVolume(ctx context.Context, node string, a authorizer.Attributes) (authorizer.Decision, string, error) {
	if a.Name == "" {
		return authorizer.NoOpinion, noRelationship(node), nil
	}
	ns, claim := a.Namespace, a.Name
	if a.Resource == "persistentvolumes" {
		pv, err := z.src.Volume(ctx, a.Name)
		if err != nil {
			return authorizer.NoOpinion, "", fmt.Errorf("node authorizer: reading persistentvolume %q: %w", a.Name, err)
		}
		if pv == nil || pv.Spec.ClaimRef == nil {
			return authorizer.NoOpinion, noRelationship(node), nil
		}
		ns, claim = pv.Spec.ClaimRef.Namespace, pv.Spec.ClaimRef.Name
	}
	if ns == "" {
		return authorizer.NoOpinion, noRelationship(node), nil
	}
	p, found, err := z.findPod(ctx, ns, node, func(p PodRefs) bool { return p.Claims[claim] })
	if err != nil {
		return authorizer.NoOpinion, "", err
	}
	if found {
		return authorizer.Allow, fmt.Sprintf("node %q runs pod %q, which mounts persistentvolumeclaim %q", node, p.Pod, claim), nil
	}
	return authorizer.NoOpinion, noRelationship(node), nil
}

// createToken decides a TokenRequest: for one ServiceAccount a pod bound
// to node runs as.
func (z *Authorizer) createToken(ctx context.Context, node string, a authorizer.Attributes) (authorizer.Decision, string, error) {
	if a.Verb != "create" || a.Name == "" || a.Namespace == "" {
		return authorizer.NoOpinion, fmt.Sprintf("node %q can only create tokens for individual service accounts", node), nil
	}
	p, found, err := z.findPod(ctx, a.Namespace, node, func(p PodRefs) bool { return p.ServiceAccount == a.Name })
	if err != nil {
		return authorizer.NoOpinion, "", err
	}
	if found {
		return authorizer.Allow, fmt.Sprintf("node %q runs pod %q as serviceaccount %q", node, p.Pod, a.Name), nil
	}
	return authorizer.NoOpinion, noRelationship(node), nil
}

// findPod returns the first pod of namespace bound to node for which
// match holds: from the Source's index, and when none there does, from
// its current reads, so that only a current answer refuses.
func (z *Authorizer) findPod(ctx context.Context, namespace, node string, match func(PodRefs) bool) (PodRefs, bool, error) {
	for _, read := range []func(context.Context, string, string) ([]PodRefs, error){z.src.PodsOnNode, z.src.PodsOnNodeNow} {
		pods, err := read(ctx, namespace, node)
		if err != nil {
			return PodRefs{}, false, fmt.Errorf("node authorizer: listing the pods of node %q in namespace %q: %w", node, namespace, err)
		}
		for _, p := range pods {
			if match(p) {
				return p, true, nil
			}
		}
	}
	return PodRefs{}, false, nil
}

// lease decides a request on a Lease: the node's own, in kube-node-lease.
// A create names no object yet; NodeRestriction checks the body's name.
func lease(node string, a authorizer.Attributes) (authorizer.Decision, string, error) {
	switch a.Verb {
	case "get", "create", "update", "patch", "delete":
	default:
		return authorizer.NoOpinion, "can only get, create, update, patch, or delete a node lease", nil
	}
	if a.Namespace != LeaseNamespace {
		return authorizer.NoOpinion, fmt.Sprintf("can only access leases in the %q system namespace", LeaseNamespace), nil
	}
	if a.Verb != "create" && a.Name != node {
		return authorizer.NoOpinion, "can only access node lease with the same name as the requesting node", nil
	}
	return authorizer.Allow, "", nil
}

// compile-time check.
var _ authorizer.Authorizer = (*Authorizer)(nil)
