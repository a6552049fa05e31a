package proxy

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// DefaultAffinityTimeout is how long a client sticks to a backend under
// ClientIP session affinity when the Service does not say (three hours, as
// in Kubernetes).
const DefaultAffinityTimeout = 3 * time.Hour

// Table is everything a node's proxy needs to route service traffic. It is
// a value: Build makes a new one for every change, and two tables built
// from the same objects are equal.
type Table struct {
	// Ports holds one entry per service port, sorted by service
	// (namespace/name) and then port name.
	Ports []*Port

	// index maps "PROTO/IP:PORT" (and "PROTO/:NODEPORT") to a port.
	index map[string]*Port
}

// Port is one port of one Service: where clients send, and who answers.
type Port struct {
	Namespace, Name string // the Service
	PortName        string // the service port's name ("" when it has one unnamed port)
	Protocol        api.Protocol

	ClusterIP string
	Port      int32
	// NodePort, when not 0, is opened on every node address.
	NodePort int32
	// ExternalIPs are spec.externalIPs and the load balancer's ingress
	// addresses: traffic to any of them on Port is this service's too.
	ExternalIPs []string

	// Affinity, when not 0, pins each client IP to the backend it first got
	// for this long (sessionAffinity: ClientIP).
	Affinity time.Duration

	// Backends are the ready endpoints for this port, sorted by IP then
	// port. Empty means traffic is refused.
	Backends []Endpoint
}

// Endpoint is one backend: a pod's address and the port it listens on.
type Endpoint struct {
	IP   string
	Port int32
	// Pod is "namespace/name" when the Endpoints said which pod it is.
	Pod  string
	Node string
}

// Service returns "namespace/name".
func (p *Port) Service() string { return p.Namespace + "/" + p.Name }

// String names the port as people write it: namespace/name:port-name.
func (p *Port) String() string {
	if p.PortName == "" {
		return p.Service()
	}
	return p.Service() + ":" + p.PortName
}

// Frontend is how traffic reaches the port, as a line of Table.String
// begins: the port's name, protocol and cluster address, then each external
// address, the node port and the affinity when there are any:
//
//	default/web:http TCP 10.96.0.10:80 10.0.0.7:80 node:30080 affinity=3h0m0s
func (p *Port) Frontend() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s:%d", p, p.Protocol, p.ClusterIP, p.Port)
	for _, ip := range p.ExternalIPs {
		fmt.Fprintf(&b, " %s:%d", ip, p.Port)
	}
	if p.NodePort != 0 {
		fmt.Fprintf(&b, " node:%d", p.NodePort)
	}
	if p.Affinity != 0 {
		fmt.Fprintf(&b, " affinity=%s", p.Affinity)
	}
	return b.String()
}

// Build makes the table for services and the endpoints of the same names.
// Headless and ExternalName services have no virtual address and are left
// out; so are ports without a cluster IP yet (the API server allocates it
// on create). Only ready addresses become backends: a pod that fails its
// readiness probe, or is terminating, gets no new traffic.
func Build(services []*api.Service, endpoints []*api.Endpoints) *Table {
	eps := map[string]*api.Endpoints{}
	for _, e := range endpoints {
		eps[e.Namespace+"/"+e.Name] = e
	}
	t := &Table{index: map[string]*Port{}}
	for _, s := range services {
		ip := s.Spec.ClusterIP
		if s.Spec.Type == api.ServiceExternalName || ip == "" || ip == "None" {
			continue
		}
		external := externalIPs(s)
		var affinity time.Duration
		if s.Spec.SessionAffinity == "ClientIP" {
			affinity = DefaultAffinityTimeout
			if c := s.Spec.SessionAffinityConfig; c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil {
				affinity = time.Duration(*c.ClientIP.TimeoutSeconds) * time.Second
			}
		}
		for _, sp := range s.Spec.Ports {
			p := &Port{
				Namespace: s.Namespace, Name: s.Name, PortName: sp.Name, Protocol: protocol(sp.Protocol),
				ClusterIP: ip, Port: sp.Port, ExternalIPs: external, Affinity: affinity,
			}
			if s.Spec.Type == api.ServiceNodePort || s.Spec.Type == api.ServiceLoadBalancer {
				p.NodePort = sp.NodePort
			}
			p.Backends = backends(eps[s.Namespace+"/"+s.Name], sp.Name, p.Protocol)
			t.Ports = append(t.Ports, p)
		}
	}
	slices.SortFunc(t.Ports, func(a, b *Port) int {
		return strings.Compare(a.Namespace+"/"+a.Name+":"+a.PortName, b.Namespace+"/"+b.Name+":"+b.PortName)
	})
	for _, p := range t.Ports {
		t.add(p)
	}
	return t
}

// add indexes p under each address it answers on. When two services claim
// the same address and port (two services sharing an external IP, say) the
// first in the table's order wins, so the outcome does not depend on the
// order objects arrived in.
func (t *Table) add(p *Port) {
	put := func(k string) {
		if _, taken := t.index[k]; !taken {
			t.index[k] = p
		}
	}
	put(key(p.Protocol, p.ClusterIP, p.Port))
	for _, ip := range p.ExternalIPs {
		put(key(p.Protocol, ip, p.Port))
	}
	if p.NodePort != 0 {
		put(key(p.Protocol, "", p.NodePort))
	}
}

func key(proto api.Protocol, ip string, port int32) string {
	return fmt.Sprintf("%s/%s:%d", proto, ip, port)
}

func protocol(p api.Protocol) api.Protocol {
	if p == "" {
		return api.ProtocolTCP
	}
	return p
}

// externalIPs are the addresses beyond the cluster IP that reach the
// service: spec.externalIPs and the load balancer's ingress IPs, sorted
// and without duplicates.
func externalIPs(s *api.Service) []string {
	var out []string
	for _, ip := range s.Spec.ExternalIPs {
		out = append(out, ip)
	}
	if s.Spec.Type == api.ServiceLoadBalancer {
		for _, in := range s.Status.LoadBalancer.Ingress {
			if in.IP != "" {
				out = append(out, in.IP)
			}
		}
	}
	slices.SortFunc(out, compareIP)
	return slices.Compact(out)
}

// backends lists the ready addresses of e serving the service port called
// name. Endpoints name their ports after the service's ports, which is how
// a service port finds its target port on each pod.
func backends(e *api.Endpoints, name string, proto api.Protocol) []Endpoint {
	if e == nil {
		return nil
	}
	var out []Endpoint
	for _, ss := range e.Subsets {
		for _, ep := range ss.Ports {
			if ep.Name != name || protocol(ep.Protocol) != proto {
				continue
			}
			for _, a := range ss.Addresses {
				b := Endpoint{IP: a.IP, Port: ep.Port}
				if a.TargetRef != nil && a.TargetRef.Kind == "Pod" {
					b.Pod = a.TargetRef.Namespace + "/" + a.TargetRef.Name
				}
				if a.NodeName != nil {
					b.Node = *a.NodeName
				}
				out = append(out, b)
			}
		}
	}
	slices.SortFunc(out, func(a, b Endpoint) int {
		if c := compareIP(a.IP, b.IP); c != 0 {
			return c
		}
		return int(a.Port - b.Port)
	})
	return slices.CompactFunc(out, func(a, b Endpoint) bool { return a.IP == b.IP && a.Port == b.Port })
}

// compareIP orders addresses numerically (10.0.0.9 before 10.0.0.10),
// falling back to text for anything that does not parse.
func compareIP(a, b string) int {
	x, errx := netip.ParseAddr(a)
	y, erry := netip.ParseAddr(b)
	if errx != nil || erry != nil {
		return strings.Compare(a, b)
	}
	return x.Compare(y)
}

// Route returns the service port that traffic to ip:port over proto
// belongs to, or nil. local says whether ip is one of this node's own
// addresses, the only addresses node ports are open on.
func (t *Table) Route(proto api.Protocol, ip string, port int32, local bool) *Port {
	if t == nil {
		return nil
	}
	if p := t.index[key(protocol(proto), ip, port)]; p != nil {
		return p
	}
	if local {
		return t.index[key(protocol(proto), "", port)]
	}
	return nil
}

// Lookup returns the port called portName of service namespace/name.
func (t *Table) Lookup(namespace, name, portName string) *Port {
	if t == nil {
		return nil
	}
	for _, p := range t.Ports {
		if p.Namespace == namespace && p.Name == name && p.PortName == portName {
			return p
		}
	}
	return nil
}

// String renders the table a line per service port, the way the book and
// the simulator's timeline show it:
//
//	default/web:http TCP 10.96.0.10:80 node:30080 -> 10.88.0.2:8080 10.88.0.3:8080
func (t *Table) String() string {
	var b strings.Builder
	for _, p := range t.Ports {
		b.WriteString(p.Frontend())
		b.WriteString(" ->")
		if len(p.Backends) == 0 {
			b.WriteString(" (no ready endpoints: refused)")
		}
		for _, e := range p.Backends {
			fmt.Fprintf(&b, " %s:%d", e.IP, e.Port)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Equal reports whether two tables route identically.
func (t *Table) Equal(u *Table) bool {
	if t == nil || u == nil {
		return t == u
	}
	return t.String() == u.String()
}
