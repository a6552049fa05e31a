package dns

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	cdns "github.com/tinykube/tinykube/core/dns"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/realnode/runloop"
	"github.com/tinykube/tinykube/realnode/wallclock"
)

// Every server here listens on 127.0.0.1; the "upstream" is another
// Server, authoritative for example.com: no test sends a packet off the
// machine's loopback.

func service(ns, name, clusterIP string) *api.Service {
	return &api.Service{ObjectMeta: api.ObjectMeta{Namespace: ns, Name: name}, Spec: api.ServiceSpec{ClusterIP: clusterIP}}
}

func start(t *testing.T, cfg Config, services []*api.Service, endpoints []*api.Endpoints) *Server {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	s, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if services != nil {
		s.SetRecords(cdns.Build(cfg.Domain, services, endpoints))
	}
	return s
}

// ask sends one question to addr and returns the parsed answer.
func ask(t *testing.T, addr, name string, typ dnsmessage.Type, udp bool) dnsmessage.Message {
	t.Helper()
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 4242, RecursionDesired: true})
	b.StartQuestions()
	b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(name), Type: typ, Class: dnsmessage.ClassINET})
	q, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exchange(addr, q, udp, 5*time.Second)
	if err != nil {
		t.Fatalf("asking %s for %s: %v", addr, name, err)
	}
	var m dnsmessage.Message
	if err := m.Unpack(out); err != nil {
		t.Fatalf("answer for %s: %v", name, err)
	}
	if m.Header.ID != 4242 || !m.Header.Response {
		t.Fatalf("answer for %s has header %+v", name, m.Header)
	}
	return m
}

// addrs lists the A records of an answer.
func addrs(m dnsmessage.Message) []string {
	var out []string
	for _, rr := range m.Answers {
		if a, ok := rr.Body.(*dnsmessage.AResource); ok {
			out = append(out, net.IP(a.A[:]).String())
		}
	}
	return out
}

func TestServesTheClusterZone(t *testing.T) {
	s := start(t, Config{}, []*api.Service{service("default", "web", "10.96.0.60"), service("default", "db", "None")},
		[]*api.Endpoints{{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "db"},
			Subsets: []api.EndpointSubset{{Addresses: []api.EndpointAddress{{IP: "10.88.0.9"}, {IP: "10.88.0.4"}}}}}})
	for _, udp := range []bool{true, false} {
		m := ask(t, s.Addr(), "web.default.svc.cluster.local.", dnsmessage.TypeA, udp)
		if got := addrs(m); !slices.Equal(got, []string{"10.96.0.60"}) || !m.Header.Authoritative || m.Header.RCode != dnsmessage.RCodeSuccess || m.Answers[0].Header.TTL != 5 {
			t.Errorf("udp=%v web A = %v, header %+v, answers %+v; want 10.96.0.60, authoritative, TTL 5", udp, got, m.Header, m.Answers)
		}
		m = ask(t, s.Addr(), "db.default.svc.cluster.local.", dnsmessage.TypeA, udp)
		if got := addrs(m); !slices.Equal(got, []string{"10.88.0.4", "10.88.0.9"}) {
			t.Errorf("udp=%v headless db A = %v, want both pods, sorted", udp, got)
		}
		m = ask(t, s.Addr(), "nope.default.svc.cluster.local.", dnsmessage.TypeA, udp)
		if m.Header.RCode != dnsmessage.RCodeNameError || len(m.Authorities) != 1 || m.Authorities[0].Header.Type != dnsmessage.TypeSOA {
			t.Errorf("udp=%v unknown name: rcode %v, authorities %+v; want NXDOMAIN with the zone's SOA", udp, m.Header.RCode, m.Authorities)
		}
		m = ask(t, s.Addr(), "web.default.svc.cluster.local.", dnsmessage.TypeAAAA, udp)
		if m.Header.RCode != dnsmessage.RCodeSuccess || len(m.Answers) != 0 || len(m.Authorities) != 1 {
			t.Errorf("udp=%v web AAAA: rcode %v, %d answers; want NOERROR, none, with SOA", udp, m.Header.RCode, len(m.Answers))
		}
	}
}

func TestServFailBeforeTheZoneIsKnown(t *testing.T) {
	s := start(t, Config{}, nil, nil)
	if m := ask(t, s.Addr(), "web.default.svc.cluster.local.", dnsmessage.TypeA, true); m.Header.RCode != dnsmessage.RCodeServerFailure {
		t.Errorf("before any records: rcode %v, want SERVFAIL (not NXDOMAIN for a service not yet seen)", m.Header.RCode)
	}
}

func TestForwardsOtherNames(t *testing.T) {
	up := start(t, Config{Domain: "example.com"}, []*api.Service{service("ns", "www", "192.0.2.7")}, nil)
	dead, err := net.ListenPacket("udp", "127.0.0.1:0") // bound, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	mail := &api.Service{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "mail"},
		Spec: api.ServiceSpec{Type: api.ServiceExternalName, ExternalName: "www.ns.svc.example.com"}}
	s := start(t, Config{Upstreams: []string{dead.LocalAddr().String(), up.Addr()}, UpstreamTimeout: 300 * time.Millisecond},
		[]*api.Service{mail}, nil)
	for _, udp := range []bool{true, false} {
		m := ask(t, s.Addr(), "www.ns.svc.example.com.", dnsmessage.TypeA, udp)
		if got := addrs(m); !slices.Equal(got, []string{"192.0.2.7"}) {
			t.Errorf("udp=%v forwarded A = %v (rcode %v), want the upstream's 192.0.2.7", udp, got, m.Header.RCode)
		}
	}
	m := ask(t, s.Addr(), "mail.default.svc.cluster.local.", dnsmessage.TypeA, true)
	if len(m.Answers) != 2 || m.Answers[0].Header.Type != dnsmessage.TypeCNAME || !slices.Equal(addrs(m), []string{"192.0.2.7"}) {
		t.Errorf("ExternalName A = %+v, want its CNAME and then the target's address from upstream", m.Answers)
	}
}

func TestNoUpstreamRefusesAtOnce(t *testing.T) {
	s := start(t, Config{}, []*api.Service{}, nil)
	began := time.Now()
	m := ask(t, s.Addr(), "example.com.", dnsmessage.TypeA, true)
	if m.Header.RCode != dnsmessage.RCodeRefused || time.Since(began) > time.Second {
		t.Errorf("no upstream: rcode %v after %s, want REFUSED at once", m.Header.RCode, time.Since(began))
	}
}

func TestDeadUpstreamServFails(t *testing.T) {
	dead, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	s := start(t, Config{Upstreams: []string{dead.LocalAddr().String()}, UpstreamTimeout: 200 * time.Millisecond}, []*api.Service{}, nil)
	if m := ask(t, s.Addr(), "example.com.", dnsmessage.TypeA, true); m.Header.RCode != dnsmessage.RCodeServerFailure {
		t.Errorf("silent upstream: rcode %v, want SERVFAIL", m.Header.RCode)
	}
}

// A headless service of 60 pods does not fit 512 bytes: UDP gets TC and
// no records, TCP gets them all.
func TestTruncatesBigUDPAnswers(t *testing.T) {
	var addresses []api.EndpointAddress
	for i := range 60 {
		addresses = append(addresses, api.EndpointAddress{IP: fmt.Sprintf("10.88.0.%d", i+2)})
	}
	s := start(t, Config{}, []*api.Service{service("default", "big", "None")},
		[]*api.Endpoints{{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "big"}, Subsets: []api.EndpointSubset{{Addresses: addresses}}}})
	m := ask(t, s.Addr(), "big.default.svc.cluster.local.", dnsmessage.TypeA, true)
	if !m.Header.Truncated || len(m.Answers) != 0 {
		t.Errorf("UDP answer of 60 addresses: truncated %v, %d answers; want TC and none", m.Header.Truncated, len(m.Answers))
	}
	m = ask(t, s.Addr(), "big.default.svc.cluster.local.", dnsmessage.TypeA, false)
	if m.Header.Truncated || len(addrs(m)) != 60 {
		t.Errorf("TCP answer: truncated %v, %d addresses; want all 60", m.Header.Truncated, len(addrs(m)))
	}
}

// The agent's wiring in small: a Resolver on a real-time loop, watching
// an in-process API server, publishing into the server.
func TestResolverFeedsTheServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: wallclock.Clock{}, Rand: rand.New(rand.NewPCG(1, 2))})
	srv.Bootstrap(ctx)
	c := client.New(client.Local(srv.Handle))
	s := start(t, Config{}, nil, nil)
	l := runloop.New()
	go l.Run(ctx)
	var r *cdns.Resolver
	l.Do(func() {
		r = cdns.NewResolver(cdns.ResolverConfig{Loop: l, Client: c, Publish: s.SetRecords})
		r.Start()
	})
	defer l.Do(r.Stop)
	web := service("default", "web", "10.96.0.60")
	web.Spec.Ports = []api.ServicePort{{Port: 80}}
	if _, err := client.For[*api.Service](c).Create(ctx, web, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := ask(t, s.Addr(), "web.default.svc.cluster.local.", dnsmessage.TypeA, true)
		if slices.Equal(addrs(m), []string{"10.96.0.60"}) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("web never resolved: last rcode %v, answers %v", m.Header.RCode, addrs(m))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestHostResolvers(t *testing.T) {
	p := filepath.Join(t.TempDir(), "resolv.conf")
	os.WriteFile(p, []byte("# comment\nnameserver 127.0.0.53\nnameserver fe80::1%eth0\nsearch corp.example lab.example\noptions edns0\n"), 0o644)
	up, search, err := HostResolvers(p)
	if err != nil || !slices.Equal(up, []string{"127.0.0.53:53", "[fe80::1]:53"}) || !slices.Equal(search, []string{"corp.example", "lab.example"}) {
		t.Errorf("HostResolvers = %v %v %v, want the loopback and link-local servers on port 53 and both search domains", up, search, err)
	}
}
