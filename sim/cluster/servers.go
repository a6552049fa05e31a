package cluster

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/tinykube/tinykube/sim"
	"github.com/tinykube/tinykube/sim/scenario"
)

// callCrashExpiry is how long a crash-at-call fault waits for its call: a
// process that makes fewer calls than that in this time does not crash.
const callCrashExpiry = 10 * time.Second

// controlPlaneWords says in plain words what a control-plane fault does,
// for the timeline.
func controlPlaneWords(f scenario.Fault) string {
	down := "starts again at once"
	if f.For.Duration > 0 {
		down = fmt.Sprintf("starts again %v later", f.For.Duration)
	}
	switch f.Action {
	case "crash-process":
		return "the process crashes and " + down
	case "crash-at-call":
		when := "just before"
		if f.When == "after" {
			when = "just after (its answer lost)"
		}
		return fmt.Sprintf("the process crashes %s its %s API call from now on, and %s", when, ordinal(f.Call), down)
	case "partition-process":
		to := "every API server"
		if f.Server != "" {
			to = f.Server
		}
		return "the process cannot reach " + to
	case "partition-store":
		return "the API server cannot reach the store"
	case "store-outage":
		return "no API server can reach the store"
	case "freeze-cache":
		return "the API server's watch cache stops following the store"
	case "lag-cache":
		return fmt.Sprintf("the API server's watch cache follows the store %v later", f.Lag.Duration)
	}
	return ""
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// controlPlaneSettle is how long after a control-plane fault ends the
// control plane may still lag: the informers and work queues that failed
// during the fault retry with backoff (an informer waits up to 25.6s after
// its 8th failure in a row).
const controlPlaneSettle = 30 * time.Second

// controlPlaneSettled reports whether no control-plane fault that can
// delay the controllers is in progress or ended less than
// controlPlaneSettle ago. The service-routing bound counts from then: it
// promises that proxies follow the endpoints in time, not that the
// endpoints controller keeps working while its servers, its store or
// itself are down.
func (c *Cluster) controlPlaneSettled() bool {
	return c.disturbed == 0 && c.W.Elapsed() >= c.calmFrom
}

// disturb notes a control-plane fault that begins now and returns the
// function that notes its end. Faults that touch only a node's processes
// (a kubelet, a proxy) do not count: the invariants already follow those.
func (c *Cluster) disturb(f scenario.Fault) (end func()) {
	if f.Process != "" && c.processKind(f.Process) == "node" {
		return func() {}
	}
	c.disturbed++
	ended := false
	return func() {
		if ended {
			return
		}
		ended = true
		c.disturbed--
		c.calmFrom = max(c.calmFrom, c.W.Elapsed()+controlPlaneSettle)
	}
}

// controlPlane makes a control-plane fault's function a faultKind's
// inject: the fault disturbs the control plane (see disturb) from when it
// begins until it calls end.
func controlPlane(inject func(c *Cluster, f scenario.Fault, end func())) func(c *Cluster, f scenario.Fault) {
	return func(c *Cluster, f scenario.Fault) { inject(c, f, c.disturb(f)) }
}

// healAfter runs heal and then end d from now. With d = 0 the fault has no
// heal of its own: it calls end at once and never heal.
func (c *Cluster) healAfter(d time.Duration, end, heal func()) {
	if d > 0 {
		c.W.Loop.After(d, func() { heal(); end() })
	} else {
		end()
	}
}

// crashProcess crashes process f.Process and starts it again f.For later
// (at once when f.For is 0). Runs on the world's loop.
func (c *Cluster) crashProcess(f scenario.Fault, end func()) {
	p := c.W.Process(f.Process)
	p.Crash()
	c.healAfter(f.For.Duration, end, func() { c.restart(p) })
	if f.For.Duration == 0 {
		c.restart(p)
	}
}

// crashAtCall arms a crash of process f.Process at its f.Call-th API call
// from now on (before it leaves, or after the server acted on it when
// f.When is "after"); the process starts again f.For after it crashed. A
// crash that has not fired within callCrashExpiry is disarmed. Runs on
// the world's loop.
func (c *Cluster) crashAtCall(f scenario.Fault, end func()) {
	w := c.W
	p := w.Process(f.Process)
	fired := false
	restart := func() {
		fired = true
		w.Loop.After(f.For.Duration, func() { c.restart(p); end() })
	}
	disarm := w.Net.CrashAtCall(f.Process, f.Call, f.When == "after", restart)
	w.Loop.After(callCrashExpiry, func() {
		if !fired {
			disarm()
			end()
		}
	})
}

// partitionProcess cuts process f.Process off from API server f.Server
// (from every one when empty), in f.Direction, for f.For. Runs on the
// world's loop.
func (c *Cluster) partitionProcess(f scenario.Fault, end func()) {
	w := c.W
	to := sim.APIServer
	if f.Server != "" {
		to = f.Server
	}
	switch f.Direction {
	case "to-apiserver":
		w.Net.Partition(f.Process, to, true)
	case "from-apiserver":
		w.Net.Partition(to, f.Process, true)
	default:
		w.Net.Partition(f.Process, to, false)
	}
	c.healAfter(f.For.Duration, end, func() { w.Net.Heal(f.Process, to) })
}

// partitionStore cuts API server f.Server off from the store for f.For.
// Runs on the world's loop.
func (c *Cluster) partitionStore(f scenario.Fault, end func()) {
	srv := c.W.Net.Server(f.Server)
	srv.SetStoreCut(true)
	c.healAfter(f.For.Duration, end, func() { srv.SetStoreCut(false) })
}

// storeOutage cuts every API server off from the store for f.For. Runs on
// the world's loop.
func (c *Cluster) storeOutage(f scenario.Fault, end func()) {
	c.W.Net.StoreOutage(true)
	c.healAfter(f.For.Duration, end, func() { c.W.Net.StoreOutage(false) })
}

// freezeCache stops API server f.Server's watch cache from following the
// store for f.For. Runs on the world's loop.
func (c *Cluster) freezeCache(f scenario.Fault, end func()) {
	srv := c.W.Net.Server(f.Server)
	srv.FreezeCache(true)
	c.healAfter(f.For.Duration, end, func() { srv.FreezeCache(false) })
}

// lagCache makes API server f.Server's watch cache follow the store f.Lag
// late, for f.For. Runs on the world's loop.
func (c *Cluster) lagCache(f scenario.Fault, end func()) {
	srv := c.W.Net.Server(f.Server)
	srv.LagCache(f.Lag.Duration)
	c.healAfter(f.For.Duration, end, func() { srv.LagCache(0) })
}

// restart starts a crashed process again, if it can run: a kubelet or a
// proxy only on a machine that is up.
func (c *Cluster) restart(p *sim.Process) {
	if p.Up() {
		return
	}
	for _, nd := range c.Nodes {
		if (p == nd.Kubelet || p == nd.Proxy) && !nd.Machine.Up() {
			c.W.Trace.Note(p.Name, "not restarted: %s is down", nd.Name)
			return
		}
	}
	p.Start()
}

// processKind tells what a process of the cluster is.
func (c *Cluster) processKind(name string) string {
	switch {
	case c.W.Net.Server(name) != nil:
		return "server"
	case c.Node(name) != nil:
		return "machine"
	case strings.HasPrefix(name, "kubelet/"), strings.HasPrefix(name, "proxy/"):
		return "node"
	}
	return "control-plane"
}

// processes returns the names of the processes of the given kinds, in
// name order.
func (c *Cluster) processes(kinds ...string) []string {
	var out []string
	for _, p := range c.W.Processes() {
		k := c.processKind(p.Name)
		for _, want := range kinds {
			if k == want {
				out = append(out, p.Name)
				break
			}
		}
	}
	return out
}

// checkProcesses checks the processes named by the scenario's faults,
// which exist only once the cluster is built.
func (c *Cluster) checkProcesses(faults []scenario.Fault) error {
	for i, f := range faults {
		var kinds []string
		switch f.Action {
		case "crash-process":
			kinds = []string{"server", "control-plane", "node"}
		case "crash-at-call", "partition-process":
			kinds = []string{"control-plane", "node"}
		default:
			continue
		}
		names := c.processes(kinds...)
		found := false
		for _, n := range names {
			found = found || n == f.Process
		}
		if !found {
			why := "no such process"
			switch c.processKind(f.Process) {
			case "machine":
				why = "a machine: use crash-node or partition-node"
			case "server":
				why = "an API server, which makes no API calls"
			}
			return fmt.Errorf("faults[%d].process: %q is %s (one of %s)", i, f.Process, why, strings.Join(names, ", "))
		}
	}
	return nil
}

// drawControlPlaneFaults draws the profile's control-plane faults. It
// draws nothing (and takes nothing from r) for a profile without them.
func (c *Cluster) drawControlPlaneFaults(r *rand.Rand, maxDown time.Duration) []scenario.Fault {
	p := c.Scenario.Profile
	servers := make([]string, len(c.Servers))
	for i, s := range c.Servers {
		servers[i] = s.Name
	}
	controlPlane := c.processes("control-plane")
	clients := c.processes("control-plane", "node")
	var out []scenario.Fault
	// Times are drawn to the millisecond, which reads better in the
	// timeline and in a shrunk scenario.
	ms := func(d time.Duration) time.Duration {
		return time.Duration(r.Int64N(max(int64(d/time.Millisecond), 1))) * time.Millisecond
	}
	at := func() scenario.Duration { return scenario.Duration{Duration: ms(p.Window.Duration)} }
	lasting := func(d time.Duration) scenario.Duration { return scenario.Duration{Duration: time.Second + ms(d)} }
	pick := func(names []string) string { return names[r.IntN(len(names))] }
	for i := 0; i < p.ServerCrashes; i++ {
		out = append(out, scenario.Fault{At: at(), Action: "crash-process", Process: pick(servers), For: lasting(maxDown)})
	}
	for i := 0; i < p.ProcessCrashes && len(controlPlane) > 0; i++ {
		out = append(out, scenario.Fault{At: at(), Action: "crash-process", Process: pick(append(servers, controlPlane...)), For: lasting(maxDown)})
	}
	for i := 0; i < p.CallCrashes && len(clients) > 0; i++ {
		f := scenario.Fault{At: at(), Action: "crash-at-call", Process: pick(clients), Call: 1 + r.IntN(12)}
		if r.IntN(2) == 1 {
			f.When = "after"
		}
		f.For = scenario.Duration{Duration: ms(3 * time.Second)}
		out = append(out, f)
	}
	for i := 0; i < p.StorePartitions; i++ {
		out = append(out, scenario.Fault{At: at(), Action: "partition-store", Server: pick(servers), For: lasting(maxDown)})
	}
	for i := 0; i < p.StoreOutages; i++ {
		out = append(out, scenario.Fault{At: at(), Action: "store-outage", For: lasting(max(maxDown/4, time.Second))})
	}
	for i := 0; i < p.ServerPartitions && len(clients) > 0; i++ {
		f := scenario.Fault{At: at(), Action: "partition-process", Process: pick(clients), For: lasting(maxDown)}
		if k := r.IntN(len(servers) + 1); k < len(servers) {
			f.Server = servers[k]
		}
		out = append(out, f)
	}
	for i := 0; i < p.CacheFreezes; i++ {
		out = append(out, scenario.Fault{At: at(), Action: "freeze-cache", Server: pick(servers), For: lasting(maxDown)})
	}
	return out
}

// simAPIPort is the port the simulated API servers "listen" on, as the
// kubernetes Service's Endpoints show it.
const simAPIPort = 6443

// simServerAddresses gives the n simulated API servers the addresses the
// kubernetes Service's Endpoints list: 10.0.0.1, 10.0.0.2, ... (the
// simulated network routes by process name; these only fill the objects).
func simServerAddresses(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("10.0.0.%d", i+1)
	}
	return out
}
