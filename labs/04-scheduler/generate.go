package schedulerlab

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/scheduler"
)

// shape says what a generated cluster may contain.
type shape struct {
	nodes, pods int
	// rules adds labels, taints and cordons to nodes, and node selectors
	// and tolerations to pods.
	rules bool
	// resources gives pods requests and nodes pods already running;
	// without it pods request nothing and nodes are empty.
	resources bool
	// empty leaves nodes without pods already running.
	empty bool
}

// genNode is a node and the pods already on it, from which a fresh
// NodeInfo can be built as often as needed.
type genNode struct {
	node *api.Node
	pods []*api.Pod
}

func (g genNode) info() *scheduler.NodeInfo {
	n := scheduler.NewNodeInfo(g.node)
	for _, p := range g.pods {
		n.AddPod(p)
	}
	return n
}

type cluster struct {
	nodes []genNode
	pods  []*api.Pod // to place, in order
}

func (c cluster) infos() []*scheduler.NodeInfo {
	out := make([]*scheduler.NodeInfo, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = n.info()
	}
	return out
}

const (
	mi = int64(1) << 20
	gi = int64(1) << 30
)

// Small grids on purpose: a pod often requests exactly what a node has
// left, which is where "<" and "<=" part ways.
var (
	cpuGrid = []int64{0, 250, 500, 750, 1000, 1500, 2000}
	memGrid = []int64{0, 256 * mi, 512 * mi, gi, 2 * gi}
	labels  = map[string][]string{"zone": {"a", "b"}, "disk": {"ssd", "hdd"}}
	taints  = []api.Taint{
		{Key: "dedicated", Value: "gpu", Effect: api.TaintNoSchedule},
		{Key: "dedicated", Value: "db", Effect: api.TaintNoExecute},
		{Key: "maintenance", Effect: api.TaintNoExecute},
		{Key: "spot", Value: "true", Effect: api.TaintPreferNoSchedule},
	}
	tolerations = []api.Toleration{
		{Key: "dedicated", Value: "gpu", Effect: api.TaintNoSchedule},
		{Key: "dedicated", Operator: "Equal", Value: "db", Effect: api.TaintNoSchedule}, // wrong effect for db
		{Key: "dedicated", Operator: "Exists"},
		{Key: "maintenance", Operator: "Exists", Effect: api.TaintNoExecute},
		{Key: "maintenance", Value: "later", Effect: api.TaintNoExecute}, // wrong value
		{Key: scheduler.TaintNodeUnschedulable, Operator: "Exists", Effect: api.TaintNoSchedule},
		{Operator: "Exists"}, // tolerates everything
	}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func generate(r *rand.Rand, s shape) cluster {
	var c cluster
	for i := 1; i <= s.nodes; i++ {
		c.nodes = append(c.nodes, genNodeAt(r, i, s))
	}
	for j := 1; j <= s.pods; j++ {
		c.pods = append(c.pods, genPod(r, fmt.Sprintf("p-%d", j), s, c.nodes))
	}
	return c
}

func genNodeAt(r *rand.Rand, i int, s shape) genNode {
	cpu, mem, slots := pick(r, []int64{1000, 2000, 4000}), pick(r, []int64{gi, 2 * gi, 4 * gi}), 2+r.Int64N(5)
	node := &api.Node{
		ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("n-%d", i)},
		Status: api.NodeStatus{
			Allocatable: api.ResourceList{
				api.ResourceCPU:    api.NewMilliQuantity(cpu, api.DecimalSI),
				api.ResourceMemory: api.NewQuantity(mem, api.BinarySI),
				api.ResourcePods:   api.NewQuantity(slots, api.DecimalSI),
			},
			Conditions: []api.NodeCondition{{Type: api.NodeReady, Status: api.ConditionTrue}},
		},
	}
	g := genNode{node: node}
	if s.rules {
		node.Labels = map[string]string{}
		for _, k := range []string{"disk", "zone"} {
			if r.IntN(4) > 0 {
				node.Labels[k] = pick(r, labels[k])
			}
		}
		node.Spec.Unschedulable = r.IntN(6) == 0
		for range r.IntN(3) {
			t := pick(r, taints)
			if !slices.ContainsFunc(node.Spec.Taints, func(o api.Taint) bool { return o.Key == t.Key }) {
				node.Spec.Taints = append(node.Spec.Taints, t)
			}
		}
	}
	if s.resources && !s.empty {
		// Pods already running, kept within allocatable as a scheduler
		// would have kept them; some nodes end up exactly full.
		usedCPU, usedMem := int64(0), int64(0)
		for k := range r.Int64N(slots + 1) {
			c, m := pick(r, cpuGrid), pick(r, memGrid)
			if usedCPU+c > cpu || usedMem+m > mem {
				continue
			}
			usedCPU, usedMem = usedCPU+c, usedMem+m
			g.pods = append(g.pods, podRequesting(fmt.Sprintf("%s-running-%d", node.Name, k), c, m))
		}
	}
	return g
}

func genPod(r *rand.Rand, name string, s shape, nodes []genNode) *api.Pod {
	var cpu, mem int64
	if s.resources {
		cpu, mem = pick(r, cpuGrid), pick(r, memGrid)
		if r.IntN(3) == 0 {
			// Exactly what some node has left.
			free := freeOf(pick(r, nodes).info())
			if r.IntN(2) == 0 {
				cpu = max(free.MilliCPU, 0)
			} else {
				mem = max(free.Memory, 0)
			}
		}
	}
	p := podRequesting(name, cpu, mem)
	if s.rules {
		// In a fixed order: ranging over the map would hand the draws
		// to the keys in a different order every run.
		for _, k := range []string{"disk", "zone"} {
			if vs := labels[k]; r.IntN(3) == 0 {
				if p.Spec.NodeSelector == nil {
					p.Spec.NodeSelector = map[string]string{}
				}
				p.Spec.NodeSelector[k] = pick(r, vs)
			}
		}
		for range r.IntN(3) {
			if t := pick(r, tolerations); t.Key != "" || r.IntN(3) == 0 {
				p.Spec.Tolerations = append(p.Spec.Tolerations, t)
			}
		}
	}
	return p
}

func podRequesting(name string, milliCPU, memory int64) *api.Pod {
	req := api.ResourceList{}
	if milliCPU > 0 {
		req[api.ResourceCPU] = api.NewMilliQuantity(milliCPU, api.DecimalSI)
	}
	if memory > 0 {
		req[api.ResourceMemory] = api.NewQuantity(memory, api.BinarySI)
	}
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.PodSpec{Containers: []api.Container{{
			Name: "app", Image: "app:1", Resources: api.ResourceRequirements{Requests: req},
		}}},
	}
}

func freeOf(n *scheduler.NodeInfo) scheduler.Resources {
	a, r := n.Allocatable, n.Requested
	return scheduler.Resources{MilliCPU: a.MilliCPU - r.MilliCPU, Memory: a.Memory - r.Memory, Pods: a.Pods - r.Pods}
}

// describePod and describeNode say what matters to the filter, in a
// stable order, so the same seed prints the same words.
func describePod(p *api.Pod) string {
	req := scheduler.PodRequests(p)
	parts := []string{"requesting " + resources(req.MilliCPU, req.Memory)}
	if len(p.Spec.NodeSelector) > 0 {
		parts = append(parts, "nodeSelector "+labelString(p.Spec.NodeSelector))
	}
	if len(p.Spec.Tolerations) > 0 {
		var ts []string
		for _, t := range p.Spec.Tolerations {
			ts = append(ts, tolString(t))
		}
		parts = append(parts, "tolerating "+strings.Join(ts, ", "))
	}
	return fmt.Sprintf("pod %s %s", p.Name, strings.Join(parts, "; "))
}

func describeNode(n *scheduler.NodeInfo) string {
	f := freeOf(n)
	parts := []string{fmt.Sprintf("with %s free of %s, %d of %d pod slots free",
		resources(f.MilliCPU, f.Memory), resources(n.Allocatable.MilliCPU, n.Allocatable.Memory), f.Pods, n.Allocatable.Pods)}
	if len(n.Node.Labels) > 0 {
		parts = append(parts, "labels "+labelString(n.Node.Labels))
	}
	if len(n.Node.Spec.Taints) > 0 {
		var ts []string
		for _, t := range n.Node.Spec.Taints {
			ts = append(ts, fmt.Sprintf("%s=%s:%s", t.Key, t.Value, t.Effect))
		}
		parts = append(parts, "taints "+strings.Join(ts, ", "))
	}
	if n.Node.Spec.Unschedulable {
		parts = append(parts, "unschedulable")
	}
	return fmt.Sprintf("node %s %s", n.Name, strings.Join(parts, "; "))
}

func resources(milliCPU, memory int64) string {
	return fmt.Sprintf("%dm cpu, %dMi memory", milliCPU, memory/mi)
}

func labelString(m map[string]string) string {
	var kv []string
	for k, v := range m {
		kv = append(kv, k+"="+v)
	}
	slices.Sort(kv)
	return strings.Join(kv, ",")
}

func tolString(t api.Toleration) string {
	op := t.Operator
	if op == "" {
		op = "Equal"
	}
	key := t.Key
	if key == "" {
		key = "*"
	}
	eff := t.Effect
	if eff == "" {
		eff = "*"
	}
	if op == "Exists" {
		return fmt.Sprintf("%s(Exists):%s", key, eff)
	}
	return fmt.Sprintf("%s=%s:%s", key, t.Value, eff)
}
