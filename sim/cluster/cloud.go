package cluster

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/clusterautoscaler"
	"github.com/tinykube/tinykube/sim/scenario"
)

// GroupLabel is the label every node of a node group carries, valued with
// the group's name (a template's labels have it too, so that a pod can
// ask for a group by nodeSelector).
const GroupLabel = "tinykube.io/node-group"

// simCloud is the simulated cloud behind the scenario's node groups: the
// cluster autoscaler's CloudProvider. A machine asked for boots after its
// group's bootDelay — a new node process (runtime, kubelet that
// registers the Node, proxy), as the cluster's first nodes are built —
// or, with the group's bootFailureRate drawn from the seed, never. A
// machine deleted crashes for good, and its Node object is deleted, as a
// cloud's node lifecycle controller would. It is also the judge of the
// ca-group-bounds invariant: it sees every request.
type simCloud struct {
	c      *Cluster
	groups []*cloudGroup
	byNode map[string]*cloudGroup
	rand   *rand.Rand
	// violation is the first ca-group-bounds violation (the checks
	// report it); lastBootFailure when the last machine that will never
	// boot was asked for (the pending bound counts from it).
	violation       error
	lastBootFailure time.Duration
}

type cloudGroup struct {
	spec      scenario.NodeGroup
	target    int
	next      int // the number of the next machine's name
	capacity  api.ResourceList
	labels    map[string]string
	instances []*instance
}

// An instance is one machine of a group.
type instance struct {
	name  string
	state string // booting, running, failed (never boots), cancelled, deleted
}

// addCloud builds the cloud of the scenario's node groups, each with its
// initial machines already running; none without node groups.
func (c *Cluster) addCloud() error {
	s := c.Scenario
	if len(s.Cluster.NodeGroups) == 0 {
		return nil
	}
	cl := &simCloud{c: c, byNode: map[string]*cloudGroup{}, rand: c.W.Rand("cloud"), lastBootFailure: -1}
	for _, spec := range s.Cluster.NodeGroups {
		capacity, err := nodeCapacity(map[string]string{"cpu": spec.CPU, "memory": spec.Memory, "pods": spec.Pods})
		if err != nil {
			return fmt.Errorf("cluster.nodeGroups %s: %v", spec.Name, err)
		}
		labels := maps.Clone(spec.Labels)
		if labels == nil {
			labels = map[string]string{}
		}
		labels[GroupLabel] = spec.Name
		g := &cloudGroup{spec: spec, capacity: capacity, labels: labels, next: 1}
		cl.groups = append(cl.groups, g)
		initial := spec.Min
		if spec.Initial != nil {
			initial = *spec.Initial
		}
		for range initial {
			inst := g.newInstance(cl)
			g.target++
			cl.boot(g, inst)
		}
	}
	c.cloud = cl
	return nil
}

// options are the autoscaler's settings from the scenario.
func (cl *simCloud) options() clusterautoscaler.Options {
	a := cl.c.Scenario.Cluster.Autoscaler
	return clusterautoscaler.Options{ScanInterval: a.ScanInterval.Duration, ScaleDownUnneededTime: a.ScaleDownUnneededTime.Duration,
		ScaleDownDelayAfterAdd: a.ScaleDownDelayAfterAdd.Duration, MaxNodeProvisionTime: a.MaxNodeProvisionTime.Duration,
		InitialBackoff: a.InitialBackoff.Duration, MaxBackoff: a.MaxBackoff.Duration}
}

// has reports whether node is a machine of a group (nil-safe: a cluster
// without groups has none).
func (cl *simCloud) has(node string) bool {
	return cl != nil && cl.byNode[node] != nil
}

func (g *cloudGroup) newInstance(cl *simCloud) *instance {
	inst := &instance{name: fmt.Sprintf("%s-%d", g.spec.Name, g.next), state: "booting"}
	g.next++
	g.instances = append(g.instances, inst)
	cl.byNode[inst.name] = g
	return inst
}

// boot starts inst's machine now.
func (cl *simCloud) boot(g *cloudGroup, inst *instance) {
	inst.state = "running"
	cl.c.addNamedNode(inst.name, len(cl.c.Nodes)+1, g.capacity, g.labels)
}

func (cl *simCloud) group(id string) (*cloudGroup, error) {
	for _, g := range cl.groups {
		if g.spec.Name == id {
			return g, nil
		}
	}
	return nil, fmt.Errorf("no node group %q", id)
}

// NodeGroups returns the groups in the scenario's order.
func (cl *simCloud) NodeGroups() []clusterautoscaler.NodeGroup {
	out := make([]clusterautoscaler.NodeGroup, 0, len(cl.groups))
	for _, g := range cl.groups {
		tmpl := &api.Node{ObjectMeta: api.ObjectMeta{Name: "template-" + g.spec.Name, Labels: maps.Clone(g.labels)},
			Status: api.NodeStatus{Capacity: maps.Clone(g.capacity), Allocatable: maps.Clone(g.capacity)}}
		out = append(out, clusterautoscaler.NodeGroup{ID: g.spec.Name, MinSize: g.spec.Min, MaxSize: g.spec.Max,
			TargetSize: g.target, Template: tmpl})
	}
	return out
}

// NodeGroupForNode names the group of node's machine.
func (cl *simCloud) NodeGroupForNode(node *api.Node) string {
	if g := cl.byNode[node.Name]; g != nil {
		return g.spec.Name
	}
	return ""
}

// boundsViolation records a request that would take a group out of its
// bounds (the first one is the run's verdict) and returns the refusal.
func (cl *simCloud) boundsViolation(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if cl.violation == nil && cl.c.checker.enabled["ca-group-bounds"] {
		cl.violation = fmt.Errorf("ca-group-bounds: %v", err)
	}
	return err
}

// IncreaseSize asks for delta more machines of group: each boots after
// the group's bootDelay, or — drawn from the seed — never.
func (cl *simCloud) IncreaseSize(group string, delta int) error {
	g, err := cl.group(group)
	if err != nil {
		return err
	}
	if delta <= 0 {
		return fmt.Errorf("increase of %s by %d: the delta must be positive", group, delta)
	}
	if g.target+delta > g.spec.Max {
		return cl.boundsViolation("the autoscaler asked for %d more nodes of group %s, which has %d of max %d", delta, group, g.target, g.spec.Max)
	}
	g.target += delta
	for range delta {
		inst := g.newInstance(cl)
		if cl.rand.Float64() < g.spec.BootFailureRate {
			inst.state = "failed"
			cl.lastBootFailure = cl.c.W.Elapsed()
			cl.c.W.Trace.Note("cloud", "%s will never boot", inst.name)
			continue
		}
		cl.c.W.Trace.Note("cloud", "%s boots in %v", inst.name, g.spec.BootDelay.Duration)
		cl.c.W.Loop.After(g.spec.BootDelay.Duration, func() {
			if inst.state == "booting" {
				cl.boot(g, inst)
			}
		})
	}
	return nil
}

// DecreaseTargetSize takes back the request for delta machines that have
// not booted, newest first.
func (cl *simCloud) DecreaseTargetSize(group string, delta int) error {
	g, err := cl.group(group)
	if err != nil {
		return err
	}
	var late []*instance
	for i := len(g.instances) - 1; i >= 0 && len(late) < delta; i-- {
		if s := g.instances[i].state; s == "booting" || s == "failed" {
			late = append(late, g.instances[i])
		}
	}
	if delta <= 0 || len(late) < delta {
		return fmt.Errorf("decrease of %s's target by %d: only %d of its nodes have not booted", group, delta, len(late))
	}
	for _, inst := range late {
		inst.state = "cancelled"
		cl.c.W.Trace.Note("cloud", "%s cancelled", inst.name)
	}
	g.target -= delta
	return nil
}

// DeleteNodes stops the named machines of group for good and deletes
// their Node objects.
func (cl *simCloud) DeleteNodes(group string, nodes []string) error {
	g, err := cl.group(group)
	if err != nil {
		return err
	}
	if g.target-len(nodes) < g.spec.Min {
		return cl.boundsViolation("the autoscaler asked to delete %v of group %s, which has %d of min %d", nodes, group, g.target, g.spec.Min)
	}
	for _, name := range nodes {
		if cl.byNode[name] != g {
			return fmt.Errorf("node %s is not of group %s", name, group)
		}
	}
	for _, name := range nodes {
		for _, inst := range g.instances {
			if inst.name != name || inst.state == "deleted" || inst.state == "cancelled" {
				continue
			}
			if inst.state == "running" {
				nd := cl.c.Node(name)
				nd.Kubelet.Crash()
				nd.Proxy.Crash()
				if nd.Runtime != nil {
					nd.Runtime.Crash()
				}
				nd.Machine.Crash()
				nd.Table = nil
			}
			inst.state = "deleted"
			g.target--
			cl.c.W.Trace.Note("cloud", "%s deleted", name)
			_, err := client.For[*api.Node](cl.c.Admin).Delete(context.Background(), "", name, client.DeleteOptions{})
			if err != nil && !api.IsNotFound(err) {
				cl.c.W.Trace.Note("cloud", "deleting node %s: %v", name, err)
			}
		}
	}
	return nil
}

// templateFits reports whether a pod requesting req with nodeSelector sel
// would fit an empty node of g (the pending bound's judgement: resources
// and labels, no taints in the simulated groups).
func (g *cloudGroup) templateFits(req api.ResourceList, sel map[string]string) bool {
	for k, v := range sel {
		if g.labels[k] != v {
			return false
		}
	}
	return req.Cpu().MilliValue() <= g.capacity.Cpu().MilliValue() && req.Memory().Value() <= g.capacity.Memory().Value()
}
