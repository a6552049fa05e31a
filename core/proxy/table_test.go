package proxy

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"pgregory.net/rapid"
)

func svc(name, ip string, ports ...api.ServicePort) *api.Service {
	s := &api.Service{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.ServiceSpec{Type: api.ServiceClusterIP, ClusterIP: ip, Ports: ports}}
	return s
}

func ep(name string, subsets ...api.EndpointSubset) *api.Endpoints {
	return &api.Endpoints{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Subsets: subsets}
}

func addrs(ips ...string) []api.EndpointAddress {
	var out []api.EndpointAddress
	for _, ip := range ips {
		out = append(out, api.EndpointAddress{IP: ip})
	}
	return out
}

func TestBuildRoutesReadyAddressesOnly(t *testing.T) {
	s := svc("web", "10.96.0.10", api.ServicePort{Name: "http", Port: 80, Protocol: api.ProtocolTCP})
	e := ep("web", api.EndpointSubset{
		Addresses:         addrs("10.88.0.10", "10.88.0.9"),
		NotReadyAddresses: addrs("10.88.0.11"),
		Ports:             []api.EndpointPort{{Name: "http", Port: 8080, Protocol: api.ProtocolTCP}},
	})
	tb := Build([]*api.Service{s}, []*api.Endpoints{e})
	want := "default/web:http TCP 10.96.0.10:80 -> 10.88.0.9:8080 10.88.0.10:8080\n"
	if got := tb.String(); got != want {
		t.Fatalf("table:\n%s\nwant:\n%s", got, want)
	}
	if p := tb.Route(api.ProtocolTCP, "10.96.0.10", 80, false); p == nil || p.Name != "web" {
		t.Fatalf("Route(cluster IP) = %v", p)
	}
	if p := tb.Route(api.ProtocolUDP, "10.96.0.10", 80, false); p != nil {
		t.Fatalf("UDP to a TCP port routed to %v", p)
	}
	if p := tb.Route(api.ProtocolTCP, "10.96.0.10", 81, false); p != nil {
		t.Fatalf("wrong port routed to %v", p)
	}
}

func TestBuildMatchesEndpointPortsByName(t *testing.T) {
	s := svc("app", "10.96.0.20",
		api.ServicePort{Name: "http", Port: 80, Protocol: api.ProtocolTCP},
		api.ServicePort{Name: "metrics", Port: 9090, Protocol: api.ProtocolTCP})
	e := ep("app",
		api.EndpointSubset{Addresses: addrs("10.88.0.2"), Ports: []api.EndpointPort{{Name: "http", Port: 8080}, {Name: "metrics", Port: 9100}}},
		// A pod without the named metrics port is only behind http.
		api.EndpointSubset{Addresses: addrs("10.88.0.3"), Ports: []api.EndpointPort{{Name: "http", Port: 8081}}},
	)
	tb := Build([]*api.Service{s}, []*api.Endpoints{e})
	want := "default/app:http TCP 10.96.0.20:80 -> 10.88.0.2:8080 10.88.0.3:8081\n" +
		"default/app:metrics TCP 10.96.0.20:9090 -> 10.88.0.2:9100\n"
	if got := tb.String(); got != want {
		t.Fatalf("table:\n%s\nwant:\n%s", got, want)
	}
}

func TestBuildNodePortExternalAndLoadBalancer(t *testing.T) {
	np := svc("np", "10.96.0.30", api.ServicePort{Port: 80, NodePort: 30080, Protocol: api.ProtocolTCP})
	np.Spec.Type = api.ServiceNodePort
	lb := svc("lb", "10.96.0.31", api.ServicePort{Port: 443, NodePort: 30443, Protocol: api.ProtocolTCP})
	lb.Spec.Type = api.ServiceLoadBalancer
	lb.Spec.ExternalIPs = []string{"192.0.2.50"}
	lb.Status.LoadBalancer.Ingress = []api.LoadBalancerIngress{{IP: "127.0.100.1"}, {Hostname: "lb.example"}}
	headless := svc("db", "None", api.ServicePort{Port: 5432})
	external := &api.Service{ObjectMeta: api.ObjectMeta{Name: "ext", Namespace: "default"}, Spec: api.ServiceSpec{Type: api.ServiceExternalName, ExternalName: "db.example"}}
	pending := svc("new", "", api.ServicePort{Port: 80})

	tb := Build([]*api.Service{np, lb, headless, external, pending}, nil)
	want := "default/lb TCP 10.96.0.31:443 127.0.100.1:443 192.0.2.50:443 node:30443 -> (no ready endpoints: refused)\n" +
		"default/np TCP 10.96.0.30:80 node:30080 -> (no ready endpoints: refused)\n"
	if got := tb.String(); got != want {
		t.Fatalf("table:\n%s\nwant:\n%s", got, want)
	}
	for _, c := range []struct {
		ip    string
		port  int32
		local bool
		want  string
	}{
		{"10.0.0.5", 30080, true, "np"},
		{"10.0.0.5", 30080, false, ""}, // not this node's address
		{"127.0.100.1", 443, false, "lb"},
		{"192.0.2.50", 443, false, "lb"},
		{"127.0.100.1", 30443, true, "lb"},
		{"10.96.0.31", 30443, false, ""},
	} {
		got := ""
		if p := tb.Route(api.ProtocolTCP, c.ip, c.port, c.local); p != nil {
			got = p.Name
		}
		if got != c.want {
			t.Errorf("Route(%s:%d, local=%v) = %q, want %q", c.ip, c.port, c.local, got, c.want)
		}
	}
}

func TestBuildSessionAffinity(t *testing.T) {
	s := svc("sticky", "10.96.0.40", api.ServicePort{Port: 80})
	s.Spec.SessionAffinity = "ClientIP"
	if p := Build([]*api.Service{s}, nil).Ports[0]; p.Affinity != DefaultAffinityTimeout {
		t.Fatalf("default affinity = %v", p.Affinity)
	}
	secs := int32(60)
	s.Spec.SessionAffinityConfig = &api.SessionAffinityConfig{ClientIP: &api.ClientIPConfig{TimeoutSeconds: &secs}}
	if p := Build([]*api.Service{s}, nil).Ports[0]; p.Affinity != time.Minute {
		t.Fatalf("affinity = %v, want 1m", p.Affinity)
	}
}

// TestBuildProperties: for any services and endpoints, in any order, the
// table is the same; each port's backends are exactly the ready addresses
// of the same-named endpoint port; every port is reachable by its cluster
// IP.
func TestBuildProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 6).Draw(t, "services")
		var svcs []*api.Service
		var eps []*api.Endpoints
		for i := range n {
			name := fmt.Sprintf("s%d", i)
			ports := []api.ServicePort{{Name: "a", Port: 80, Protocol: api.ProtocolTCP}}
			if rapid.Bool().Draw(t, "two ports") {
				ports = append(ports, api.ServicePort{Name: "b", Port: 53, Protocol: api.ProtocolUDP})
			}
			svcs = append(svcs, svc(name, fmt.Sprintf("10.96.0.%d", i+1), ports...))
			if !rapid.Bool().Draw(t, "has endpoints") {
				continue
			}
			e := ep(name)
			for range rapid.IntRange(1, 3).Draw(t, "subsets") {
				ready := rapid.SliceOfNDistinct(rapid.IntRange(1, 20), 0, 4, rapid.ID).Draw(t, "ready")
				ss := api.EndpointSubset{Ports: []api.EndpointPort{{Name: rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "port"), Port: 8080, Protocol: rapid.SampledFrom([]api.Protocol{api.ProtocolTCP, api.ProtocolUDP}).Draw(t, "proto")}}}
				for _, h := range ready {
					ss.Addresses = append(ss.Addresses, api.EndpointAddress{IP: fmt.Sprintf("10.88.0.%d", h)})
				}
				ss.NotReadyAddresses = addrs(fmt.Sprintf("10.88.1.%d", rapid.IntRange(1, 9).Draw(t, "not ready")))
				e.Subsets = append(e.Subsets, ss)
			}
			eps = append(eps, e)
		}
		tb := Build(svcs, eps)

		perm := func(k int) []int { return rapid.Permutation(seq(k)).Draw(t, "order") }
		var svcs2 []*api.Service
		for _, i := range perm(len(svcs)) {
			svcs2 = append(svcs2, svcs[i])
		}
		var eps2 []*api.Endpoints
		for _, i := range perm(len(eps)) {
			eps2 = append(eps2, eps[i])
		}
		if tb2 := Build(svcs2, eps2); !tb.Equal(tb2) {
			t.Fatalf("order changed the table:\n%s\nvs\n%s", tb, tb2)
		}

		for _, p := range tb.Ports {
			if got := tb.Route(p.Protocol, p.ClusterIP, p.Port, false); got != p {
				t.Fatalf("%s not routed by its cluster IP", p)
			}
			var want []string
			for _, e := range eps {
				if e.Name != p.Name {
					continue
				}
				for _, ss := range e.Subsets {
					for _, ept := range ss.Ports {
						if ept.Name == p.PortName && ept.Protocol == p.Protocol {
							for _, a := range ss.Addresses {
								want = append(want, a.IP)
							}
						}
					}
				}
			}
			slices.SortFunc(want, compareIP)
			want = slices.Compact(want)
			var got []string
			for _, b := range p.Backends {
				got = append(got, b.IP)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s backends %v, want the ready addresses %v", p, got, want)
			}
		}
	})
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestPortFrontend(t *testing.T) {
	for _, tt := range []struct {
		port Port
		want string
	}{
		{Port{Namespace: "default", Name: "web", Protocol: api.ProtocolTCP, ClusterIP: "10.96.0.10", Port: 80},
			"default/web TCP 10.96.0.10:80"},
		{Port{Namespace: "default", Name: "web", PortName: "http", Protocol: api.ProtocolTCP, ClusterIP: "10.96.0.10", Port: 80,
			ExternalIPs: []string{"10.0.0.7", "192.0.2.50"}, NodePort: 30080, Affinity: 3 * time.Hour,
			Backends: []Endpoint{{IP: "10.88.0.2", Port: 8080}}}, // backends are not part of it
			"default/web:http TCP 10.96.0.10:80 10.0.0.7:80 192.0.2.50:80 node:30080 affinity=3h0m0s"},
		{Port{Namespace: "kube-system", Name: "dns", PortName: "dns", Protocol: api.ProtocolUDP, ClusterIP: "10.96.0.2", Port: 53, NodePort: 30053},
			"kube-system/dns:dns UDP 10.96.0.2:53 node:30053"},
	} {
		if got := tt.port.Frontend(); got != tt.want {
			t.Errorf("Frontend() = %q, want %q", got, tt.want)
		}
	}
}
