package apiserver

import (
	"context"
	"errors"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/node"
	"github.com/tinykube/tinykube/core/store"
)

// nodeAuthorizer returns the node authorizer (core/auth/node) reading
// this server's store. The authorization chain asks it before RBAC.
func (s *Server) nodeAuthorizer() authorizer.Authorizer {
	return node.New(nodeGraph{s})
}

// nodeGraph is the node authorizer's Source: reads straight from the
// store at its current revision, never from a cache, so that a kubelet
// asking for a Secret just after its pod was bound finds the pod.
type nodeGraph struct{ s *Server }

// PodsOnNode lists the pods of namespace and keeps those whose
// spec.nodeName is nodeName; no namespace means no pods. The decoded
// pods are shared with the decode cache and must not be modified.
func (g nodeGraph) PodsOnNode(ctx context.Context, namespace, nodeName string) ([]*api.Pod, error) {
	if namespace == "" || nodeName == "" {
		return nil, nil
	}
	res := api.ResourceByPlural("", "pods")
	lr, err := g.s.store.List(ctx, prefix(res, namespace), store.ListOptions{})
	if err != nil {
		return nil, storeError(err)
	}
	var out []*api.Pod
	for _, kv := range lr.KVs {
		e, err := g.s.decoded.entry(res, kv)
		if err != nil {
			return nil, errInternal(err)
		}
		if p, ok := e.obj.(*api.Pod); ok && p.Spec.NodeName == nodeName {
			out = append(out, p)
		}
	}
	return out, nil
}

// Volume reads the PersistentVolume name; nil when there is none.
func (g nodeGraph) Volume(ctx context.Context, name string) (*api.PersistentVolume, error) {
	obj, _, err := g.s.read(ctx, api.ResourceByPlural("", "persistentvolumes"), "", name)
	if api.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	pv, ok := obj.(*api.PersistentVolume)
	if !ok {
		return nil, errors.New("persistentvolumes decoded as something else")
	}
	return pv, nil
}
