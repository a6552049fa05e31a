package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/sim"
	simruntime "github.com/tinykube/tinykube/sim/runtime"
	"github.com/tinykube/tinykube/sim/scenario"
)

// schedule arranges for fault f to happen at its time, and records when
// it ends (liveness is judged after the last fault ends).
func (c *Cluster) schedule(f scenario.Fault) {
	end := f.At.Duration + f.For.Duration
	if f.Action == "crash-at-call" {
		end += callCrashExpiry
	}
	if end > c.lastFault {
		c.lastFault = end
	}
	c.W.At(f.At.Duration, func() { c.inject(f) })
}

// inject performs one fault now.
func (c *Cluster) inject(f scenario.Fault) {
	w := c.W
	desc := f.Action
	if f.Node != "" {
		desc += " " + f.Node
	}
	if f.Process != "" {
		desc += " " + f.Process
	}
	if f.Direction != "" {
		desc += " (" + f.Direction + ")"
	}
	if f.Kind != "" {
		desc += " " + strings.ToLower(f.Kind) + "/" + f.Name
	}
	if f.Replicas != nil {
		desc += fmt.Sprintf(" to %d", *f.Replicas)
	}
	if f.Action == "clock" {
		desc += fmt.Sprintf(": offset %v, rate %g", f.Offset.Duration, f.Rate)
	}
	if f.Server != "" {
		desc += " " + f.Server
	}
	if f.For.Duration > 0 {
		desc += fmt.Sprintf(" for %v", f.For.Duration)
	}
	if words := controlPlaneWords(f); words != "" {
		desc += ": " + words
	}
	w.Trace.Note("fault", "%s", desc)
	switch {
	case f.Action == "apply", f.Action == "scale", f.Action == "patch":
	case f.Action == "delete" && !strings.EqualFold(f.Kind, "pod") && !strings.EqualFold(f.Kind, "pods"):
	default:
		// Something the workloads' controllers did not cause: promises
		// that hold only undisturbed (rollout-bounds) are off from now.
		c.checker.faulted = true
	}
	nd := c.Node(f.Node)
	later := func(action string) {
		if f.For.Duration > 0 {
			g := scenario.Fault{Action: action, Node: f.Node}
			w.Loop.After(f.For.Duration, func() { c.inject(g) })
		}
	}
	switch f.Action {
	case "crash-node":
		nd.Kubelet.Crash()
		nd.Proxy.Crash()
		if nd.Runtime != nil {
			nd.Runtime.Crash()
		}
		nd.Machine.Crash()
		nd.Table = nil // the kernel's rules die with the machine
		later("restart-node")
	case "restart-node":
		// A machine boots with a fresh runtime and a fresh kubelet bound
		// to it.
		nd.Kubelet.Crash()
		nd.Proxy.Crash()
		nd.Machine.Start()
		nd.Kubelet.Start()
		nd.Proxy.Start()
	case "partition-node":
		// The whole node is cut off: its kubelet and its service proxy.
		for _, p := range []*sim.Process{nd.Kubelet, nd.Proxy} {
			switch f.Direction {
			case "to-apiserver":
				w.Net.Partition(p.Name, sim.APIServer, true)
			case "from-apiserver":
				w.Net.Partition(sim.APIServer, p.Name, true)
			default:
				w.Net.Partition(p.Name, sim.APIServer, false)
			}
		}
		later("heal-node")
	case "heal-node":
		w.Net.Heal(nd.Kubelet.Name, sim.APIServer)
		w.Net.Heal(nd.Proxy.Name, sim.APIServer)
	case "restart-proxy":
		// The proxy process dies; the rules it installed stay and keep
		// routing, stale, until a new proxy replaces them.
		if !nd.Machine.Up() {
			w.Trace.Note("fault", "%s is down: no proxy to restart", f.Node)
			return
		}
		nd.Proxy.Crash()
		w.Loop.After(f.For.Duration, func() {
			if nd.Machine.Up() && !nd.Proxy.Up() {
				nd.Proxy.Start()
			}
		})
	case "restart-kubelet":
		// A kubelet runs only on a live machine.
		if !nd.Machine.Up() {
			w.Trace.Note("fault", "%s is down: no kubelet to restart", f.Node)
			return
		}
		nd.Kubelet.Crash()
		w.Loop.After(f.For.Duration, func() {
			if nd.Machine.Up() {
				nd.Kubelet.Start()
			}
		})
	case "cut-watches":
		w.Net.CutStreams("")
	case "restart-controller-manager":
		name := f.Process
		if name == "" {
			name = c.leaderOf(ControllerManagerLease, c.Scenario.Cluster.ControllerManagerNames()[0])
		}
		if cm := w.Process(name); cm != nil {
			cm.Crash()
			cm.Start()
		}
	case "clock":
		if p := w.Process(f.Process); p != nil {
			p.SetClock(f.Offset.Duration, f.Rate)
		}
	case "stale-reads":
		rev, _ := c.Store.Revision(context.Background())
		w.Net.StaleReads(f.Process, rev)
		if f.For.Duration > 0 {
			w.Loop.After(f.For.Duration, func() { w.Net.StaleReads(f.Process, 0) })
		}
	case "crash-process", "crash-at-call", "partition-process", "partition-store", "store-outage", "freeze-cache", "lag-cache":
		c.injectControlPlane(f)
	case "apply":
		if err := c.applyObjects(f.Objects); err != nil {
			w.Fail(fmt.Errorf("scenario: apply at %v: %v", f.At, err))
		}
	case "delete":
		res, err := api.LookupResource(f.Kind)
		if err == nil {
			_, err = client.Dynamic(c.Admin, res).Delete(context.Background(), namespaceOr(f.Namespace, res), f.Name, client.DeleteOptions{})
		}
		if err != nil {
			w.Trace.Note("fault", "delete %s/%s failed: %v", f.Kind, f.Name, err)
		}
	case "patch":
		res, err := api.LookupResource(f.Kind)
		if err == nil {
			_, err = client.Dynamic(c.Admin, res).Patch(context.Background(), namespaceOr(f.Namespace, res), f.Name, rest.ContentMergePatch, f.Patch, "", client.WriteOptions{})
		}
		if err != nil {
			w.Fail(fmt.Errorf("scenario: patch %s/%s at %v: %v", f.Kind, f.Name, f.At, err))
		}
	case "scale":
		res, err := api.LookupResource(f.Kind)
		if err == nil {
			patch := []byte(fmt.Sprintf(`{"spec":{"replicas":%d}}`, *f.Replicas))
			_, err = client.Dynamic(c.Admin, res).Patch(context.Background(), namespaceOr(f.Namespace, res), f.Name, rest.ContentMergePatch, patch, "", client.WriteOptions{})
		}
		if err != nil {
			w.Trace.Note("fault", "scale %s/%s failed: %v", f.Kind, f.Name, err)
		}
	}
}

func namespaceOr(ns string, res *api.Resource) string {
	if !res.Namespaced {
		return ""
	}
	if ns == "" {
		return "default"
	}
	return ns
}

// applyObjects creates manifests through the admin client.
func (c *Cluster) applyObjects(objs []json.RawMessage) error {
	for i, raw := range objs {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return fmt.Errorf("objects[%d]: %v", i, err)
		}
		res := api.ResourceFor(head.APIVersion, head.Kind)
		if res == nil {
			return fmt.Errorf("objects[%d]: tinykube does not serve %s %s", i, head.APIVersion, head.Kind)
		}
		if err := checkBehaviors(raw); err != nil {
			return fmt.Errorf("objects[%d] (%s): %v", i, head.Kind, err)
		}
		if _, err := client.Dynamic(c.Admin, res).CreateRaw(context.Background(), namespaceOr(head.Metadata.Namespace, res), raw, client.WriteOptions{}); err != nil {
			return fmt.Errorf("objects[%d] (%s): %v", i, head.Kind, err)
		}
	}
	return nil
}

// checkBehaviors parses every simulated-container behavior annotation in
// a manifest — on a pod, or on the pod template of a workload at any
// depth — so that a typo is reported when the scenario starts, naming the
// field, instead of as a container that never runs and a liveness failure
// a minute later.
func checkBehaviors(raw json.RawMessage) error {
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	var walk func(v any, path string) error
	walk = func(v any, path string) error {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				p := path + "." + k
				if path == "" {
					p = k
				}
				if b, ok := v[k].(string); ok && k == simruntime.AnnotationBehavior && strings.HasSuffix(path, "metadata.annotations") {
					if _, err := simruntime.ParseBehavior(b); err != nil {
						return fmt.Errorf("%s[%s]: %v", path, k, err)
					}
					continue
				}
				if err := walk(v[k], p); err != nil {
					return err
				}
			}
		case []any:
			for i, e := range v {
				if err := walk(e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(doc, "")
}

// drawFaults draws the scenario's random fault profile for one seed.
func (c *Cluster) drawFaults(r *rand.Rand) []scenario.Fault {
	s := c.Scenario
	p := s.Profile
	if p == nil {
		return nil
	}
	maxDown := p.MaxDowntime.Duration
	if maxDown <= 0 {
		maxDown = 20 * time.Second
	}
	var out []scenario.Fault
	draw := func(n int, action string, lasting bool) {
		for i := 0; i < n; i++ {
			f := scenario.Fault{
				At:     scenario.Duration{Duration: time.Duration(r.Int64N(int64(p.Window.Duration)))},
				Action: action,
				Node:   scenario.NodeName(1 + r.IntN(s.Cluster.Nodes)),
			}
			if lasting {
				f.For = scenario.Duration{Duration: time.Second + time.Duration(r.Int64N(int64(maxDown)))}
			}
			out = append(out, f)
		}
	}
	draw(p.NodeCrashes, "crash-node", true)
	draw(p.Partitions, "partition-node", true)
	draw(p.KubeletRestarts, "restart-kubelet", false)
	draw(p.ProxyRestarts, "restart-proxy", true)
	draw(p.WatchCuts, "cut-watches", false)
	draw(p.ControllerRestarts, "restart-controller-manager", false)
	if p.ClockDrift > 0 {
		names := append(s.Cluster.SchedulerNames(), s.Cluster.ControllerManagerNames()...)
		// From the start: a machine whose clock has been off since boot. A
		// jump in the middle of a run would be a step of the wall clock,
		// which real components do not time leases with (Go measures
		// durations on the monotonic clock), so profiles do not draw one.
		for _, n := range names {
			out = append(out, scenario.Fault{
				Action: "clock", Process: n,
				Offset: scenario.Duration{Duration: time.Duration(r.Int64N(int64(2*time.Hour))) - time.Hour},
				Rate:   1 + p.ClockDrift*(2*r.Float64()-1),
			})
		}
	}
	out = append(out, c.drawControlPlaneFaults(r, maxDown)...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Duration < out[j].At.Duration })
	return out
}

// Faults returns every fault of the run, scheduled and drawn, in time
// order.
func (c *Cluster) Faults() []scenario.Fault {
	out := append([]scenario.Fault(nil), c.faults...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Duration < out[j].At.Duration })
	return out
}
