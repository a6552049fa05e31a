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

// A faultKind is what the cluster does for one fault action.
type faultKind struct {
	// inject performs the fault now. Runs on the world's loop.
	inject func(c *Cluster, f scenario.Fault)
	// healedBy is the action injected f.For after the fault, when f.For
	// is set ("" when the fault heals itself or lasts).
	healedBy string
}

// faultKinds maps each fault action to what the cluster does for it.
// scenario.Actions names and describes the same actions (a test checks
// that the two agree): adding a kind of fault is an entry here, its
// function, and its line there.
var faultKinds = map[string]faultKind{
	// A node's machine and processes (this file).
	"crash-node":      {inject: (*Cluster).crashNode, healedBy: "restart-node"},
	"restart-node":    {inject: (*Cluster).restartNode},
	"partition-node":  {inject: (*Cluster).partitionNode, healedBy: "heal-node"},
	"heal-node":       {inject: (*Cluster).healNode},
	"restart-proxy":   {inject: (*Cluster).restartProxy},
	"restart-kubelet": {inject: (*Cluster).restartKubelet},
	"lose-disk":       {inject: (*Cluster).loseDisk},
	"drain-node":      {inject: (*Cluster).drainNode}, // drain.go

	// A node's stats (load.go).
	"metrics-outage":     {inject: (*Cluster).metricsOutage, healedBy: "end-metrics-outage"},
	"end-metrics-outage": {inject: (*Cluster).endMetricsOutage},

	// What clients and controllers must survive (this file).
	"cut-watches":                {inject: (*Cluster).cutWatches},
	"restart-controller-manager": {inject: (*Cluster).restartControllerManager},
	"clock":                      {inject: (*Cluster).setClock},
	"stale-reads":                {inject: (*Cluster).staleReads},

	// The control plane's own faults (servers.go).
	"crash-process":     {inject: controlPlane((*Cluster).crashProcess)},
	"crash-at-call":     {inject: controlPlane((*Cluster).crashAtCall)},
	"partition-process": {inject: controlPlane((*Cluster).partitionProcess)},
	"partition-store":   {inject: controlPlane((*Cluster).partitionStore)},
	"store-outage":      {inject: controlPlane((*Cluster).storeOutage)},
	"freeze-cache":      {inject: controlPlane((*Cluster).freezeCache)},
	"lag-cache":         {inject: controlPlane((*Cluster).lagCache)},

	// The scenario's own changes to objects (this file).
	"apply":  {inject: (*Cluster).applyFault},
	"delete": {inject: (*Cluster).deleteObject},
	"patch":  {inject: (*Cluster).patchObject},
	"scale":  {inject: (*Cluster).scaleObject},
}

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

// inject performs one fault now: it notes the fault on the timeline, does
// what faultKinds says for its action (nothing for an action it does not
// know: scenario.Check rejects those) and schedules its heal.
func (c *Cluster) inject(f scenario.Fault) {
	c.W.Trace.Note("fault", "%s", describe(f))
	if !workloadChange(f) {
		// Something the workloads' controllers did not cause: promises
		// that hold only undisturbed (rollout-bounds) are off from now.
		c.checker.faulted = true
	}
	k, ok := faultKinds[f.Action]
	if !ok {
		return
	}
	k.inject(c, f)
	if k.healedBy != "" && f.For.Duration > 0 {
		g := scenario.Fault{Action: k.healedBy, Node: f.Node}
		c.W.Loop.After(f.For.Duration, func() { c.inject(g) })
	}
}

// describe says what fault f is, for the timeline: its action, what it
// strikes and for how long.
func describe(f scenario.Fault) string {
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
	return desc
}

// workloadChange reports whether f is a change the workloads' controllers
// are there to follow — apply, scale, patch, a delete of anything but a
// pod — rather than a fault that disturbs them.
func workloadChange(f scenario.Fault) bool {
	switch f.Action {
	case "apply", "scale", "patch":
		return true
	case "delete":
		return !strings.EqualFold(f.Kind, "pod") && !strings.EqualFold(f.Kind, "pods")
	}
	return false
}

// crashNode kills node f.Node's machine: its containers, its kubelet, its
// proxy and the proxy's rules are gone. Runs on the world's loop.
func (c *Cluster) crashNode(f scenario.Fault) {
	nd := c.Node(f.Node)
	nd.Kubelet.Crash()
	nd.Proxy.Crash()
	if nd.Runtime != nil {
		nd.Runtime.Crash()
	}
	nd.Machine.Crash()
	nd.Table = nil // the kernel's rules die with the machine
	c.spreadLoad() // its clients stop; the others' requests to it are lost
}

// restartNode boots node f.Node's machine again, with a fresh runtime and
// a fresh kubelet and proxy bound to it. Runs on the world's loop.
func (c *Cluster) restartNode(f scenario.Fault) {
	nd := c.Node(f.Node)
	nd.Kubelet.Crash()
	nd.Proxy.Crash()
	nd.Machine.Start()
	nd.Kubelet.Start()
	nd.Proxy.Start()
}

// partitionNode cuts the whole node f.Node — its kubelet and its service
// proxy — off from the API servers, in f.Direction (both when empty). Runs
// on the world's loop.
func (c *Cluster) partitionNode(f scenario.Fault) {
	nd, w := c.Node(f.Node), c.W
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
}

// healNode ends a partition of node f.Node. Runs on the world's loop.
func (c *Cluster) healNode(f scenario.Fault) {
	nd := c.Node(f.Node)
	c.W.Net.Heal(nd.Kubelet.Name, sim.APIServer)
	c.W.Net.Heal(nd.Proxy.Name, sim.APIServer)
}

// restartProxy stops node f.Node's proxy process for f.For; the rules it
// installed stay and keep routing, stale, until a new proxy replaces them.
// On a machine that is down it only says so. Runs on the world's loop.
func (c *Cluster) restartProxy(f scenario.Fault) {
	nd := c.Node(f.Node)
	if !nd.Machine.Up() {
		c.W.Trace.Note("fault", "%s is down: no proxy to restart", f.Node)
		return
	}
	nd.Proxy.Crash()
	c.W.Loop.After(f.For.Duration, func() {
		if nd.Machine.Up() && !nd.Proxy.Up() {
			nd.Proxy.Start()
		}
	})
}

// restartKubelet stops node f.Node's kubelet for f.For; its containers
// keep running. A kubelet runs only on a live machine: on one that is
// down it only says so. Runs on the world's loop.
func (c *Cluster) restartKubelet(f scenario.Fault) {
	nd := c.Node(f.Node)
	if !nd.Machine.Up() {
		c.W.Trace.Note("fault", "%s is down: no kubelet to restart", f.Node)
		return
	}
	nd.Kubelet.Crash()
	c.W.Loop.After(f.For.Duration, func() {
		if nd.Machine.Up() {
			nd.Kubelet.Start()
		}
	})
}

// loseDisk wipes node f.Node's disk: its local volumes' directories and
// their files are gone, whether or not the machine is up. Runs on the
// world's loop.
func (c *Cluster) loseDisk(f scenario.Fault) {
	c.Node(f.Node).Disk.Lose()
}

// cutWatches cuts every watch stream. Runs on the world's loop.
func (c *Cluster) cutWatches(scenario.Fault) {
	c.W.Net.CutStreams("")
}

// restartControllerManager crashes and at once restarts the controller
// manager f.Process names, or (none named) the replica that holds its
// lease. Runs on the world's loop.
func (c *Cluster) restartControllerManager(f scenario.Fault) {
	name := f.Process
	if name == "" {
		name = c.leaderOf(ControllerManagerLease, c.Scenario.Cluster.ControllerManagerNames()[0])
	}
	if cm := c.W.Process(name); cm != nil {
		cm.Crash()
		cm.Start()
	}
}

// setClock moves process f.Process's clock by f.Offset and makes it run
// at f.Rate from now on. Runs on the world's loop, or before the run
// starts for a clock that is off from the start.
func (c *Cluster) setClock(f scenario.Fault) {
	if p := c.W.Process(f.Process); p != nil {
		p.SetClock(f.Offset.Duration, f.Rate)
	}
}

// staleReads answers process f.Process's reads from the store as it is
// now, for f.For (for ever when f.For is 0). Runs on the world's loop.
func (c *Cluster) staleReads(f scenario.Fault) {
	w := c.W
	rev, _ := c.Store.Revision(context.Background())
	w.Net.StaleReads(f.Process, rev)
	if f.For.Duration > 0 {
		w.Loop.After(f.For.Duration, func() { w.Net.StaleReads(f.Process, 0) })
	}
}

// applyFault creates f.Objects; a failure fails the run, since the
// scenario cannot go on as written. Runs on the world's loop.
func (c *Cluster) applyFault(f scenario.Fault) {
	if err := c.applyObjects(f.Objects); err != nil {
		c.W.Fail(fmt.Errorf("scenario: apply at %v: %v", f.At, err))
	}
}

// deleteObject deletes f.Kind f.Name; a failure (an object already gone)
// is only noted. Runs on the world's loop.
func (c *Cluster) deleteObject(f scenario.Fault) {
	res, err := c.lookupResource(f.Kind)
	if err == nil {
		_, err = client.Dynamic(c.Admin, res).Delete(context.Background(), namespaceOr(f.Namespace, res), f.Name, client.DeleteOptions{})
	}
	if err != nil {
		c.W.Trace.Note("fault", "delete %s/%s failed: %v", f.Kind, f.Name, err)
	}
}

// patchObject applies merge patch f.Patch to f.Kind f.Name; a failure
// fails the run. Runs on the world's loop.
func (c *Cluster) patchObject(f scenario.Fault) {
	res, err := c.lookupResource(f.Kind)
	if err == nil {
		_, err = client.Dynamic(c.Admin, res).Patch(context.Background(), namespaceOr(f.Namespace, res), f.Name, rest.ContentMergePatch, f.Patch, "", client.WriteOptions{})
	}
	if err != nil {
		c.W.Fail(fmt.Errorf("scenario: patch %s/%s at %v: %v", f.Kind, f.Name, f.At, err))
	}
}

// scaleObject sets f.Kind f.Name's replicas to f.Replicas; a failure is
// only noted. Runs on the world's loop.
func (c *Cluster) scaleObject(f scenario.Fault) {
	res, err := c.lookupResource(f.Kind)
	if err == nil {
		patch := []byte(fmt.Sprintf(`{"spec":{"replicas":%d}}`, *f.Replicas))
		_, err = client.Dynamic(c.Admin, res).Patch(context.Background(), namespaceOr(f.Namespace, res), f.Name, rest.ContentMergePatch, patch, "", client.WriteOptions{})
	}
	if err != nil {
		c.W.Trace.Note("fault", "scale %s/%s failed: %v", f.Kind, f.Name, err)
	}
}

// namespaceOr returns the namespace an object of res named in namespace
// ns lives in: none for a cluster-scoped kind, "default" when ns is empty.
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
		res, err := c.resourceFor(head.APIVersion, head.Kind)
		if err != nil {
			return fmt.Errorf("objects[%d]: %v", i, err)
		}
		if res == nil {
			return fmt.Errorf("objects[%d]: tinykube does not serve %s %s (nor does a CustomResourceDefinition created before it)", i, head.APIVersion, head.Kind)
		}
		if err := checkBehaviors(raw); err != nil {
			return fmt.Errorf("objects[%d] (%s): %v", i, head.Kind, err)
		}
		created, err := client.Dynamic(c.Admin, res).CreateRaw(context.Background(), namespaceOr(head.Metadata.Namespace, res), raw, client.WriteOptions{})
		if err != nil {
			return fmt.Errorf("objects[%d] (%s): %v", i, head.Kind, err)
		}
		if head.Kind == "Namespace" && head.APIVersion == "v1" && c.W.Elapsed() == 0 {
			// Its default ServiceAccount, as the controller would have
			// made it by the time a later manifest uses it.
			if err := c.defaultAccounts(created.GetObjectMeta().Name); err != nil {
				return err
			}
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
	// Drawn last, so that a profile without them draws what it always did.
	draw(p.MetricsOutages, "metrics-outage", true)
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
