package cluster

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/proxy"
	"github.com/tinykube/tinykube/sim/scenario"
)

// A scenario's load (scenario.Load) is a rate, not a stream of requests:
// the cluster keeps each service port's current requests a second,
// spreads them over pod IPs as the nodes' tables would, and tells every
// machine's runtime how much each of its pods receives (Runtime.SetLoad).
// A pod whose behaviour has cpu-per-request then uses CPU for it, and the
// runtime's counters integrate that exactly. The spread is recomputed
// whenever it can change — a load step, a table installed, a machine
// gone — never on a timer, so a load costs nothing while nothing changes.

// loadState is the load on each service port now, and its spread.
type loadState struct {
	rps   map[loadKey]float64
	perIP map[string]float64 // the last spread, for machines that boot later
}

// loadKey names the service port a load step is for (port "": its first).
type loadKey struct{ namespace, service, port string }

func (k loadKey) String() string {
	s := k.namespace + "/" + k.service
	if k.port != "" {
		s += ":" + k.port
	}
	return s
}

// startLoad schedules the scenario's load steps.
func (c *Cluster) startLoad() {
	steps := c.Scenario.Load
	if len(steps) == 0 {
		return
	}
	c.load = &loadState{rps: map[loadKey]float64{}, perIP: map[string]float64{}}
	for _, st := range steps {
		k := loadKey{st.Namespace, st.Service, st.Port}
		rps := st.RPS
		c.W.At(st.At.Duration, func() {
			c.load.rps[k] = rps
			c.W.Trace.Note("load", "%s: %g requests a second", k, rps)
			c.spreadLoad()
		})
	}
}

// spreadLoad recomputes which pod IP receives how many requests a second
// and tells every live machine. The clients are spread evenly over the
// live nodes with a table; each node's share goes evenly to the backends
// its own table lists for the port (stale or not). Does nothing without
// a load.
func (c *Cluster) spreadLoad() {
	if c.load == nil {
		return
	}
	var senders []*Node
	for _, n := range c.Nodes {
		if n.Machine.Up() && n.Table != nil {
			senders = append(senders, n)
		}
	}
	perIP := map[string]float64{}
	keys := slices.SortedFunc(maps.Keys(c.load.rps), func(a, b loadKey) int { return cmp.Compare(a.String(), b.String()) })
	for _, k := range keys {
		rps := c.load.rps[k]
		if rps <= 0 || len(senders) == 0 {
			continue
		}
		share := rps / float64(len(senders))
		for _, n := range senders {
			p := loadPort(n.Table, k)
			if p == nil || len(p.Backends) == 0 {
				continue // refused: this node's clients get no answer
			}
			each := share / float64(len(p.Backends))
			for _, e := range p.Backends {
				perIP[e.IP] += each
			}
		}
	}
	c.load.perIP = perIP
	for _, n := range c.Nodes {
		if n.Machine.Up() && n.Runtime != nil {
			n.Runtime.SetLoad(perIP)
		}
	}
}

// loadPort finds the service port of k in t: the named one, or the
// service's first.
func loadPort(t *proxy.Table, k loadKey) *proxy.Port {
	for _, p := range t.Ports {
		if p.Namespace == k.namespace && p.Name == k.service && (k.port == "" || p.PortName == k.port) {
			return p
		}
	}
	return nil
}

// LoadOn returns the requests a second pod IP ip receives now from the
// scenario's load (0 without one).
func (c *Cluster) LoadOn(ip string) float64 {
	if c.load == nil {
		return 0
	}
	return c.load.perIP[ip]
}

// bootUsage sets up a freshly booted machine's runtime for measuring:
// what the node has, the load its pods receive now, and an outage of its
// stats that is still on.
func (c *Cluster) bootUsage(nd *Node, capacity api.ResourceList) {
	nd.Runtime.SetCapacity(capacity)
	if c.load != nil {
		nd.Runtime.SetLoad(c.load.perIP)
	}
	if nd.statsOutage {
		nd.Runtime.SetStatsOutage(metricsOutageReason)
	}
}

const metricsOutageReason = "metrics-outage fault"

// metricsOutage makes node f.Node's stats unavailable: its kubelet's
// Summary fails until end-metrics-outage, across reboots of the machine;
// its pods run on. A metrics pipeline scraping it must carry on without
// that node's numbers. Runs on the world's loop.
func (c *Cluster) metricsOutage(f scenario.Fault) {
	nd := c.Node(f.Node)
	nd.statsOutage = true
	if nd.Runtime != nil {
		nd.Runtime.SetStatsOutage(metricsOutageReason)
	}
}

// endMetricsOutage ends a metrics-outage of node f.Node. Runs on the
// world's loop.
func (c *Cluster) endMetricsOutage(f scenario.Fault) {
	nd := c.Node(f.Node)
	nd.statsOutage = false
	if nd.Runtime != nil {
		nd.Runtime.SetStatsOutage("")
	}
}

// Summary is what node n's kubelet answers on /stats/summary now
// (kubelet.Summary): what the node and each of its pods use. It fails
// when the machine or the kubelet process is down (nobody answers) and
// during a metrics-outage fault of the node. Whether the caller could
// reach the kubelet over the simulated network is the caller's to judge
// (a node partitioned from the API servers, Net.Cut(n.Kubelet.Name), is
// a fair stand-in). Call it on the world's loop: from a callback, or
// between runs.
func (n *Node) Summary() (api.Summary, error) {
	if !n.Machine.Up() {
		return api.Summary{}, fmt.Errorf("node %s is down: its kubelet does not answer", n.Name)
	}
	if !n.Kubelet.Up() || n.kubelet == nil {
		return api.Summary{}, fmt.Errorf("%s is not running: nothing answers on the node's kubelet port", n.Kubelet.Name)
	}
	return n.kubelet.Summary()
}
