package proxy

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/proxy"
)

var update = flag.Bool("update", false, "rewrite testdata/*.nft from the current output")

// The services and endpoints the golden scripts render: a plain cluster
// IP, a node port, a load balancer with an ingress address and an
// external IP, a service whose pods are all gone, a two-port service, and
// one with ClientIP affinity.
func goldenObjects() ([]*api.Service, []*api.Endpoints) {
	tcp := func(name string, port, nodePort int32) api.ServicePort {
		return api.ServicePort{Name: name, Protocol: api.ProtocolTCP, Port: port, NodePort: nodePort}
	}
	svc := func(name, typ, ip string, ports ...api.ServicePort) *api.Service {
		return &api.Service{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: name},
			Spec: api.ServiceSpec{Type: typ, ClusterIP: ip, Ports: ports}}
	}
	eps := func(name string, ports []api.EndpointPort, ips ...string) *api.Endpoints {
		var as []api.EndpointAddress
		for _, ip := range ips {
			as = append(as, api.EndpointAddress{IP: ip})
		}
		return &api.Endpoints{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: name},
			Subsets: []api.EndpointSubset{{Addresses: as, Ports: ports}}}
	}
	port := func(name string, p int32) api.EndpointPort {
		return api.EndpointPort{Name: name, Port: p, Protocol: api.ProtocolTCP}
	}

	web := svc("web", api.ServiceClusterIP, "10.96.0.10", tcp("", 80, 0))
	nodeport := svc("shop", api.ServiceNodePort, "10.96.0.11", tcp("http", 80, 30080))
	lb := svc("front", api.ServiceLoadBalancer, "10.96.0.12", tcp("", 443, 30443))
	lb.Spec.ExternalIPs = []string{"192.0.2.10"}
	lb.Status.LoadBalancer.Ingress = []api.LoadBalancerIngress{{IP: "127.0.100.1"}}
	gone := svc("gone", api.ServiceNodePort, "10.96.0.13", tcp("", 80, 30081))
	two := svc("db", api.ServiceClusterIP, "10.96.0.14", tcp("sql", 5432, 0),
		api.ServicePort{Name: "dns", Protocol: api.ProtocolUDP, Port: 53})
	sticky := svc("cart", api.ServiceClusterIP, "10.96.0.15", tcp("", 80, 0))
	sticky.Spec.SessionAffinity = "ClientIP"
	timeout := int32(600)
	sticky.Spec.SessionAffinityConfig = &api.SessionAffinityConfig{ClientIP: &api.ClientIPConfig{TimeoutSeconds: &timeout}}

	return []*api.Service{web, nodeport, lb, gone, two, sticky}, []*api.Endpoints{
		eps("web", []api.EndpointPort{port("", 8080)}, "10.88.0.3", "10.88.0.2", "10.88.0.10"),
		eps("shop", []api.EndpointPort{port("http", 8080)}, "10.88.0.4"),
		eps("front", []api.EndpointPort{port("", 8443)}, "10.88.0.5", "10.88.0.6"),
		eps("gone", []api.EndpointPort{port("", 8080)}),
		eps("db", []api.EndpointPort{port("sql", 5432), {Name: "dns", Port: 5353, Protocol: api.ProtocolUDP}}, "10.88.0.7"),
		eps("cart", []api.EndpointPort{port("", 8080)}, "10.88.0.8", "10.88.0.9"),
	}
}

func TestRenderGolden(t *testing.T) {
	services, endpoints := goldenObjects()
	for _, tc := range []struct {
		name  string
		table *proxy.Table
		opts  Options
	}{
		{"empty", proxy.Build(nil, nil), Options{}},
		{"services", proxy.Build(services, endpoints), Options{Bridge: "tk0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Render(tc.table, tc.opts)
			path := filepath.Join("testdata", tc.name+".nft")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Render differs from %s (-want +got; -update rewrites it):\n%s", path, diff)
			}
		})
	}
}

// The same objects in any order render the same script.
func TestRenderIsDeterministic(t *testing.T) {
	services, endpoints := goldenObjects()
	want := Render(proxy.Build(services, endpoints), Options{})
	for i := 0; i < 5; i++ {
		slices.Reverse(services)
		slices.Reverse(endpoints)
		services = append(services[1:], services[0])
		if got := Render(proxy.Build(services, endpoints), Options{}); got != want {
			t.Fatalf("rendering permutation %d differs:\n%s", i, cmp.Diff(want, got))
		}
	}
}

// What nft could not parse is left out with a note, not rendered broken.
func TestRenderLeavesOutWhatNftCannotExpress(t *testing.T) {
	tb := &proxy.Table{Ports: []*proxy.Port{
		{Namespace: "default", Name: "v6", Protocol: api.ProtocolTCP, ClusterIP: "fd00::1", Port: 80,
			Backends: []proxy.Endpoint{{IP: "fd00::2", Port: 80}}},
		{Namespace: "default", Name: "a", Protocol: api.ProtocolTCP, ClusterIP: "10.96.0.1", Port: 80,
			Backends: []proxy.Endpoint{{IP: "10.88.0.2", Port: 80}}},
		{Namespace: "default", Name: "b", Protocol: api.ProtocolTCP, ClusterIP: "10.96.0.1", Port: 80,
			Backends: []proxy.Endpoint{{IP: "10.88.0.3", Port: 80}}},
		{Namespace: "default", Name: "Bad Name", Protocol: api.ProtocolTCP, ClusterIP: "10.96.0.2", Port: 80},
	}}
	got := Render(tb, Options{})
	for _, want := range []string{
		`# default/v6: address "fd00::1" is not IPv4; left out`,
		"# default/b: 10.96.0.1 . tcp . 80 is already default/a's; left out",
		`# "default/Bad Name": not a valid namespace/name:port for a chain name; left out`,
		"10.96.0.1 . tcp . 80 : goto svc/default/a,",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("script lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "svc/default/b") || strings.Contains(got, "fd00") && !strings.Contains(got, "# default/v6") {
		t.Errorf("script routes what it should have left out:\n%s", got)
	}
}
