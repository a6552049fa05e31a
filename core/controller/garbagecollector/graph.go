package garbagecollector

import (
	"sort"
	"strconv"

	"github.com/tinykube/tinykube/core/api"
)

// node is what the graph knows of one object.
type node struct {
	res        *api.Resource
	namespace  string
	name       string
	uid        string
	rv         int64 // the resourceVersion seen: the store revision of that version
	owners     []api.OwnerReference
	deleting   bool // has a deletionTimestamp
	finalizers []string
}

func (n *node) hasFinalizer(f string) bool {
	for _, x := range n.finalizers {
		if x == f {
			return true
		}
	}
	return false
}

// refTo returns n's reference to the owner uid, or nil.
func (n *node) refTo(uid string) *api.OwnerReference {
	for i := range n.owners {
		if n.owners[i].UID == uid {
			return &n.owners[i]
		}
	}
	return nil
}

// graph maps uids to nodes, and owners to their dependents. An edge exists
// for every ownerReference, whether or not the owner is in the graph.
type graph struct {
	nodes      map[string]*node
	dependents map[string]map[string]bool // owner uid -> dependent uids
}

func newGraph() *graph {
	return &graph{nodes: map[string]*node{}, dependents: map[string]map[string]bool{}}
}

func nodeOf(res *api.Resource, obj api.Object) *node {
	m := obj.GetObjectMeta()
	rv, _ := strconv.ParseInt(m.ResourceVersion, 10, 64)
	return &node{res: res, namespace: m.Namespace, name: m.Name, uid: m.UID, rv: rv,
		owners:   append([]api.OwnerReference(nil), m.OwnerReferences...),
		deleting: m.DeletionTimestamp != nil, finalizers: append([]string(nil), m.Finalizers...)}
}

// put adds or replaces n and returns the node it replaced, if any.
func (g *graph) put(n *node) *node {
	old := g.nodes[n.uid]
	if old != nil {
		g.unlink(old)
	}
	g.nodes[n.uid] = n
	for _, ref := range n.owners {
		deps := g.dependents[ref.UID]
		if deps == nil {
			deps = map[string]bool{}
			g.dependents[ref.UID] = deps
		}
		deps[n.uid] = true
	}
	return old
}

// remove drops the node of uid, if any, and returns it.
func (g *graph) remove(uid string) *node {
	n := g.nodes[uid]
	if n != nil {
		g.unlink(n)
		delete(g.nodes, uid)
	}
	return n
}

func (g *graph) unlink(n *node) {
	for _, ref := range n.owners {
		if deps := g.dependents[ref.UID]; deps != nil {
			delete(deps, n.uid)
			if len(deps) == 0 {
				delete(g.dependents, ref.UID)
			}
		}
	}
}

// dependentsOf returns the nodes whose ownerReferences name uid, sorted by
// uid.
func (g *graph) dependentsOf(uid string) []*node {
	uids := make([]string, 0, len(g.dependents[uid]))
	for d := range g.dependents[uid] {
		uids = append(uids, d)
	}
	sort.Strings(uids)
	out := make([]*node, 0, len(uids))
	for _, d := range uids {
		if n := g.nodes[d]; n != nil {
			out = append(out, n)
		}
	}
	return out
}

// sameEdges reports whether a and b name the same owner uids, in order.
func sameEdges(a, b []api.OwnerReference) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].UID != b[i].UID || !blocks(&a[i]) != !blocks(&b[i]) {
			return false
		}
	}
	return true
}

func blocks(ref *api.OwnerReference) bool {
	return ref.BlockOwnerDeletion != nil && *ref.BlockOwnerDeletion
}
