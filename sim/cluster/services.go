package cluster

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/proxy"
	"github.com/tinykube/tinykube/sim"
)

// A node's service proxy in the simulator is two things, as on a real
// machine: the proxy process (core/proxy, watching the API; it can crash or
// be cut off like the kubelet) and the routing table it installs, which
// belongs to the machine (the kernel's rules) and outlives the proxy
// process: a crashed proxy leaves its last table in place, routing to
// backends that may be long gone. Only the machine's own death clears it.

// addProxy adds node nd's service proxy process.
func (c *Cluster) addProxy(nd *Node) {
	w := c.W
	nd.balancer = proxy.NewBalancer()
	nd.Proxy = w.AddProcess("proxy/"+nd.Name, func(p *sim.Process) {
		proxy.New(proxy.Config{Loop: p.Loop(), Client: p.Client(), Backend: nodeTable{c, nd}}).Start()
	})
	nd.Proxy.Start()
}

// nodeTable is the proxy Backend of a simulated node: it installs the
// table on the machine and notes what changed in the trace, one line per
// service port whose backends changed.
type nodeTable struct {
	c  *Cluster
	nd *Node
}

func (b nodeTable) Apply(t *proxy.Table) error {
	if install := b.c.plugins.ProxyInstall; install != nil {
		t = install(b.nd.Table, t)
	}
	old := map[string]string{}
	if b.nd.Table != nil {
		for _, p := range b.nd.Table.Ports {
			old[p.String()] = backendList(p)
		}
	}
	var changes []string
	for _, p := range t.Ports {
		now := backendList(p)
		if prev, ok := old[p.String()]; !ok || prev != now {
			changes = append(changes, p.String()+" -> "+now)
		}
		delete(old, p.String())
	}
	for _, gone := range slices.Sorted(maps.Keys(old)) {
		changes = append(changes, gone+" removed")
	}
	b.nd.Table = t
	b.c.spreadLoad() // the requests follow the new rules (load.go)
	for _, ch := range changes {
		b.c.W.Trace.Note(b.nd.Proxy.Name, "route %s", ch)
	}
	return nil
}

func backendList(p *proxy.Port) string {
	if len(p.Backends) == 0 {
		return "(none)"
	}
	var ips []string
	for _, e := range p.Backends {
		ips = append(ips, e.IP)
	}
	return strings.Join(ips, ",")
}

// proxyWatching says whether nd's proxy hears about changes now: it runs,
// is not cut off from the API server, and both its watches (services and
// endpoints) are open. A proxy that is not watching cannot be blamed for
// routing by old news; the service-routing bound counts from the moment
// it is watching again. (That it gets back at all is liveness: its table
// must match the endpoints once faults heal.) Nor can it while faults of
// the control plane delay the endpoints it follows (controlPlaneSettled).
func (c *Cluster) proxyWatching(nd *Node) bool {
	return nd.Proxy.Up() && !c.W.Net.Cut(nd.Proxy.Name) && c.W.Net.OpenStreams(nd.Proxy.Name) >= 2 && c.controlPlaneSettled()
}

// updateView records when nd's proxy started watching uninterruptedly.
func (c *Cluster) updateView(nd *Node) {
	watching := c.proxyWatching(nd)
	if !watching {
		nd.blind = true
	} else if nd.blind {
		nd.blind, nd.viewSince = false, c.W.Elapsed()
	}
}

// startTraffic sends a round of requests every t.Every for the whole run.
func (c *Cluster) startTraffic() {
	t := c.Scenario.Traffic
	if t == nil {
		return
	}
	r := c.W.Rand("traffic")
	c.trafficRand = r
	c.traffic = &trafficStats{served: map[string]int{}, lastServed: map[string]time.Duration{}}
	var round func()
	round = func() {
		c.sendRound(r.IntN(len(c.Nodes)))
		c.W.Loop.After(t.Every.Duration, round)
	}
	c.W.At(t.Every.Duration, round)
}

// clientsPerNode is how many distinct clients (source addresses, as far
// as session affinity is concerned) each node has.
const clientsPerNode = 8

// trafficStats counts what the simulated clients saw.
type trafficStats struct {
	sent, refused, failed int
	// served counts requests per backend pod (namespace/name);
	// lastServed is when each last got one.
	served     map[string]int
	lastServed map[string]time.Duration
}

// sendRound sends one request per service port from a client on node i,
// through that node's table: the request goes to the port's cluster IP,
// Route finds the port (as the kernel matches a packet's destination),
// the Balancer picks a backend, and the request reaches whichever machine
// runs a ready container on that IP — or fails.
func (c *Cluster) sendRound(i int) {
	nd := c.Nodes[i]
	if !nd.Machine.Up() || nd.Table == nil {
		return
	}
	now := c.W.Elapsed()
	for _, n := range c.Nodes {
		c.updateView(n)
	}
	for _, p := range nd.Table.Ports {
		port := nd.Table.Route(p.Protocol, p.ClusterIP, p.Port, false)
		c.traffic.sent++
		client := fmt.Sprintf("%s/client-%d", nd.Name, c.trafficRand.IntN(clientsPerNode))
		e, ok := nd.balancer.Pick(port, client, c.W.Now())
		if !ok {
			c.traffic.refused++
			continue
		}
		if !c.reachable(e.IP) {
			c.traffic.failed++
		}
		if e.Pod != "" {
			c.traffic.served[e.Pod]++
			c.traffic.lastServed[e.Pod] = now
		}
		if err := c.checker.routed(nd, port, e, now, c.Scenario.Traffic.Bound.Duration); err != nil {
			c.W.Fail(err)
			return
		}
	}
	nd.balancer.Forget(c.W.Now())
}

// reachable reports whether some live machine runs a ready sandbox with
// this IP.
func (c *Cluster) reachable(ip string) bool {
	for _, n := range c.Nodes {
		if n.Machine.Up() && n.Runtime != nil && n.Runtime.HasIP(ip) {
			return true
		}
	}
	return false
}

// servicesServed is the liveness side of traffic: once faults have
// healed, every pod that has been a ready backend of a service for longer
// than the propagation bound has had requests since.
func (c *Cluster) servicesServed(eps []*api.Endpoints) error {
	if c.traffic == nil {
		return nil
	}
	bound := c.Scenario.Traffic.Bound.Duration
	now := c.W.Elapsed()
	affinity := map[string]bool{}
	for _, n := range c.Nodes {
		if n.Table == nil {
			continue
		}
		for _, p := range n.Table.Ports {
			if p.Affinity > 0 {
				affinity[p.Service()] = true
			}
		}
	}
	for _, e := range eps {
		if affinity[e.Namespace+"/"+e.Name] {
			// Under ClientIP affinity a client stays with its backend for as
			// long as that backend is ready: a new pod only gets clients that
			// are new (or whose backend went away), so it may rightly see
			// nothing for a long time.
			continue
		}
		for _, ss := range e.Subsets {
			for _, a := range ss.Addresses {
				if a.TargetRef == nil {
					continue
				}
				key := a.TargetRef.Namespace + "/" + a.TargetRef.Name
				f := c.checker.backends[key]
				if f == nil || !f.servable || now-f.since < 2*bound {
					continue
				}
				if last, ok := c.traffic.lastServed[key]; !ok || last < f.since {
					return fmt.Errorf("service %s/%s: ready backend %s (%s) has had no request in the %v since it became ready", e.Namespace, e.Name, key, a.IP, (now - f.since).Round(time.Millisecond))
				}
			}
		}
	}
	return nil
}

// servicesLive is liveness for services: every service with a selector
// lists exactly its ready pods' IPs as ready endpoints; every live node's
// proxy routes each service port to exactly those; and, with traffic on,
// every ready backend has been receiving requests.
func (c *Cluster) servicesLive(v *liveView) error {
	pods := v.pods
	ctx := context.Background()
	svcs, err := client.For[*api.Service](c.Admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return err
	}
	eps, err := client.For[*api.Endpoints](c.Admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return err
	}
	byName := map[string]*api.Endpoints{}
	for _, e := range eps.Items {
		byName[e.Namespace+"/"+e.Name] = e
	}
	for _, s := range svcs.Items {
		if len(s.Spec.Selector) == 0 || s.Spec.Type == api.ServiceExternalName {
			continue
		}
		key := s.Namespace + "/" + s.Name
		sel := api.SelectorFromSet(s.Spec.Selector)
		var want []string
		for _, p := range pods {
			if p.Namespace == s.Namespace && sel.Matches(p.Labels) && p.DeletionTimestamp == nil &&
				p.Status.PodIP != "" && p.Status.Phase == api.PodRunning && api.IsPodReady(p) {
				want = append(want, p.Status.PodIP)
			}
		}
		sort.Strings(want)
		var got []string
		if e := byName[key]; e != nil {
			for _, ss := range e.Subsets {
				for _, a := range ss.Addresses {
					got = append(got, a.IP)
				}
			}
		}
		sort.Strings(got)
		got = slices.Compact(got)
		if !slices.Equal(got, want) {
			return fmt.Errorf("service %s: endpoints list %v, but its ready pods are %v", key, got, want)
		}
		if s.Spec.ClusterIP == "" || s.Spec.ClusterIP == "None" {
			continue
		}
		for _, n := range c.Nodes {
			if !n.Machine.Up() || c.W.Net.Cut(n.Proxy.Name) {
				continue
			}
			for _, sp := range s.Spec.Ports {
				p := n.Table.Lookup(s.Namespace, s.Name, sp.Name)
				if p == nil {
					return fmt.Errorf("service %s port %q: %s's proxy has no rule for it", key, sp.Name, n.Name)
				}
				var ips []string
				for _, b := range p.Backends {
					ips = append(ips, b.IP)
				}
				sort.Strings(ips)
				if !slices.Equal(ips, want) {
					return fmt.Errorf("service %s port %q: %s's proxy routes to %v, but its ready pods are %v", key, sp.Name, n.Name, ips, want)
				}
			}
		}
	}
	return c.servicesServed(eps.Items)
}
