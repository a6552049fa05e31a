package servicelb

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

func TestLoadBalancerGetsAnAddress(t *testing.T) {
	e := newEnv(t, "192.0.2.0/29")
	e.createService("web", api.ServiceLoadBalancer, nil)
	e.createService("internal", api.ServiceClusterIP, nil)
	e.Settle()

	e.wantIP("web", "192.0.2.1") // .0 is the network address
	if s := e.get("web"); !s.HasFinalizer(Finalizer) {
		t.Errorf("web finalizers = %v, want %s", s.Finalizers, Finalizer)
	}
	e.wantIP("internal", "")
	if s := e.get("internal"); len(s.Finalizers) != 0 {
		t.Errorf("ClusterIP service finalizers = %v, want none", s.Finalizers)
	}
	if got := e.Events(ReasonEnsured); len(got) != 1 {
		t.Errorf("%s events = %q, want one", ReasonEnsured, got)
	}
}

func TestTwoServicesGetDifferentAddresses(t *testing.T) {
	e := newEnv(t, "192.0.2.0/29")
	e.createService("a", api.ServiceLoadBalancer, nil)
	e.createService("b", api.ServiceLoadBalancer, nil)
	e.Settle()
	e.wantIP("a", "192.0.2.1")
	e.wantIP("b", "192.0.2.2")
}

func TestExplicitLoadBalancerIP(t *testing.T) {
	e := newEnv(t, "192.0.2.0/29")
	e.createService("a", api.ServiceLoadBalancer, func(s *api.Service) { s.Spec.LoadBalancerIP = "192.0.2.5" })
	e.Settle()
	e.wantIP("a", "192.0.2.5")

	// Taken, and outside the pool: an event, no address, retried.
	e.createService("b", api.ServiceLoadBalancer, func(s *api.Service) { s.Spec.LoadBalancerIP = "192.0.2.5" })
	e.createService("c", api.ServiceLoadBalancer, func(s *api.Service) { s.Spec.LoadBalancerIP = "198.51.100.7" })
	e.settleFor(time.Second)
	e.wantIP("b", "")
	e.wantIP("c", "")
	failed := e.Events(ReasonSyncFailed)
	if !slices.ContainsFunc(failed, func(m string) bool { return strings.Contains(m, "192.0.2.5 is already used by another service") }) ||
		!slices.ContainsFunc(failed, func(m string) bool { return strings.Contains(m, "198.51.100.7 is not in the load-balancer pool") }) {
		t.Errorf("%s events = %q, want one for b (taken) and one for c (outside the pool)", ReasonSyncFailed, failed)
	}

	// Once a lets go of .5, b gets it.
	e.delete("a")
	e.Settle()
	e.wantIP("b", "192.0.2.5")
}

func TestExhaustedPoolThenFreedAddressIsReused(t *testing.T) {
	e := newEnv(t, "192.0.2.10,192.0.2.11")
	e.createService("a", api.ServiceLoadBalancer, nil)
	e.createService("b", api.ServiceLoadBalancer, nil)
	e.createService("c", api.ServiceLoadBalancer, nil)
	e.settleFor(time.Second)
	e.wantIP("a", "192.0.2.10")
	e.wantIP("b", "192.0.2.11")
	e.wantIP("c", "")
	if got := e.Events(ReasonSyncFailed); len(got) == 0 || !strings.Contains(got[0], "exhausted") {
		t.Errorf("%s events = %q, want the pool exhausted", ReasonSyncFailed, got)
	}

	e.delete("a")
	e.Settle()
	if e.get("a") != nil {
		t.Errorf("Service a still exists after its load balancer was released")
	}
	e.wantIP("c", "192.0.2.10")
}

func TestTypeChangeReleasesTheAddress(t *testing.T) {
	e := newEnv(t, "192.0.2.10")
	e.createService("a", api.ServiceLoadBalancer, nil)
	e.Settle()
	e.wantIP("a", "192.0.2.10")

	e.update("a", func(s *api.Service) { s.Spec.Type = api.ServiceClusterIP })
	e.Settle()
	e.wantIP("a", "")
	if s := e.get("a"); s.HasFinalizer(Finalizer) {
		t.Errorf("a finalizers = %v after it stopped being a LoadBalancer, want %s removed", s.Finalizers, Finalizer)
	}
	if got := e.Events(ReasonDeleted); len(got) != 1 {
		t.Errorf("%s events = %q, want one", ReasonDeleted, got)
	}
	e.createService("b", api.ServiceLoadBalancer, nil)
	e.Settle()
	e.wantIP("b", "192.0.2.10")
}

func TestFinalizerHoldsDeletionUntilReleased(t *testing.T) {
	e := newEnv(t, "192.0.2.10")
	e.createService("a", api.ServiceLoadBalancer, nil)
	e.Settle()

	// With the controller down, deletion waits for it.
	e.ctrl.Stop()
	e.delete("a")
	e.Settle()
	s := e.get("a")
	if s == nil || s.DeletionTimestamp == nil {
		t.Fatalf("Service a = %v with the controller down, want it kept, marked for deletion", s)
	}

	e.RunFor(time.Second) // a restart takes time (and events named by time do not collide)
	e.start(nil)
	if e.get("a") != nil {
		t.Errorf("Service a still exists once the controller is back")
	}
	if got := e.Events(ReasonDeleted); len(got) != 1 {
		t.Errorf("%s events = %q, want one (recorder dropped %d)", ReasonDeleted, got, e.ctrl.recorder.Dropped)
	}
	if p := e.prov.(*PoolProvider); p.Free() != 1 {
		t.Errorf("free addresses = %d after the delete, want 1", p.Free())
	}
}

func TestRestartKeepsAddresses(t *testing.T) {
	e := newEnv(t, "192.0.2.0/29")
	e.createService("m", api.ServiceLoadBalancer, nil)
	e.createService("n", api.ServiceLoadBalancer, nil)
	e.Settle()
	e.wantIP("m", "192.0.2.1")
	e.wantIP("n", "192.0.2.2")

	// "a" sorts first, so the new controller reconciles it before m and n:
	// it must already know that .1 and .2 are taken.
	e.ctrl.Stop()
	e.createService("a", api.ServiceLoadBalancer, nil)
	e.start(nil)
	e.wantIP("m", "192.0.2.1")
	e.wantIP("n", "192.0.2.2")
	e.wantIP("a", "192.0.2.3")
}

// flaky fails the first n calls to EnsureLoadBalancer and records when
// each call was made.
type flaky struct {
	*PoolProvider
	n     int
	calls []time.Time
	now   func() time.Time
}

func (f *flaky) EnsureLoadBalancer(svc *api.Service, nodes []*api.Node) ([]api.LoadBalancerIngress, error) {
	f.calls = append(f.calls, f.now())
	if len(f.calls) <= f.n {
		return nil, fmt.Errorf("cloud API unavailable (call %d)", len(f.calls))
	}
	return f.PoolProvider.EnsureLoadBalancer(svc, nodes)
}

func TestProviderErrorIsRetriedWithBackoff(t *testing.T) {
	e := newEnv(t, "192.0.2.10")
	e.ctrl.Stop()
	var f *flaky
	e.start(func(p *PoolProvider) Provider { f = &flaky{PoolProvider: p, n: 3, now: e.Loop.Now}; return f })

	// With the finalizer already in place, the only writes are the
	// status's, so every attempt after the first is a retry.
	e.createService("a", api.ServiceLoadBalancer, func(s *api.Service) { s.Finalizers = []string{Finalizer} })
	e.Settle()
	e.wantIP("a", "")
	if got := e.ctrl.Queue().Failures("default/a"); got != 1 {
		t.Errorf("queue failures of default/a = %d, want 1", got)
	}
	e.settleFor(time.Second)
	e.wantIP("a", "192.0.2.10")
	// The status write brings one more (idempotent) call.
	if len(f.calls) < 4 {
		t.Fatalf("EnsureLoadBalancer called %d times, want 3 failures, then success", len(f.calls))
	}
	var gaps []time.Duration
	for i := 1; i < 4; i++ {
		gaps = append(gaps, f.calls[i].Sub(f.calls[i-1]))
	}
	if !(gaps[0] > 0 && gaps[1] == 2*gaps[0] && gaps[2] == 2*gaps[1]) {
		t.Errorf("gaps between attempts = %v, want each twice the last", gaps)
	}
	if got := e.Events(ReasonSyncFailed); len(got) != 3 {
		t.Errorf("%s events = %q, want 3 distinct failures", ReasonSyncFailed, got)
	}
}

func TestReadyNodesArePassedToTheProvider(t *testing.T) {
	e := newEnv(t, "192.0.2.10")
	e.ctrl.Stop()
	var got [][]string
	e.start(func(p *PoolProvider) Provider { return &spy{PoolProvider: p, seen: &got} })
	e.createService("a", api.ServiceLoadBalancer, nil)
	e.Settle()
	e.createNode("n2", true)
	e.createNode("n1", true)
	e.createNode("n3", false)
	e.Settle()
	want := []string{"n1", "n2"}
	if len(got) == 0 || !slices.Equal(got[len(got)-1], want) {
		t.Errorf("nodes given to the provider = %v, want last %v", got, want)
	}
}

type spy struct {
	*PoolProvider
	seen *[][]string
}

func (s *spy) EnsureLoadBalancer(svc *api.Service, nodes []*api.Node) ([]api.LoadBalancerIngress, error) {
	var names []string
	for _, n := range nodes {
		names = append(names, n.Name)
	}
	*s.seen = append(*s.seen, names)
	return s.PoolProvider.EnsureLoadBalancer(svc, nodes)
}
