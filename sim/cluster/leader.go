package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/leader"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/sim"
)

// The Leases the control plane's replicas elect their active one with, as
// in Kubernetes.
const (
	LeaseNamespace         = "kube-system"
	SchedulerLease         = "kube-scheduler"
	ControllerManagerLease = "kube-controller-manager"
)

// RestartAfterLosingLease is how long a replica that lost its lease stays
// down: Kubernetes' components exit when they lose it, and their
// supervisor (systemd, the kubelet) starts them again.
const RestartAfterLosingLease = time.Second

// The replicas' election timings: Kubernetes' defaults (the retry period
// is core/leader's default, 2s). The one-leader check explains a violation
// against them.
const (
	ElectionLeaseDuration = 15 * time.Second
	ElectionRenewDeadline = 10 * time.Second
)

// addElected adds a control-plane replica: a process that stands for
// election on lease and runs its components (run) only while it leads. On
// losing the lease it exits at once — every component with it — and is
// started again shortly, to stand again as a fresh process.
func (c *Cluster) addElected(name, lease string, run func(p *sim.Process, rec *client.Recorder)) {
	w := c.W
	c.leaders.roles[name] = lease
	w.AddProcess(name, func(p *sim.Process) {
		p.Client().UserAgent = lease + "/" + name
		rec := client.NewRecorder(p.Loop(), p.Client(), name, "")
		var el *leader.Elector
		el = leader.New(leader.Config{
			Loop: p.Loop(), Client: p.Client(), Recorder: rec,
			Namespace: LeaseNamespace, Name: lease, Identity: name, Decide: c.plugins.LeaderDecide,
			LeaseDuration: ElectionLeaseDuration, RenewDeadline: ElectionRenewDeadline,
			OnStartedLeading: func() { run(p, rec) },
			OnStoppedLeading: func() {
				w.Trace.Note(name, "stopped leading (%s): exiting", el.LostReason())
				p.Crash()
				w.Loop.After(RestartAfterLosingLease, p.Start)
			},
		})
		el.Start()
	}).Start()
}

// leaderCheck is the one-leader invariant. It sees every API call of the
// control plane's replicas (World.WrapTransport) and, for each write that
// took effect, asks the store who holds the replica's lease at that
// instant. A write by a replica the lease does not name is a write by a
// replica that is not (or no longer) the leader — two replicas acting in
// the same interval, the failure leader election exists to prevent.
//
// To explain a violation it also follows the election's own writes, as
// their answers arrive: when each replica last renewed its lease, and
// when each lease last changed hands.
type leaderCheck struct {
	c *Cluster
	// roles maps a replica's process name to the lease it stands on.
	roles map[string]string
	// renewed is when each replica's last acquire or renewal was
	// answered; held is each lease's holder and when it took the lease.
	renewed map[string]time.Duration
	held    map[string]tenure
}

type tenure struct {
	holder string
	since  time.Duration
}

func newLeaderCheck(c *Cluster) *leaderCheck {
	return &leaderCheck{c: c, roles: map[string]string{}, renewed: map[string]time.Duration{}, held: map[string]tenure{}}
}

func (lc *leaderCheck) wrap(proc string, t client.Transport) client.Transport {
	lease, ok := lc.roles[proc]
	if !ok {
		return t
	}
	return &leaderTransport{inner: t, lc: lc, proc: proc, lease: lease}
}

type leaderTransport struct {
	inner       client.Transport
	lc          *leaderCheck
	proc, lease string
}

func (t *leaderTransport) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	resp, err := t.inner.Do(ctx, req)
	if err != nil || resp.Code >= 300 || req.Method == http.MethodGet {
		return resp, err
	}
	if t.ownLease(req.Path) {
		t.lc.observe(t.proc, t.lease, resp.Body)
	} else {
		t.lc.judge(t.proc, t.lease, req)
	}
	return resp, err
}

// ownLease reports whether path is the replica's Lease (or an Event about
// it, which the elector records on winning): the election's own writes.
func (t *leaderTransport) ownLease(path string) bool {
	return strings.HasSuffix(path, "/namespaces/"+LeaseNamespace+"/leases/"+t.lease) ||
		strings.HasSuffix(path, "/namespaces/"+LeaseNamespace+"/leases")
}

// observe notes an answered write of the election: the Lease as written.
func (lc *leaderCheck) observe(proc, lease string, body []byte) {
	var l api.Lease
	if json.Unmarshal(body, &l) != nil || l.Kind != "Lease" {
		return
	}
	holder := ""
	if l.Spec.HolderIdentity != nil {
		holder = *l.Spec.HolderIdentity
	}
	now := lc.c.W.Elapsed()
	if holder == proc {
		lc.renewed[proc] = now
	}
	if lc.held[lease].holder != holder {
		lc.held[lease] = tenure{holder, now}
	}
}

func (lc *leaderCheck) judge(proc, lease string, req *rest.Request) {
	if !lc.c.checker.enabled["one-leader"] {
		return
	}
	l := lc.lease(lease)
	holder := ""
	if l != nil && l.Spec.HolderIdentity != nil {
		holder = *l.Spec.HolderIdentity
	}
	if holder == proc {
		return
	}
	w := lc.c.W
	since := ""
	if t := lc.held[lease]; t.holder == holder && holder != "" {
		since = fmt.Sprintf(", its holder since %v", t.since.Round(time.Millisecond))
	}
	w.Fail(fmt.Errorf("one-leader: %s wrote %s %s at %v while the Lease %s/%s names %q%s: two replicas acted in the same interval%s",
		proc, req.Method, req.Path, w.Elapsed().Round(time.Millisecond), LeaseNamespace, lease, holder, since, lc.diagnose(proc, lease, holder)))
}

// diagnose says which side of the election broke the rule, from the
// answered renewals and takeovers and each replica's clock rate (taken as
// constant over the run). The replica that wrote last renewed at R; it must
// stop acting once its renew deadline has passed on its own clock. The
// holder took over at T; it must have waited the lease duration on its
// own clock from when it saw that renewal, which was after R. When both
// kept to that and still overlapped, their clocks drifted apart by more
// than the election's bound.
func (lc *leaderCheck) diagnose(proc, lease, holder string) string {
	w := lc.c.W
	writer, taker := w.Process(proc), w.Process(holder)
	renewed, ok := lc.renewed[proc]
	t := lc.held[lease]
	if writer == nil || taker == nil || !ok || t.holder != holder || t.since < renewed {
		return ""
	}
	now := w.Elapsed()
	rw, rt := writer.ClockRate(), taker.ClockRate()
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	own := time.Duration(float64(now-renewed) * rw)
	if own >= ElectionRenewDeadline {
		return fmt.Sprintf(". %s last renewed at %v: %v had passed since on its clock (at %.2f× real time), past its %v renew deadline — a leader that cannot renew must stop acting by then (chapter 12)",
			proc, ms(renewed), ms(own), rw, ElectionRenewDeadline)
	}
	waited := time.Duration(float64(t.since-renewed) * rt)
	if waited < ElectionLeaseDuration {
		return fmt.Sprintf(". %s last renewed at %v, and %s took over only %v after that on its clock (at %.2f× real time), before the %v lease duration had passed — a candidate must wait that long from when it first sees a record unchanged (chapter 12)",
			proc, ms(renewed), holder, ms(waited), rt, ElectionLeaseDuration)
	}
	return fmt.Sprintf(". Each kept to the rule on its own clock, but %s's clock runs at %.2f× real time and %s's at %.2f×: leader election is safe only while clock rates differ by less than %.0f%% (chapter 12)",
		proc, rw, holder, rt, 100*leader.MaxDrift(ElectionLeaseDuration, ElectionRenewDeadline))
}

// lease reads a Lease straight from the store (the checker's view is the
// truth, not any API server's).
func (lc *leaderCheck) lease(name string) *api.Lease {
	kv, err := lc.c.Store.Get(context.Background(), "/registry/leases/"+LeaseNamespace+"/"+name)
	if err != nil {
		return nil
	}
	var l api.Lease
	if json.Unmarshal(kv.Value, &l) != nil {
		return nil
	}
	return &l
}

// leaderOf returns who holds lease now, or fallback when nobody does.
func (c *Cluster) leaderOf(lease, fallback string) string {
	if l := c.leaders.lease(lease); l != nil && l.Spec.HolderIdentity != nil && *l.Spec.HolderIdentity != "" {
		return *l.Spec.HolderIdentity
	}
	return fallback
}
