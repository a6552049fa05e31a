package scheduler

import (
	"github.com/tinykube/tinykube/core/api"
)

// nodeCache keeps, between scheduling cycles, each node's NodeInfo as the
// informers show it — the node and the unfinished pods bound to it, no
// assumed pods — and the nodes' name order, so that a cycle recounts only
// what changed since the last one. Kubernetes' scheduler does the same
// (its Cache, and the Snapshot it updates by generation numbers): rebuilt
// from scratch, a cycle costs a pass over every bound pod of the cluster,
// and scheduling n pods costs O(n²) — at 1,000 nodes and 10,000 pods that
// recount was most of the scheduler's time.
//
// The informers' handlers mark what changed (markNode); snapshot rebuilds
// just those NodeInfos, exactly as a whole rebuild would (NewNodeInfo, then
// AddPod of the node's pods in key order), so a cycle sees the same
// NodeInfos either way and chooses the same node for the same seed.
//
// Contract: the NodeInfos it holds are shared by every cycle until their
// node or its pods change, so nothing may modify them: Schedule and
// Config.Schedule only read their nodes, and snapshot adds assumed pods to
// a clone (NodeInfo.clone), never to the cached one.
type nodeCache struct {
	infos map[string]*NodeInfo // node name -> its NodeInfo, once built
	dirty map[string]bool      // nodes whose NodeInfo must be rebuilt (or dropped)
	// order is the NodeInfos of the nodes not being deleted, in name
	// order; orderStale says it must be listed again (a node came, went,
	// or started being deleted).
	order      []*NodeInfo
	pos        map[string]int // node name -> its index in order
	orderStale bool
}

func newNodeCache() *nodeCache {
	return &nodeCache{infos: map[string]*NodeInfo{}, dirty: map[string]bool{}, pos: map[string]int{}, orderStale: true}
}

// markNode says node name or its pods changed; "" (a pod with no node) is
// ignored.
func (c *nodeCache) markNode(name string) {
	if name != "" {
		c.dirty[name] = true
	}
}

// markPod marks the nodes an update of a pod concerns: the one it was
// bound to and the one it is bound to now (old is nil for a new pod).
func (c *nodeCache) markPod(old, p *api.Pod) {
	if old != nil {
		c.markNode(old.Spec.NodeName)
	}
	c.markNode(p.Spec.NodeName)
}

// nodesChanged says the set of schedulable nodes may differ: a node was
// added or deleted, or its deletion began.
func (c *nodeCache) nodesChanged() { c.orderStale = true }

// refresh rebuilds the NodeInfos marked dirty with build (nil: the node
// is gone) and, if needed, the name order with list (every node's name,
// sorted), and returns the NodeInfos of the nodes not being deleted, in
// name order. The slice is the cache's, valid until the next refresh: the
// caller copies it before changing it.
func (c *nodeCache) refresh(build func(name string) *NodeInfo, list func() []string) []*NodeInfo {
	for name := range c.dirty {
		ni := build(name)
		old, had := c.infos[name]
		switch {
		case ni == nil:
			delete(c.infos, name)
			c.orderStale = c.orderStale || had
		case !had || (old.Node.DeletionTimestamp == nil) != (ni.Node.DeletionTimestamp == nil):
			c.infos[name] = ni
			c.orderStale = true
		default:
			c.infos[name] = ni
			if i, ok := c.pos[name]; ok {
				c.order[i] = ni
			}
		}
	}
	clear(c.dirty)
	if c.orderStale {
		c.order = c.order[:0]
		clear(c.pos)
		for _, name := range list() {
			ni := c.infos[name]
			if ni == nil {
				if ni = build(name); ni == nil {
					continue
				}
				c.infos[name] = ni
			}
			if ni.Node.DeletionTimestamp == nil {
				c.pos[name] = len(c.order)
				c.order = append(c.order, ni)
			}
		}
		c.orderStale = false
	}
	return c.order
}

// clone returns a copy of n that can take more pods without changing n.
func (n *NodeInfo) clone() *NodeInfo {
	cp := *n
	cp.Pods = append([]*api.Pod(nil), n.Pods...)
	cp.Assumed = append([]*api.Pod(nil), n.Assumed...)
	if n.usedPorts != nil {
		cp.usedPorts = make(map[hostPort]bool, len(n.usedPorts))
		for k, v := range n.usedPorts {
			cp.usedPorts[k] = v
		}
	}
	if n.ownerCounts != nil {
		cp.ownerCounts = make(map[string]int, len(n.ownerCounts))
		for k, v := range n.ownerCounts {
			cp.ownerCounts[k] = v
		}
	}
	return &cp
}
