package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/clusterautoscaler"
	"github.com/tinykube/tinykube/core/store"
)

// The cluster autoscaler's invariants (with node groups only). Three are
// judged from the store's writes, in commit order, by autoscalerCheck;
// ca-group-bounds by the simulated cloud itself (cloud.go), which sees
// every request.
//
//   - ca-safe-removal: at the write that marks a node
//     ToBeDeletedByClusterAutoscaler, the pods the autoscaler must move fit
//     on the nodes that stay. The judgement is a relaxation of any real
//     placement — each pod fits the free cpu, memory and pod count of some
//     staying node, and all of them fit the staying nodes' free total — so
//     a correct autoscaler, whose placement proves more, never trips it,
//     and one that removes a node without placing its pods does as soon
//     as the cluster is full enough.
//   - ca-budgets: a pod covered by a PodDisruptionBudget, on a node being
//     removed, that starts terminating without its budget having recorded
//     an eviction of it (status.disruptedPods) and leaves the budget's
//     healthy pods below its minimum: the budget was bypassed.
//   - ca-pending-bound: once faults are over, no pod stays unschedulable
//     that an empty node of some group below its max would fit, for longer
//     than pendingBound, counted from the last fault or the last machine
//     that failed to boot.

// autoscalerCheck follows the store for the autoscaler's invariants.
type autoscalerCheck struct {
	c     *Cluster
	w     store.Watcher
	pods  map[string]*api.Pod // namespace/name
	nodes map[string]*api.Node
	pdbs  map[string]*api.PodDisruptionBudget
	// unschedulableSince is when each pending pod was first seen
	// unschedulable (virtual time), by namespace/name.
	unschedulableSince map[string]time.Duration
	err                error
}

// pendingCheckEvery is how often ca-pending-bound is judged.
const pendingCheckEvery = 5 * time.Second

func newAutoscalerCheck(c *Cluster) (*autoscalerCheck, error) {
	w, err := c.Store.Watch(context.Background(), "/registry/", 0)
	if err != nil {
		return nil, err
	}
	a := &autoscalerCheck{c: c, w: w, pods: map[string]*api.Pod{}, nodes: map[string]*api.Node{},
		pdbs: map[string]*api.PodDisruptionBudget{}, unschedulableSince: map[string]time.Duration{}}
	var tick func()
	tick = func() {
		if a.err == nil && c.checker.enabled["ca-pending-bound"] {
			a.err = a.pendingBoundCheck()
		}
		c.W.Loop.After(pendingCheckEvery, tick)
	}
	c.W.Loop.After(pendingCheckEvery, tick)
	return a, nil
}

// check applies the writes since the last step and judges them.
func (a *autoscalerCheck) check() error {
	if a.c.cloud != nil && a.c.cloud.violation != nil {
		return a.c.cloud.violation
	}
	for a.err == nil {
		ev, ok := a.w.Next()
		if !ok {
			break
		}
		key := ev.KV.Key
		switch {
		case strings.HasPrefix(key, "/registry/pods/"):
			a.pod(ev)
		case strings.HasPrefix(key, "/registry/nodes/"):
			a.node(ev)
		case strings.HasPrefix(key, "/registry/poddisruptionbudgets/"):
			var b api.PodDisruptionBudget
			if ev.Type == store.EventDelete {
				if ev.Prev != nil && json.Unmarshal(ev.Prev.Value, &b) == nil {
					delete(a.pdbs, b.Namespace+"/"+b.Name)
				}
			} else if json.Unmarshal(ev.KV.Value, &b) == nil {
				a.pdbs[b.Namespace+"/"+b.Name] = &b
			}
		}
	}
	return a.err
}

func (a *autoscalerCheck) pod(ev store.Event) {
	var p api.Pod
	if ev.Type == store.EventDelete {
		if ev.Prev != nil && json.Unmarshal(ev.Prev.Value, &p) == nil {
			delete(a.pods, p.Namespace+"/"+p.Name)
			delete(a.unschedulableSince, p.Namespace+"/"+p.Name)
		}
		return
	}
	if json.Unmarshal(ev.KV.Value, &p) != nil {
		return
	}
	k := p.Namespace + "/" + p.Name
	old := a.pods[k]
	a.pods[k] = &p
	if c := p.Status.FindCondition(api.PodScheduled); p.Spec.NodeName == "" && p.DeletionTimestamp == nil &&
		c != nil && c.Status == api.ConditionFalse && c.Reason == "Unschedulable" {
		if _, ok := a.unschedulableSince[k]; !ok || (old != nil && old.UID != p.UID) {
			a.unschedulableSince[k] = a.c.W.Elapsed()
		}
	} else {
		delete(a.unschedulableSince, k)
	}
	if p.DeletionTimestamp != nil && (old == nil || old.DeletionTimestamp == nil) && a.c.checker.enabled["ca-budgets"] {
		a.err = a.budgets(&p)
	}
}

// budgets judges ca-budgets for p, which has just started terminating.
func (a *autoscalerCheck) budgets(p *api.Pod) error {
	n := a.nodes[p.Spec.NodeName]
	if n == nil || !hasTaint(n, clusterautoscaler.ToBeDeletedTaint) {
		return nil
	}
	for _, k := range sortedKeys(a.pdbs) {
		b := a.pdbs[k]
		if b.Namespace != p.Namespace || !b.Covers(p) {
			continue
		}
		if _, evicted := b.Status.DisruptedPods[p.Name]; evicted {
			continue
		}
		minimum := b.Status.DesiredHealthy
		if m := b.Spec.MinAvailable; m != nil && !m.IsString {
			minimum = m.IntVal
		}
		healthy := int32(0)
		for _, q := range a.pods {
			if q.Namespace == b.Namespace && b.Covers(q) && q.DeletionTimestamp == nil && api.IsPodReady(q) {
				healthy++
			}
		}
		if healthy < minimum {
			return fmt.Errorf("ca-budgets: pod %s/%s on %s, which the cluster autoscaler is removing, was deleted without an eviction recorded by budget %s, leaving %d healthy pods of its minimum %d",
				p.Namespace, p.Name, n.Name, k, healthy, minimum)
		}
	}
	return nil
}

func (a *autoscalerCheck) node(ev store.Event) {
	var n api.Node
	if ev.Type == store.EventDelete {
		if ev.Prev != nil && json.Unmarshal(ev.Prev.Value, &n) == nil {
			delete(a.nodes, n.Name)
		}
		return
	}
	if json.Unmarshal(ev.KV.Value, &n) != nil {
		return
	}
	old := a.nodes[n.Name]
	a.nodes[n.Name] = &n
	if hasTaint(&n, clusterautoscaler.ToBeDeletedTaint) && (old == nil || !hasTaint(old, clusterautoscaler.ToBeDeletedTaint)) &&
		a.c.checker.enabled["ca-safe-removal"] {
		a.err = a.safeRemoval(&n)
	}
}

// safeRemoval judges ca-safe-removal for node, just marked for removal.
func (a *autoscalerCheck) safeRemoval(node *api.Node) error {
	type room struct {
		name          string
		cpu, mem, pod int64
	}
	var rooms []*room
	for _, name := range sortedKeys(a.nodes) {
		n := a.nodes[name]
		if name == node.Name || n.Spec.Unschedulable || hasTaint(n, clusterautoscaler.ToBeDeletedTaint) {
			continue
		}
		if c := n.Status.FindCondition(api.NodeReady); c == nil || c.Status != api.ConditionTrue {
			continue
		}
		alloc := n.Status.Allocatable
		rooms = append(rooms, &room{name: name, cpu: alloc.Cpu().MilliValue(), mem: alloc.Memory().Value(), pod: alloc.Pods().Value()})
	}
	byName := map[string]*room{}
	for _, r := range rooms {
		byName[r.name] = r
	}
	var moving []*api.Pod
	for _, k := range sortedKeys(a.pods) {
		p := a.pods[k]
		if api.IsPodTerminal(p) {
			continue
		}
		if r := byName[p.Spec.NodeName]; r != nil {
			req := podRequests(p)
			r.cpu -= req.Cpu().MilliValue()
			r.mem -= req.Memory().Value()
			r.pod--
		}
		if p.Spec.NodeName != node.Name || p.DeletionTimestamp != nil {
			continue
		}
		if ref := p.ControllerRef(); ref != nil && ref.Kind == "DaemonSet" {
			continue
		}
		if _, mirror := p.Annotations["kubernetes.io/config.mirror"]; mirror {
			continue
		}
		moving = append(moving, p)
	}
	var free room
	for _, r := range rooms {
		free.cpu += max(r.cpu, 0)
		free.mem += max(r.mem, 0)
		free.pod += max(r.pod, 0)
	}
	var need room
	for _, p := range moving {
		req := podRequests(p)
		cpu, mem := req.Cpu().MilliValue(), req.Memory().Value()
		need.cpu, need.mem, need.pod = need.cpu+cpu, need.mem+mem, need.pod+1
		fits := false
		for _, r := range rooms {
			if cpu <= r.cpu && mem <= r.mem && r.pod >= 1 {
				fits = true
				break
			}
		}
		if !fits {
			return fmt.Errorf("ca-safe-removal: the cluster autoscaler marked %s for removal, but its pod %s/%s (cpu %dm, memory %d) fits on no node that stays",
				node.Name, p.Namespace, p.Name, cpu, mem)
		}
	}
	if need.cpu > free.cpu || need.mem > free.mem || need.pod > free.pod {
		return fmt.Errorf("ca-safe-removal: the cluster autoscaler marked %s for removal, but its %d pods need cpu %dm and memory %d where the nodes that stay have %dm and %d free",
			node.Name, len(moving), need.cpu, need.mem, free.cpu, free.mem)
	}
	return nil
}

// pendingBound is how long a pod may stay unschedulable, once faults
// are over, when a new node of some group would fit it: the autoscaler may
// have to notice a machine that never booted (maxNodeProvisionTime), wait
// out its group's back-off, ask again and wait for the boot — twice the
// provision time covers a scan landing just after, plus the longest boot
// and a minute for scheduling and scans.
func (a *autoscalerCheck) pendingBound() time.Duration {
	opts := a.c.cloud.options()
	provision := opts.MaxNodeProvisionTime
	if provision == 0 {
		provision = 15 * time.Minute
	}
	backoff := opts.MaxBackoff
	if backoff == 0 {
		backoff = 30 * time.Minute
	}
	var boot time.Duration
	for _, g := range a.c.Scenario.Cluster.NodeGroups {
		boot = max(boot, g.BootDelay.Duration)
	}
	return 2*provision + backoff + boot + time.Minute
}

// pendingBoundCheck judges ca-pending-bound now.
func (a *autoscalerCheck) pendingBoundCheck() error {
	now := a.c.W.Elapsed()
	from := max(a.c.lastFault, a.c.cloud.lastBootFailure)
	bound := a.pendingBound()
	for _, k := range sortedKeys(a.unschedulableSince) {
		since := max(a.unschedulableSince[k], from)
		if now-since <= bound {
			continue
		}
		p := a.pods[k]
		if p == nil {
			continue
		}
		req := podRequests(p)
		for _, g := range a.c.cloud.groups {
			if g.target < g.spec.Max && g.templateFits(req, p.Spec.NodeSelector) {
				return fmt.Errorf("ca-pending-bound: pod %s has been unschedulable for %v (bound %v) though a new node of group %s (%d of max %d) would fit it",
					k, now-a.unschedulableSince[k], bound, g.spec.Name, g.target, g.spec.Max)
			}
		}
	}
	return nil
}

func hasTaint(n *api.Node, key string) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key {
			return true
		}
	}
	return false
}
