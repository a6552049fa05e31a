package dns

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/tinykube/tinykube/core/api"
)

func svc(ns, name, typ, clusterIP string, ports ...api.ServicePort) *api.Service {
	s := &api.Service{ObjectMeta: api.ObjectMeta{Namespace: ns, Name: name},
		Spec: api.ServiceSpec{Type: typ, ClusterIP: clusterIP, Ports: ports}}
	return s
}

func eps(ns, name string, ready []api.EndpointAddress, notReady []api.EndpointAddress, ports ...api.EndpointPort) *api.Endpoints {
	return &api.Endpoints{ObjectMeta: api.ObjectMeta{Namespace: ns, Name: name},
		Subsets: []api.EndpointSubset{{Addresses: ready, NotReadyAddresses: notReady, Ports: ports}}}
}

func addr(ip, hostname string) api.EndpointAddress {
	return api.EndpointAddress{IP: ip, Hostname: hostname}
}

// zone is a small cluster: a ClusterIP service with named ports, a
// headless StatefulSet service, an ExternalName and a service without IP.
func zone() *Records {
	ext := svc("default", "mail", api.ServiceExternalName, "")
	ext.Spec.ExternalName = "Mail.Example.COM"
	alias := svc("default", "alias", api.ServiceExternalName, "")
	alias.Spec.ExternalName = "web.default.svc.cluster.local"
	return Build("", []*api.Service{
		svc("default", "web", api.ServiceClusterIP, "10.96.0.60",
			api.ServicePort{Name: "http", Port: 80}, api.ServicePort{Name: "dns", Protocol: api.ProtocolUDP, Port: 53}),
		svc("default", "db", "", "None"),
		svc("other", "web", api.ServiceNodePort, "10.96.0.61"),
		svc("default", "empty", "", "None"),
		svc("default", "pending", "", ""),
		ext, alias,
	}, []*api.Endpoints{
		eps("default", "db", []api.EndpointAddress{addr("10.88.0.7", "db-1"), addr("10.88.0.5", "db-0")},
			[]api.EndpointAddress{addr("10.88.0.9", "db-2")}, api.EndpointPort{Name: "pg", Port: 5432}),
		eps("default", "web", []api.EndpointAddress{addr("10.88.0.3", "")}, nil),
	})
}

func a(name, ip string) Record {
	return Record{Name: name, Type: TypeA, A: netip.MustParseAddr(ip)}
}

func TestAnswer(t *testing.T) {
	r := zone()
	for _, tc := range []struct {
		q    Question
		want Response
	}{
		{Question{"web.default.svc.cluster.local.", TypeA},
			Response{Mine: true, Zone: "cluster.local.", Answers: []Record{a("web.default.svc.cluster.local.", "10.96.0.60")}}},
		{Question{"WEB.Default.svc.cluster.local", TypeA}, // no dot, any case
			Response{Mine: true, Zone: "cluster.local.", Answers: []Record{a("web.default.svc.cluster.local.", "10.96.0.60")}}},
		{Question{"web.other.svc.cluster.local.", TypeA},
			Response{Mine: true, Zone: "cluster.local.", Answers: []Record{a("web.other.svc.cluster.local.", "10.96.0.61")}}},
		{Question{"db.default.svc.cluster.local.", TypeA}, // ready addresses only, sorted
			Response{Mine: true, Zone: "cluster.local.", Answers: []Record{
				a("db.default.svc.cluster.local.", "10.88.0.5"), a("db.default.svc.cluster.local.", "10.88.0.7")}}},
		{Question{"db-1.db.default.svc.cluster.local.", TypeA},
			Response{Mine: true, Zone: "cluster.local.", Answers: []Record{a("db-1.db.default.svc.cluster.local.", "10.88.0.7")}}},
		{Question{"db-2.db.default.svc.cluster.local.", TypeA}, // not ready
			Response{Mine: true, Zone: "cluster.local.", Rcode: RcodeNXDomain}},
		{Question{"mail.default.svc.cluster.local.", TypeA},
			Response{Mine: true, Zone: "cluster.local.", Answers: []Record{{Name: "mail.default.svc.cluster.local.", Type: TypeCNAME, Target: "mail.example.com."}}}},
		{Question{"alias.default.svc.cluster.local.", TypeA}, // followed inside the zone
			Response{Mine: true, Zone: "cluster.local.", Answers: []Record{
				{Name: "alias.default.svc.cluster.local.", Type: TypeCNAME, Target: "web.default.svc.cluster.local."},
				a("web.default.svc.cluster.local.", "10.96.0.60")}}},
		{Question{"_http._tcp.web.default.svc.cluster.local.", TypeSRV},
			Response{Mine: true, Zone: "cluster.local.", Answers: []Record{{Name: "_http._tcp.web.default.svc.cluster.local.", Type: TypeSRV,
				Target: "web.default.svc.cluster.local.", Weight: 100, Port: 80}}}},
		{Question{"_dns._udp.web.default.svc.cluster.local.", TypeSRV},
			Response{Mine: true, Zone: "cluster.local.", Answers: []Record{{Name: "_dns._udp.web.default.svc.cluster.local.", Type: TypeSRV,
				Target: "web.default.svc.cluster.local.", Weight: 100, Port: 53}}}},
		{Question{"_pg._tcp.db.default.svc.cluster.local.", TypeSRV},
			Response{Mine: true, Zone: "cluster.local.", Answers: []Record{
				{Name: "_pg._tcp.db.default.svc.cluster.local.", Type: TypeSRV, Target: "db-0.db.default.svc.cluster.local.", Weight: 100, Port: 5432},
				{Name: "_pg._tcp.db.default.svc.cluster.local.", Type: TypeSRV, Target: "db-1.db.default.svc.cluster.local.", Weight: 100, Port: 5432}}}},
		// Names that exist with no records of the type: NOERROR, empty.
		{Question{"web.default.svc.cluster.local.", TypeAAAA}, Response{Mine: true, Zone: "cluster.local."}},
		{Question{"empty.default.svc.cluster.local.", TypeA}, Response{Mine: true, Zone: "cluster.local."}},
		{Question{"pending.default.svc.cluster.local.", TypeA}, Response{Mine: true, Zone: "cluster.local."}},
		{Question{"default.svc.cluster.local.", TypeA}, Response{Mine: true, Zone: "cluster.local."}},
		{Question{"svc.cluster.local.", TypeA}, Response{Mine: true, Zone: "cluster.local."}},
		{Question{"cluster.local.", TypeSOA}, Response{Mine: true, Zone: "cluster.local."}},
		{Question{"_tcp.web.default.svc.cluster.local.", TypeSRV}, Response{Mine: true, Zone: "cluster.local."}},
		// No such name.
		{Question{"nope.default.svc.cluster.local.", TypeA}, Response{Mine: true, Zone: "cluster.local.", Rcode: RcodeNXDomain}},
		{Question{"web.nope.svc.cluster.local.", TypeAAAA}, Response{Mine: true, Zone: "cluster.local.", Rcode: RcodeNXDomain}},
		{Question{"web.default.svc.cluster.local.default.svc.cluster.local.", TypeA}, Response{Mine: true, Zone: "cluster.local.", Rcode: RcodeNXDomain}},
		// Not ours.
		{Question{"example.com.", TypeA}, Response{}},
		{Question{"local.", TypeA}, Response{}},
		{Question{"xcluster.local.", TypeA}, Response{}},
	} {
		if diff := cmp.Diff(tc.want, r.Answer(tc.q), cmp.Comparer(func(x, y netip.Addr) bool { return x == y })); diff != "" {
			t.Errorf("Answer(%s %d) (-want +got):\n%s", tc.q.Name, tc.q.Type, diff)
		}
	}
}

func TestOtherDomain(t *testing.T) {
	r := Build("Corp.Example.", []*api.Service{svc("ns", "web", "", "10.0.0.1")}, nil)
	if got := r.Answer(Question{"web.ns.svc.corp.example.", TypeA}); len(got.Answers) != 1 || got.Zone != "corp.example." {
		t.Errorf("Answer(web.ns.svc.corp.example.) = %+v, want one A record in zone corp.example.", got)
	}
	if got := r.Answer(Question{"web.ns.svc.cluster.local.", TypeA}); got.Mine {
		t.Errorf("Answer(web.ns.svc.cluster.local.) = %+v in zone corp.example., want not mine", got)
	}
}

func TestExternalNameLoopEnds(t *testing.T) {
	x, y := svc("d", "x", api.ServiceExternalName, ""), svc("d", "y", api.ServiceExternalName, "")
	x.Spec.ExternalName, y.Spec.ExternalName = "y.d.svc.cluster.local", "x.d.svc.cluster.local"
	got := Build("", []*api.Service{x, y}, nil).Answer(Question{"x.d.svc.cluster.local", TypeA})
	if len(got.Answers) != maxChase {
		t.Errorf("a CNAME loop gave %d answers, want %d", len(got.Answers), maxChase)
	}
}

func TestResolvConf(t *testing.T) {
	got := ResolvConf("shop", PodDNS{Nameserver: "10.88.0.1", Searches: []string{"corp.example"}})
	want := "nameserver 10.88.0.1\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:5\n"
	if got != want {
		t.Errorf("ResolvConf = %q, want %q", got, want)
	}
}

func TestHosts(t *testing.T) {
	for _, tc := range []struct{ host, sub, want string }{
		{"web-1", "", "10.88.0.5\tweb-1\n"},
		{"db-0", "db", "10.88.0.5\tdb-0.db.shop.svc.cluster.local\tdb-0\n"},
	} {
		got := Hosts("10.88.0.5", tc.host, tc.sub, "shop", "")
		if !strings.HasPrefix(got, "# ") || !strings.Contains(got, "127.0.0.1\tlocalhost\n") || !strings.HasSuffix(got, tc.want) {
			t.Errorf("Hosts(%s, %q) = %q, want localhost and a last line %q", tc.host, tc.sub, got, tc.want)
		}
	}
}

// The zone's promises, for any set of services and endpoints: a service
// with a cluster IP resolves to it; every ready address of a headless
// service appears exactly once; a name nobody made is NXDOMAIN; and the
// order objects arrive in changes nothing.
func TestRecordsProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nss := []string{"a", "b"}
		names := []string{"web", "db", "api", "cache"}
		var services []*api.Service
		var endpoints []*api.Endpoints
		headlessReady := map[string][]string{}
		seen := map[string]bool{}
		n := rapid.IntRange(0, 6).Draw(t, "services")
		for i := range n {
			ns, name := rapid.SampledFrom(nss).Draw(t, "ns"), rapid.SampledFrom(names).Draw(t, "name")
			if seen[ns+"/"+name] {
				continue
			}
			seen[ns+"/"+name] = true
			if rapid.Bool().Draw(t, "headless") {
				services = append(services, svc(ns, name, "", "None"))
				var ready, notReady []api.EndpointAddress
				ips := map[string]bool{}
				for range rapid.IntRange(0, 4).Draw(t, "addresses") {
					ip := fmt.Sprintf("10.88.%d.%d", i, rapid.IntRange(1, 9).Draw(t, "host"))
					if ips[ip] {
						continue // an address is in one list, once
					}
					ips[ip] = true
					if rapid.Bool().Draw(t, "ready") {
						ready = append(ready, addr(ip, ""))
						headlessReady[ns+"/"+name] = append(headlessReady[ns+"/"+name], ip)
					} else {
						notReady = append(notReady, addr(ip, ""))
					}
				}
				endpoints = append(endpoints, eps(ns, name, ready, notReady))
			} else {
				services = append(services, svc(ns, name, api.ServiceClusterIP, fmt.Sprintf("10.96.0.%d", i+1)))
			}
		}
		r := Build("", services, endpoints)
		for _, s := range services {
			fq := s.Name + "." + s.Namespace + ".svc.cluster.local."
			got := r.Answer(Question{fq, TypeA})
			var ips []string
			for _, rr := range got.Answers {
				ips = append(ips, rr.A.String())
			}
			want := []string{s.Spec.ClusterIP}
			if s.Spec.ClusterIP == "None" {
				want = headlessReady[s.Namespace+"/"+s.Name]
				slices.SortFunc(want, func(x, y string) int { return netip.MustParseAddr(x).Compare(netip.MustParseAddr(y)) })
			}
			if got.Rcode != RcodeSuccess || !slices.Equal(ips, want) {
				t.Fatalf("Answer(%s A) = %v %v, want NOERROR %v", fq, got.Rcode, ips, want)
			}
		}
		for _, ns := range nss {
			for _, name := range names {
				if !seen[ns+"/"+name] {
					fq := name + "." + ns + ".svc.cluster.local."
					if got := r.Answer(Question{fq, TypeA}); got.Rcode != RcodeNXDomain || !got.Mine {
						t.Fatalf("Answer(%s A) for a service nobody made = %+v, want NXDOMAIN", fq, got)
					}
				}
			}
		}
		shuffled := Build("", rapid.Permutation(services).Draw(t, "services order"), rapid.Permutation(endpoints).Draw(t, "endpoints order"))
		if diff := cmp.Diff(r, shuffled, cmp.AllowUnexported(Records{}, node{}), cmp.Comparer(func(x, y netip.Addr) bool { return x == y })); diff != "" {
			t.Fatalf("the zone depends on the order objects were given (-first +shuffled):\n%s", diff)
		}
	})
}
