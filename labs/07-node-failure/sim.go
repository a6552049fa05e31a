package nodefailurelab

import (
	"embed"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/controller/node"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/sim"
	"github.com/tinykube/tinykube/sim/cluster"
	"github.com/tinykube/tinykube/sim/scenario"
)

//go:embed scenarios/*.yaml
var scenarios embed.FS

// A kubelet renews its Lease every 2s and the controller checks every 1s:
// a node cut off for d can look silent for up to d + 4s. A partition is
// short when even that stays within the grace period.
const heartbeatSlack = 4 * time.Second

// sim runs a scenario with the student's Assess in the node controller,
// and judges every eviction against the faults that caused it.
func (c checker) sim(file string) func(*lab.Env) error {
	return func(env *lab.Env) error {
		var missing error
		assess := func(v node.HealthView) node.Verdict {
			out := c.impl.Assess(v)
			if out.Taint == "not implemented" {
				missing = notImplemented()
				return node.Verdict{}
			}
			return out
		}
		return lab.Simulate(env, lab.Sim{
			Scenarios: scenarios, File: file,
			Plugins: cluster.Plugins{NodeAssess: assess},
			Missing: &missing,
			During:  func(cl *cluster.Cluster) func() error { return newEvictions(cl).check },
			Keep: func(line string) bool {
				return strings.Contains(line, "NodeNotReady") || strings.Contains(line, "TaintManagerEviction") || strings.Contains(line, "PUT /api/v1/nodes/")
			},
		})
	}
}

// evictions follows the pods of a run and holds the node controller to
// two promises: a pod is evicted only from a node that was cut off (or
// down) for longer than the grace period, and every pod of a node cut off
// for longer than the grace period and the eviction timeout is evicted by
// then. The scenarios delete no pod themselves, so every deletion is an
// eviction.
type evictions struct {
	cl              *cluster.Cluster
	pods            *lab.PodFeed
	grace, eviction time.Duration
	faults          []scenario.Fault // node faults, by start
	evicted         map[string]bool  // pod uid
	bound           map[string]*api.Pod
	judged          map[int]bool // index in faults
}

func newEvictions(cl *cluster.Cluster) *evictions {
	e := &evictions{cl: cl, pods: lab.WatchPods(cl), grace: 10 * time.Second, eviction: 10 * time.Second,
		evicted: map[string]bool{}, bound: map[string]*api.Pod{}, judged: map[int]bool{}}
	if d := cl.Scenario.Cluster.NodeGracePeriod.Duration; d > 0 {
		e.grace = d
	}
	if d := cl.Scenario.Cluster.EvictionTimeout.Duration; d > 0 {
		e.eviction = d
	}
	for _, f := range cl.Faults() {
		if f.Action == "partition-node" || f.Action == "crash-node" {
			e.faults = append(e.faults, f)
		}
	}
	sort.SliceStable(e.faults, func(i, j int) bool { return e.faults[i].At.Duration < e.faults[j].At.Duration })
	return e
}

func (e *evictions) check() error {
	now := e.cl.W.Elapsed()
	pods, err := e.pods.Changed()
	if err != nil {
		return err
	}
	for _, p := range pods {
		switch {
		case p.DeletionTimestamp != nil && !e.evicted[p.UID]:
			e.evicted[p.UID] = true
			delete(e.bound, p.UID)
			if err := e.justified(p, now); err != nil {
				return err
			}
		case p.DeletionTimestamp == nil && p.Spec.NodeName != "":
			e.bound[p.UID] = p
		}
	}
	return e.overdue(now)
}

// justified fails unless pod p's node had been cut off or down for longer
// than the grace period when p was evicted.
func (e *evictions) justified(p *api.Pod, now time.Duration) error {
	var last *scenario.Fault
	for i, f := range e.faults {
		if f.Node == p.Spec.NodeName && f.At.Duration <= now {
			last = &e.faults[i]
		}
	}
	switch {
	case last == nil:
		return fmt.Errorf("pod %s on %s was evicted at %v, but %s was never cut off nor down: a false eviction", p.Name, p.Spec.NodeName, now, p.Spec.NodeName)
	case last.For.Duration+heartbeatSlack <= e.grace:
		return fmt.Errorf("pod %s on %s was evicted at %v, but %s was cut off (%s) only from %v for %v: with the heartbeat's %v of slack that is within the grace period %v — a false eviction",
			p.Name, p.Spec.NodeName, now, p.Spec.NodeName, last.Action, last.At.Duration, last.For.Duration, heartbeatSlack, e.grace)
	}
	return nil
}

// overdue fails when a node has been cut off or down for the grace period,
// the eviction timeout and the heartbeat's slack, and still has a pod
// from before its fault that is not evicted.
func (e *evictions) overdue(now time.Duration) error {
	for i, f := range e.faults {
		due := f.At.Duration + e.grace + e.eviction + heartbeatSlack
		if e.judged[i] || f.For.Duration < due-f.At.Duration || now < due {
			continue
		}
		e.judged[i] = true
		var left []string
		for _, p := range e.bound {
			if p.Spec.NodeName == f.Node && p.CreationTimestamp != nil && p.CreationTimestamp.Sub(sim.Epoch) < f.At.Duration {
				left = append(left, p.Name)
			}
		}
		if len(left) > 0 {
			sort.Strings(left)
			return fmt.Errorf("%s has been %s since %v, for longer than the grace period %v and the eviction timeout %v, but its pods %s are not evicted: they are never replaced",
				f.Node, map[string]string{"partition-node": "cut off", "crash-node": "down"}[f.Action], f.At.Duration, e.grace, e.eviction, strings.Join(left, ", "))
		}
	}
	return nil
}
