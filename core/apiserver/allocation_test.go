package apiserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/store"
)

// fataler is what the helpers need of a *testing.T or a *rapid.T.
type fataler interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// allocServer is an API server with chosen service ranges over a store
// that other allocServers may share.
type allocServer struct {
	srv  *Server
	svcs client.Resource[*api.Service]
}

func newAllocServer(t fataler, st store.Store, clk clock.Clock, seed uint64, cidr, ports string) allocServer {
	t.Helper()
	srv := New(Config{Store: st, Clock: clk, Rand: rand.New(rand.NewPCG(seed, 7)), ServiceCIDR: cidr, NodePortRange: ports})
	if err := srv.Bootstrap(context.Background()); err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	return allocServer{srv: srv, svcs: client.For[*api.Service](client.New(client.Local(srv.Handle)))}
}

func service(name, typ string, ports ...int32) *api.Service {
	svc := &api.Service{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.ServiceSpec{Type: typ, Selector: map[string]string{"app": name}}}
	for i, p := range ports {
		svc.Spec.Ports = append(svc.Spec.Ports, api.ServicePort{Name: fmt.Sprintf("p%d", i), Port: p})
	}
	return svc
}

// reservations returns every reservation in st by key.
func reservations(t fataler, st store.Store) map[string]reservation {
	t.Helper()
	out := map[string]reservation{}
	for _, p := range []string{ipAddressPrefix, nodePortPrefix} {
		l, err := st.List(context.Background(), p, store.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, kv := range l.KVs {
			var r reservation
			if err := json.Unmarshal(kv.Value, &r); err != nil {
				t.Fatalf("reservation %s: %v", kv.Key, err)
			}
			out[kv.Key] = r
		}
	}
	return out
}

// causeFields returns the fields an Invalid error names.
func causeFields(err error) []string {
	var se *api.StatusError
	if !errors.As(err, &se) || se.Status.Details == nil {
		return nil
	}
	var out []string
	for _, c := range se.Status.Details.Causes {
		out = append(out, c.Field)
	}
	return out
}

func TestAllocateOnCreate(t *testing.T) {
	st := store.NewMemory()
	a := newAllocServer(t, st, &clock.Fixed{T: t0}, 1, "", "")
	ctx := context.Background()
	cip, err := a.svcs.Create(ctx, service("web", "", 80), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ip, err := netip.ParseAddr(cip.Spec.ClusterIP)
	if err != nil || !netip.MustParsePrefix(DefaultServiceCIDR).Contains(ip) {
		t.Errorf("clusterIP = %q, want an address in %s", cip.Spec.ClusterIP, DefaultServiceCIDR)
	}
	if !slices.Equal(cip.Spec.ClusterIPs, []string{cip.Spec.ClusterIP}) {
		t.Errorf("clusterIPs = %q, want [%s]", cip.Spec.ClusterIPs, cip.Spec.ClusterIP)
	}
	if cip.Spec.Ports[0].NodePort != 0 {
		t.Errorf("ClusterIP service got nodePort %d, want none", cip.Spec.Ports[0].NodePort)
	}
	np, err := a.svcs.Create(ctx, service("np", api.ServiceNodePort, 80, 443), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p0, p1 := np.Spec.Ports[0].NodePort, np.Spec.Ports[1].NodePort
	if p0 < 30000 || p0 > 32767 || p1 < 30000 || p1 > 32767 || p0 == p1 {
		t.Errorf("nodePorts = %d, %d, want two different ports in 30000-32767", p0, p1)
	}
	lb, err := a.svcs.Create(ctx, service("lb", api.ServiceLoadBalancer, 80), client.WriteOptions{})
	if err != nil || lb.Spec.ClusterIP == "" || lb.Spec.Ports[0].NodePort == 0 {
		t.Fatalf("LoadBalancer create = %+v, %v; want a cluster IP and a node port", lb.Spec, err)
	}
	want := map[string]string{
		ipAddressPrefix + cip.Spec.ClusterIP:          cip.UID,
		ipAddressPrefix + np.Spec.ClusterIP:           np.UID,
		ipAddressPrefix + lb.Spec.ClusterIP:           lb.UID,
		nodePortKey(p0, api.ProtocolTCP):              np.UID,
		nodePortKey(p1, api.ProtocolTCP):              np.UID,
		nodePortKey(lb.Spec.Ports[0].NodePort, "TCP"): lb.UID,
	}
	got := map[string]string{}
	for k, r := range reservations(t, st) {
		got[k] = r.UID
		if !r.Reserved.Equal(t0) {
			t.Errorf("reservation %s made at %v, want the server clock's %v", k, r.Reserved, t0)
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("reservations = %v, want %v", got, want)
	}
}

func TestExplicitValues(t *testing.T) {
	st := store.NewMemory()
	a := newAllocServer(t, st, &clock.Fixed{T: t0}, 1, "10.0.0.0/24", "30000-30010")
	ctx := context.Background()
	in := service("fixed", api.ServiceNodePort, 80)
	in.Spec.ClusterIP = "10.0.0.10"
	in.Spec.Ports[0].NodePort = 30005
	got, err := a.svcs.Create(ctx, in, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.ClusterIP != "10.0.0.10" || got.Spec.Ports[0].NodePort != 30005 {
		t.Errorf("explicit values became %s and %d, want 10.0.0.10 and 30005", got.Spec.ClusterIP, got.Spec.Ports[0].NodePort)
	}
	before := len(reservations(t, st))
	for _, tc := range []struct {
		name      string
		clusterIP string
		nodePort  int32
		field     string
		msg       string
	}{
		{"ip-outside", "10.0.1.5", 0, "spec.clusterIP", "provided IP is not in the valid range. The range of valid IPs is 10.0.0.0/24"},
		{"ip-network", "10.0.0.0", 0, "spec.clusterIP", "not in the valid range"},
		{"ip-broadcast", "10.0.0.255", 0, "spec.clusterIP", "not in the valid range"},
		{"ip-taken", "10.0.0.10", 0, "spec.clusterIP", "provided IP is already allocated"},
		{"port-outside", "", 80, "spec.ports[0].nodePort", "provided port is not in the valid range. The range of valid ports is 30000-30010"},
		{"port-taken", "", 30005, "spec.ports[0].nodePort", "provided port is already allocated"},
		// A good IP with a taken port reserves neither.
		{"ip-ok-port-taken", "10.0.0.20", 30005, "spec.ports[0].nodePort", "already allocated"},
	} {
		svc := service(tc.name, api.ServiceNodePort, 80)
		svc.Spec.ClusterIP = tc.clusterIP
		svc.Spec.Ports[0].NodePort = tc.nodePort
		_, err := a.svcs.Create(ctx, svc, client.WriteOptions{})
		if !api.IsInvalid(err) || !slices.Equal(causeFields(err), []string{tc.field}) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: err = %v (fields %q), want Invalid naming %s: %q", tc.name, err, causeFields(err), tc.field, tc.msg)
		}
		if n := len(reservations(t, st)); n != before {
			t.Errorf("%s: %d reservations after a refused create, want %d", tc.name, n, before)
		}
	}
	// The same port number is free under another protocol.
	udp := service("udp", api.ServiceNodePort, 53)
	udp.Spec.Ports[0].Protocol, udp.Spec.Ports[0].NodePort = api.ProtocolUDP, 30005
	if _, err := a.svcs.Create(ctx, udp, client.WriteOptions{}); err != nil {
		t.Errorf("UDP 30005 next to TCP 30005: %v", err)
	}
	// A refused create (the name is taken) releases what it reserved.
	dup := service("fixed", api.ServiceNodePort, 80)
	dup.Spec.ClusterIP = "10.0.0.30"
	if _, err := a.svcs.Create(ctx, dup, client.WriteOptions{}); !api.IsAlreadyExists(err) {
		t.Fatalf("second create of fixed: %v, want AlreadyExists", err)
	}
	if _, held := reservations(t, st)[ipAddressPrefix+"10.0.0.30"]; held {
		t.Errorf("10.0.0.30 stays reserved after the create that reserved it failed")
	}
	// A dry run checks but reserves nothing.
	dry := service("dry", api.ServiceNodePort, 80)
	dry.Spec.ClusterIP = "10.0.0.10"
	if _, err := a.svcs.Create(ctx, dry, client.WriteOptions{DryRun: true}); !api.IsInvalid(err) {
		t.Errorf("dry run with a taken IP: %v, want Invalid", err)
	}
	n := len(reservations(t, st))
	if _, err := a.svcs.Create(ctx, service("dry", api.ServiceNodePort, 80), client.WriteOptions{DryRun: true}); err != nil {
		t.Errorf("dry run: %v", err)
	}
	if got := len(reservations(t, st)); got != n {
		t.Errorf("a dry run left %d reservations, want %d", got, n)
	}
}

func TestHeadlessAndExternalNameAllocateNothing(t *testing.T) {
	st := store.NewMemory()
	a := newAllocServer(t, st, &clock.Fixed{T: t0}, 1, "", "")
	ctx := context.Background()
	headless := service("headless", "", 80)
	headless.Spec.ClusterIP = "None"
	got, err := a.svcs.Create(ctx, headless, client.WriteOptions{})
	if err != nil || got.Spec.ClusterIP != "None" || !slices.Equal(got.Spec.ClusterIPs, []string{"None"}) {
		t.Errorf("headless create = %q %q, %v; want None", got.Spec.ClusterIP, got.Spec.ClusterIPs, err)
	}
	ext := service("ext", api.ServiceExternalName)
	ext.Spec.ExternalName = "example.com"
	if got, err := a.svcs.Create(ctx, ext, client.WriteOptions{}); err != nil || got.Spec.ClusterIP != "" {
		t.Errorf("ExternalName create = %q, %v; want no cluster IP", got.Spec.ClusterIP, err)
	}
	if r := reservations(t, st); len(r) != 0 {
		t.Errorf("reservations = %v, want none", r)
	}
}

func TestExhaustionAndReuse(t *testing.T) {
	st := store.NewMemory()
	a := newAllocServer(t, st, &clock.Fixed{T: t0}, 1, "10.0.0.0/29", "")
	ctx := context.Background()
	seen := map[string]bool{}
	for i := range 6 {
		got, err := a.svcs.Create(ctx, service(fmt.Sprintf("s%d", i), "", 80), client.WriteOptions{})
		if err != nil {
			t.Fatalf("create %d of 6: %v", i, err)
		}
		seen[got.Spec.ClusterIP] = true
	}
	for _, ip := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"} {
		if !seen[ip] {
			t.Errorf("%s was not handed out; got %v", ip, seen)
		}
	}
	_, err := a.svcs.Create(ctx, service("s6", "", 80), client.WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), "failed to allocate a cluster IP: range 10.0.0.0/29 is full") {
		t.Fatalf("seventh create: %v, want range 10.0.0.0/29 is full", err)
	}
	if _, err := a.svcs.Get(ctx, "default", "s6"); !api.IsNotFound(err) {
		t.Errorf("s6 after a failed allocation: %v, want NotFound", err)
	}
	if n := len(reservations(t, st)); n != 6 {
		t.Errorf("%d reservations after exhaustion, want 6", n)
	}
	// Deleting a service frees its IP for the next one.
	gone, err := a.svcs.Get(ctx, "default", "s3")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svcs.Delete(ctx, "default", "s3", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := a.svcs.Create(ctx, service("s6", "", 80), client.WriteOptions{})
	if err != nil || got.Spec.ClusterIP != gone.Spec.ClusterIP {
		t.Fatalf("create after delete = %q, %v; want the freed %s", got.Spec.ClusterIP, err, gone.Spec.ClusterIP)
	}
	// An explicit request for the freed address works as well.
	if _, err := a.svcs.Delete(ctx, "default", "s6", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	again := service("s7", "", 80)
	again.Spec.ClusterIP = gone.Spec.ClusterIP
	if _, err := a.svcs.Create(ctx, again, client.WriteOptions{}); err != nil {
		t.Errorf("explicit reuse of a freed IP: %v", err)
	}
}

func TestNodePortExhaustion(t *testing.T) {
	st := store.NewMemory()
	a := newAllocServer(t, st, &clock.Fixed{T: t0}, 1, "", "30000-30002")
	ctx := context.Background()
	if _, err := a.svcs.Create(ctx, service("a", api.ServiceNodePort, 80, 81), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := a.svcs.Create(ctx, service("b", api.ServiceNodePort, 80, 81), client.WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), "range 30000-30002 is full") {
		t.Fatalf("create needing 2 of 1 free ports: %v, want range is full", err)
	}
	// The cluster IP and the one port b did get are released.
	if n := len(reservations(t, st)); n != 3 {
		t.Errorf("%d reservations, want a's 3", n)
	}
}

// Many goroutines creating at once over two servers and one store never
// get one IP twice, and a full range refuses exactly the surplus.
func TestConcurrentCreates(t *testing.T) {
	st := store.NewMemory()
	clk := &clock.Fixed{T: t0}
	servers := []allocServer{
		newAllocServer(t, st, clk, 1, "10.0.0.0/27", "30000-30039"),
		newAllocServer(t, st, clk, 1, "10.0.0.0/27", "30000-30039"), // same seed: same uids, same first candidates
	}
	const n = 40
	ips := make([]string, n)
	ports := make([]int32, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := servers[i%2].svcs.Create(context.Background(), service(fmt.Sprintf("s%d", i), api.ServiceNodePort, 80), client.WriteOptions{})
			if err == nil {
				ips[i], ports[i] = got.Spec.ClusterIP, got.Spec.Ports[0].NodePort
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	byIP, byPort, failed := map[string]int{}, map[int32]int{}, 0
	for i, err := range errs {
		if err != nil {
			if !strings.Contains(err.Error(), "is full") {
				t.Errorf("create s%d: %v", i, err)
			}
			failed++
			continue
		}
		if j, dup := byIP[ips[i]]; dup {
			t.Errorf("s%d and s%d both got %s", j, i, ips[i])
		}
		if j, dup := byPort[ports[i]]; dup {
			t.Errorf("s%d and s%d both got node port %d", j, i, ports[i])
		}
		byIP[ips[i]], byPort[ports[i]] = i, i
	}
	if failed != n-30 {
		t.Errorf("%d creates failed, want %d (the /27 holds 30)", failed, n-30)
	}
	if r := reservations(t, st); len(r) != 2*30 {
		t.Errorf("%d reservations, want 60", len(r))
	}
}

// A server started over a store another one has used allocates around
// what is there.
func TestRestartSeesAllocations(t *testing.T) {
	st := store.NewMemory()
	clk := &clock.Fixed{T: t0}
	first := newAllocServer(t, st, clk, 1, "10.0.0.0/29", "")
	taken := map[string]bool{}
	for i := range 5 {
		got, err := first.svcs.Create(context.Background(), service(fmt.Sprintf("s%d", i), "", 80), client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		taken[got.Spec.ClusterIP] = true
	}
	second := newAllocServer(t, st, clk, 1, "10.0.0.0/29", "")
	got, err := second.svcs.Create(context.Background(), service("s5", "", 80), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if taken[got.Spec.ClusterIP] {
		t.Errorf("the restarted server handed out %s again", got.Spec.ClusterIP)
	}
}

func TestTypeChange(t *testing.T) {
	st := store.NewMemory()
	a := newAllocServer(t, st, &clock.Fixed{T: t0}, 1, "", "")
	ctx := context.Background()
	svc, err := a.svcs.Create(ctx, service("web", "", 80, 443), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ip := svc.Spec.ClusterIP
	svc.Spec.Type = api.ServiceNodePort
	np, err := a.svcs.Update(ctx, svc, client.WriteOptions{})
	if err != nil {
		t.Fatalf("ClusterIP → NodePort: %v", err)
	}
	p0, p1 := np.Spec.Ports[0].NodePort, np.Spec.Ports[1].NodePort
	if np.Spec.ClusterIP != ip || p0 == 0 || p1 == 0 || p0 == p1 {
		t.Fatalf("after ClusterIP → NodePort: clusterIP %s (was %s), nodePorts %d %d", np.Spec.ClusterIP, ip, p0, p1)
	}
	// Re-applying the manifest (no clusterIP, no nodePorts, ports
	// reordered) keeps both.
	manifest := service("web", api.ServiceNodePort, 443, 80)
	manifest.Spec.Ports[0].Name, manifest.Spec.Ports[1].Name = "p1", "p0"
	again, err := a.svcs.Update(ctx, manifest, client.WriteOptions{})
	if err != nil {
		t.Fatalf("re-apply: %v", err)
	}
	if again.Spec.ClusterIP != ip || again.Spec.Ports[0].NodePort != p1 || again.Spec.Ports[1].NodePort != p0 {
		t.Errorf("re-apply moved values: clusterIP %s nodePorts %d %d, want %s %d %d",
			again.Spec.ClusterIP, again.Spec.Ports[0].NodePort, again.Spec.Ports[1].NodePort, ip, p1, p0)
	}
	if n := len(reservations(t, st)); n != 3 {
		t.Errorf("%d reservations, want 3 (one IP, two ports)", n)
	}
	// A merge patch back to ClusterIP drops the node ports and releases
	// them after the write.
	back, err := a.svcs.Patch(ctx, "default", "web", "application/merge-patch+json", []byte(`{"spec":{"type":"ClusterIP"}}`), "", client.WriteOptions{})
	if err != nil {
		t.Fatalf("NodePort → ClusterIP: %v", err)
	}
	if back.Spec.ClusterIP != ip || back.Spec.Ports[0].NodePort != 0 || back.Spec.Ports[1].NodePort != 0 {
		t.Errorf("after NodePort → ClusterIP: %+v", back.Spec)
	}
	r := reservations(t, st)
	if len(r) != 1 || r[ipAddressPrefix+ip].UID != svc.UID {
		t.Errorf("reservations = %v, want only %s", r, ip)
	}
	// Changing the cluster IP is refused.
	back.Spec.ClusterIP = "10.96.0.99"
	back.Spec.ClusterIPs = nil
	if _, err := a.svcs.Update(ctx, back, client.WriteOptions{}); !api.IsInvalid(err) || !strings.Contains(err.Error(), "spec.clusterIP") || !strings.Contains(err.Error(), "field is immutable") {
		t.Errorf("changing clusterIP: %v, want spec.clusterIP: field is immutable", err)
	}
	// ExternalName gives the IP up; back to ClusterIP draws a new one.
	ext, err := a.svcs.Patch(ctx, "default", "web", "application/merge-patch+json", []byte(`{"spec":{"type":"ExternalName","externalName":"example.com"}}`), "", client.WriteOptions{})
	if err != nil || ext.Spec.ClusterIP != "" {
		t.Fatalf("→ ExternalName: %q, %v", ext.Spec.ClusterIP, err)
	}
	if r := reservations(t, st); len(r) != 0 {
		t.Errorf("reservations after → ExternalName = %v, want none", r)
	}
	cip, err := a.svcs.Patch(ctx, "default", "web", "application/merge-patch+json", []byte(`{"spec":{"type":"ClusterIP","externalName":null}}`), "", client.WriteOptions{})
	if err != nil || cip.Spec.ClusterIP == "" {
		t.Fatalf("ExternalName → ClusterIP: %q, %v", cip.Spec.ClusterIP, err)
	}
	if r := reservations(t, st); len(r) != 1 {
		t.Errorf("reservations = %v, want the new IP's", r)
	}
}

// A service deleted through its finalizer releases on removal, not on
// the mark.
func TestDeleteWithFinalizerReleasesOnRemoval(t *testing.T) {
	st := store.NewMemory()
	a := newAllocServer(t, st, &clock.Fixed{T: t0}, 1, "", "")
	ctx := context.Background()
	in := service("web", api.ServiceNodePort, 80)
	in.Finalizers = []string{"example.com/hold"}
	if _, err := a.svcs.Create(ctx, in, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svcs.Delete(ctx, "default", "web", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := len(reservations(t, st)); n != 2 {
		t.Errorf("%d reservations while marked for deletion, want 2", n)
	}
	svc, _ := a.svcs.Get(ctx, "default", "web")
	svc.Finalizers = nil
	if _, err := a.svcs.Update(ctx, svc, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if r := reservations(t, st); len(r) != 0 {
		t.Errorf("reservations after removal = %v, want none", r)
	}
}

func TestRepair(t *testing.T) {
	st := store.NewMemory()
	clk := &clock.Fixed{T: t0}
	a := newAllocServer(t, st, clk, 1, "", "")
	ctx := context.Background()
	svc, err := a.svcs.Create(ctx, service("web", api.ServiceNodePort, 80), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A crash between reserving and creating leaves an orphan.
	orphan := ipAddressPrefix + "10.96.7.7"
	if err := a.srv.reserve(ctx, orphan, reservation{Namespace: "default", Name: "lost", UID: "u-lost", Reserved: clk.Now()}, false); err != nil {
		t.Fatal(err)
	}
	// A lost reservation: the service holds its IP without one.
	ipKey := ipAddressPrefix + svc.Spec.ClusterIP
	if _, _, err := st.Delete(ctx, ipKey, 0); err != nil {
		t.Fatal(err)
	}
	clk.Advance(ReservationGrace / 2)
	if err := a.srv.RepairServiceAllocations(ctx); err != nil {
		t.Fatal(err)
	}
	r := reservations(t, st)
	if _, kept := r[orphan]; !kept {
		t.Errorf("repair freed a reservation younger than the grace period")
	}
	if r[ipKey].UID != svc.UID {
		t.Errorf("repair did not restore %s for %s: %v", ipKey, svc.UID, r)
	}
	clk.Advance(ReservationGrace)
	if err := a.srv.RepairServiceAllocations(ctx); err != nil {
		t.Fatal(err)
	}
	r = reservations(t, st)
	if _, kept := r[orphan]; kept {
		t.Errorf("repair kept an orphan older than the grace period")
	}
	if len(r) != 2 {
		t.Errorf("reservations = %v, want the service's IP and port", r)
	}
	// A restarted server repairs in Bootstrap.
	if err := a.srv.reserve(ctx, orphan, reservation{UID: "u-lost", Reserved: t0}, false); err != nil {
		t.Fatal(err)
	}
	newAllocServer(t, st, clk, 2, "", "")
	if _, kept := reservations(t, st)[orphan]; kept {
		t.Errorf("Bootstrap did not free an old orphan")
	}
	// What repair cannot fix it reports.
	dup := service("dup", "", 80)
	dup.Spec.ClusterIP = "10.96.0.50"
	if _, err := a.svcs.Create(ctx, dup, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	other := service("other", "", 80)
	other.UID = "u-other"
	other.Spec.ClusterIP, other.Spec.ClusterIPs, other.Spec.Type, other.Spec.SessionAffinity = "10.96.0.50", []string{"10.96.0.50"}, api.ServiceClusterIP, "None"
	b, _ := json.Marshal(other)
	if _, err := st.Create(ctx, "/registry/services/default/other", b); err != nil {
		t.Fatal(err)
	}
	err = a.srv.RepairServiceAllocations(ctx)
	if err == nil || !strings.Contains(err.Error(), "default/dup and default/other both hold cluster IP 10.96.0.50") {
		t.Errorf("repair with two services on one IP: %v", err)
	}
}

func TestBadRanges(t *testing.T) {
	for _, cfg := range []Config{
		{ServiceCIDR: "10.96.0.1/12"},
		{ServiceCIDR: "10.96.0.0"},
		{ServiceCIDR: "10.0.0.0/31"},
		{NodePortRange: "32767-30000"},
		{NodePortRange: "30000-70000"},
		{NodePortRange: "x"},
	} {
		if err := cfg.Check(); err == nil {
			t.Errorf("Check(%q, %q) = nil, want an error", cfg.ServiceCIDR, cfg.NodePortRange)
		}
		cfg.Store, cfg.Clock, cfg.Rand = store.NewMemory(), &clock.Fixed{T: t0}, rand.New(rand.NewPCG(1, 1))
		if err := New(cfg).Bootstrap(context.Background()); err == nil {
			t.Errorf("Bootstrap with %q, %q = nil, want an error", cfg.ServiceCIDR, cfg.NodePortRange)
		}
	}
	for _, cfg := range []Config{{}, {ServiceCIDR: "fd00::/108"}, {ServiceCIDR: "fd00::/64", NodePortRange: "30000"}} {
		if err := cfg.Check(); err != nil {
			t.Errorf("Check(%q, %q) = %v, want nil", cfg.ServiceCIDR, cfg.NodePortRange, err)
		}
	}
}

func TestIPv6Allocation(t *testing.T) {
	st := store.NewMemory()
	a := newAllocServer(t, st, &clock.Fixed{T: t0}, 1, "fd00:10:96::/112", "")
	got, err := a.svcs.Create(context.Background(), service("web", "", 80), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ip, err := netip.ParseAddr(got.Spec.ClusterIP); err != nil || !netip.MustParsePrefix("fd00:10:96::/112").Contains(ip) {
		t.Errorf("clusterIP = %q, want one in fd00:10:96::/112", got.Spec.ClusterIP)
	}
}
