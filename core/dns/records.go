package dns

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// DefaultDomain is the cluster zone when none is configured.
const DefaultDomain = "cluster.local"

// maxChase bounds how many CNAMEs Answer follows inside the zone, so that
// ExternalName services naming each other in a circle still get an answer.
const maxChase = 8

// Records is the cluster zone at one moment. Build makes it; nothing
// changes it afterwards, so any number of goroutines may Answer from it.
type Records struct {
	zone  string           // "cluster.local."
	names map[string]*node // every name that exists, empty non-terminals included
}

// node is what one name holds. A name holds a CNAME or other records,
// never both.
type node struct {
	a     []netip.Addr
	cname string
	srv   []Record
}

// Zone returns the zone's apex, fully qualified: "cluster.local.".
func (r *Records) Zone() string { return r.zone }

// Build makes the zone domain ("" means DefaultDomain) for services and
// the endpoints of the same names. The order of either slice does not
// matter.
//
//   - A service with a cluster IP (ClusterIP, NodePort, LoadBalancer) gets
//     an A record for it, and an SRV record per named port pointing at the
//     service's name. One whose IP is not allocated yet exists without
//     records.
//   - A headless service (clusterIP None) gets an A record per ready
//     endpoint address (not-ready ones too under publishNotReadyAddresses),
//     one for HOSTNAME.SERVICE... per address with a hostname (the pods of
//     a StatefulSet), and SRV records per named port and address.
//   - An ExternalName service is a CNAME to spec.externalName.
//
// Only IPv4 addresses are served; others are skipped.
func Build(domain string, services []*api.Service, endpoints []*api.Endpoints) *Records {
	r := &Records{zone: fqdn(cmp.Or(domain, DefaultDomain)), names: map[string]*node{}}
	r.ensure(r.zone)
	eps := map[string]*api.Endpoints{}
	for _, e := range endpoints {
		eps[e.Namespace+"/"+e.Name] = e
	}
	services = slices.Clone(services)
	slices.SortFunc(services, func(a, b *api.Service) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	for _, s := range services {
		base := strings.ToLower(s.Name + "." + s.Namespace + ".svc." + r.zone)
		n := r.ensure(base)
		switch {
		case s.Spec.Type == api.ServiceExternalName:
			if s.Spec.ExternalName != "" {
				n.cname = fqdn(s.Spec.ExternalName)
			}
		case s.Spec.ClusterIP == "None":
			r.addHeadless(base, s, eps[s.Namespace+"/"+s.Name])
		default:
			ip, err := netip.ParseAddr(s.Spec.ClusterIP)
			if err != nil || !ip.Is4() {
				continue
			}
			n.a = append(n.a, ip)
			for _, p := range s.Spec.Ports {
				if p.Name != "" {
					r.addSRV(srvName(p.Name, p.Protocol, base), base, p.Port)
				}
			}
		}
	}
	for _, n := range r.names {
		slices.SortFunc(n.a, netip.Addr.Compare)
		n.a = slices.Compact(n.a)
		slices.SortFunc(n.srv, func(a, b Record) int {
			return cmp.Or(cmp.Compare(a.Target, b.Target), cmp.Compare(a.Port, b.Port))
		})
		n.srv = slices.Compact(n.srv)
	}
	return r
}

// addHeadless adds the records of headless service s, whose name is base,
// from its endpoints e (nil when there are none yet).
func (r *Records) addHeadless(base string, s *api.Service, e *api.Endpoints) {
	if e == nil {
		return
	}
	for _, ss := range e.Subsets {
		addrs := ss.Addresses
		if s.Spec.PublishNotReadyAddresses {
			addrs = append(slices.Clone(addrs), ss.NotReadyAddresses...)
		}
		for _, a := range addrs {
			ip, err := netip.ParseAddr(a.IP)
			if err != nil || !ip.Is4() {
				continue
			}
			n := r.names[base]
			n.a = append(n.a, ip)
			// The SRV target of an address without a hostname is named
			// after its IP, as Kubernetes does: 10-1-2-3.SERVICE...
			host := strings.ReplaceAll(ip.String(), ".", "-")
			if a.Hostname != "" {
				host = strings.ToLower(a.Hostname)
			}
			target := host + "." + base
			t := r.ensure(target)
			t.a = append(t.a, ip)
			for _, p := range ss.Ports {
				if p.Name != "" {
					r.addSRV(srvName(p.Name, p.Protocol, base), target, p.Port)
				}
			}
		}
	}
}

func (r *Records) addSRV(name, target string, port int32) {
	n := r.ensure(name)
	n.srv = append(n.srv, Record{Name: name, Type: TypeSRV, Target: target, Priority: 0, Weight: 100, Port: uint16(port)})
}

// srvName is _PORT._PROTO.base; the protocol defaults to TCP.
func srvName(port string, proto api.Protocol, base string) string {
	return strings.ToLower("_" + port + "._" + cmp.Or(string(proto), "TCP") + "." + base)
}

// ensure returns name's node, creating it and marking its ancestors up to
// the zone as existing: a resolver asking for default.svc.cluster.local
// must hear "no records", not "no such name", while services live below.
func (r *Records) ensure(name string) *node {
	n := r.names[name]
	if n == nil {
		n = &node{}
		r.names[name] = n
	}
	for p := name; p != r.zone && strings.HasSuffix(p, "."+r.zone); {
		p = p[strings.Index(p, ".")+1:]
		if r.names[p] == nil {
			r.names[p] = &node{}
		}
	}
	return n
}

// fqdn lower-cases name and ends it with exactly one dot.
func fqdn(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, ".")) + "."
}

// inZone reports whether fully qualified name is the zone or below it.
func (r *Records) inZone(name string) bool {
	return name == r.zone || strings.HasSuffix(name, "."+r.zone)
}

// Answer answers q from the zone. CNAMEs are followed while their targets
// stay in the zone; one that leaves it ends the answer, and a server that
// wants to give the target's addresses too must ask elsewhere. The Rcode
// is that of the last name looked at (RFC 6604).
func (r *Records) Answer(q Question) Response {
	name := fqdn(q.Name)
	if !r.inZone(name) {
		return Response{}
	}
	resp := Response{Mine: true, Zone: r.zone}
	for range maxChase {
		n := r.names[name]
		if n == nil {
			resp.Rcode = RcodeNXDomain
			return resp
		}
		if n.cname != "" && q.Type != TypeCNAME {
			resp.Answers = append(resp.Answers, Record{Name: name, Type: TypeCNAME, Target: n.cname})
			if q.Type == TypeANY || !r.inZone(n.cname) {
				return resp
			}
			name = n.cname
			continue
		}
		if (q.Type == TypeA || q.Type == TypeANY) && len(n.a) > 0 {
			for _, ip := range n.a {
				resp.Answers = append(resp.Answers, Record{Name: name, Type: TypeA, A: ip})
			}
		}
		if q.Type == TypeCNAME && n.cname != "" {
			resp.Answers = append(resp.Answers, Record{Name: name, Type: TypeCNAME, Target: n.cname})
		}
		if q.Type == TypeSRV || q.Type == TypeANY {
			resp.Answers = append(resp.Answers, n.srv...)
		}
		return resp
	}
	return resp
}
