package apiserver

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"

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

// nodeGraph is the node authorizer's Source. It answers from the pod
// graph, an index of pods by node that follows the store (podGraph); a
// question the index answers "no" to is asked again of the store at its
// current revision (PodsOnNodeNow), so that a kubelet asking for a Secret
// just after its pod was bound finds the pod even where the index trails.
type nodeGraph struct{ s *Server }

// PodsOnNode answers from the pod graph, or from the store when the graph
// cannot follow it.
func (g nodeGraph) PodsOnNode(ctx context.Context, namespace, nodeName string) ([]node.PodRefs, error) {
	if namespace == "" || nodeName == "" {
		return nil, nil
	}
	if refs, ok := g.s.pods.on(g.s.store, namespace, nodeName); ok {
		return refs, nil
	}
	return g.PodsOnNodeNow(ctx, namespace, nodeName)
}

// PodsOnNodeNow lists the pods of namespace and keeps those whose
// spec.nodeName is nodeName; no namespace means no pods.
func (g nodeGraph) PodsOnNodeNow(ctx context.Context, namespace, nodeName string) ([]node.PodRefs, error) {
	if namespace == "" || nodeName == "" {
		return nil, nil
	}
	res := api.ResourceByPlural("", "pods")
	lr, err := g.s.store.List(ctx, prefix(res, namespace), store.ListOptions{})
	if err != nil {
		return nil, storeError(err)
	}
	var out []node.PodRefs
	for _, kv := range lr.KVs {
		e, err := g.s.decoded.entry(res, kv)
		if err != nil {
			return nil, errInternal(err)
		}
		if p, ok := e.obj.(*api.Pod); ok && p.Spec.NodeName == nodeName {
			out = append(out, node.PodRefs{Pod: p.Name, Refs: node.References(p)})
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

// podGraph indexes bound pods by node and namespace, keeping only what
// each names (node.References), so that the node authorizer's question
// "which pods of this namespace run on this node" costs the pods of that
// node, not every pod: without it, each kubelet's token request and
// ConfigMap read listed the namespace, and a cluster of n pods paid n²
// for starting them. It follows the pods prefix (followedPrefix) like
// the RBAC cache: exact on the in-memory store, a watch's delay behind
// etcd — which is why nodeGraph confirms a refusal against the store.
type podGraph struct {
	mu     sync.Mutex
	follow followedPrefix
	where  map[string]podPlace                           // by store key: where the graph holds it
	byNode map[string]map[string]map[string]node.PodRefs // node → namespace → pod name
}

// podPlace is where a pod sits in podGraph.byNode.
type podPlace struct{ node, namespace, name string }

// on brings the graph up to date and returns what the pods of namespace
// bound to nodeName name, by pod name; ok is false when the store cannot
// be followed (the caller then reads the store itself).
func (g *podGraph) on(st store.Store, namespace, nodeName string) (refs []node.PodRefs, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.follow.res == nil {
		g.follow.res = api.ResourceByPlural("", "pods")
	}
	if ok, _ := g.follow.sync(st, viewOf{reset: g.reset, put: g.put, remove: g.remove}); !ok {
		return nil, false
	}
	for _, p := range g.byNode[nodeName][namespace] {
		refs = append(refs, p)
	}
	slices.SortFunc(refs, func(a, b node.PodRefs) int { return cmp.Compare(a.Pod, b.Pod) })
	return refs, true
}

func (g *podGraph) reset() {
	g.where = map[string]podPlace{}
	g.byNode = map[string]map[string]map[string]node.PodRefs{}
}

// put indexes the pod at key, where it is bound (an unbound pod names
// nothing a node may read).
func (g *podGraph) put(key string, obj api.Object) {
	g.remove(key)
	p, ok := obj.(*api.Pod)
	if !ok || p.Spec.NodeName == "" {
		return
	}
	at := podPlace{node: p.Spec.NodeName, namespace: p.Namespace, name: p.Name}
	byNS := g.byNode[at.node]
	if byNS == nil {
		byNS = map[string]map[string]node.PodRefs{}
		g.byNode[at.node] = byNS
	}
	pods := byNS[at.namespace]
	if pods == nil {
		pods = map[string]node.PodRefs{}
		byNS[at.namespace] = pods
	}
	pods[at.name] = node.PodRefs{Pod: p.Name, Refs: node.References(p)}
	g.where[key] = at
}

// remove forgets the pod at key, and the maps it leaves empty.
func (g *podGraph) remove(key string) {
	at, ok := g.where[key]
	if !ok {
		return
	}
	delete(g.where, key)
	byNS := g.byNode[at.node]
	delete(byNS[at.namespace], at.name)
	if len(byNS[at.namespace]) == 0 {
		delete(byNS, at.namespace)
	}
	if len(byNS) == 0 {
		delete(g.byNode, at.node)
	}
}
