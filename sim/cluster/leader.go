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

// addElected adds a control-plane replica: a process that stands for
// election on lease and runs its components (run) only while it leads. On
// losing the lease it exits at once — every component with it — and is
// started again shortly, to stand again as a fresh process.
func (c *Cluster) addElected(name, lease string, run func(p *sim.Process, rec *client.Recorder)) {
	w := c.W
	c.leaders.roles[name] = lease
	w.AddProcess(name, func(p *sim.Process) {
		rec := client.NewRecorder(p.Loop(), p.Client(), name, "")
		var el *leader.Elector
		el = leader.New(leader.Config{
			Loop: p.Loop(), Client: p.Client(), Recorder: rec,
			Namespace: LeaseNamespace, Name: lease, Identity: name, Decide: c.plugins.LeaderDecide,
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
type leaderCheck struct {
	c *Cluster
	// roles maps a replica's process name to the lease it stands on.
	roles map[string]string
}

func newLeaderCheck(c *Cluster) *leaderCheck { return &leaderCheck{c: c, roles: map[string]string{}} }

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
	if err == nil && resp.Code < 300 && req.Method != http.MethodGet && !t.ownLease(req.Path) {
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
	if l != nil && l.Spec.AcquireTime != nil {
		since = fmt.Sprintf(" (its holder since %v)", l.Spec.AcquireTime.Sub(sim.Epoch).Round(time.Millisecond))
	}
	why := ""
	if p := w.Process(proc); p != nil && p.ClockRate() != 1 {
		why = fmt.Sprintf("; %s's clock runs at %.2f× real time, and leader election is safe only while clock rates differ by less than %.0f%% (chapter 12)",
			proc, p.ClockRate(), 100*leader.MaxDrift(15*time.Second, 10*time.Second))
	}
	w.Fail(fmt.Errorf("one-leader: %s wrote %s %s at %v while the Lease %s/%s names %q%s: two replicas acted in the same interval%s",
		proc, req.Method, req.Path, w.Elapsed().Round(time.Millisecond), LeaseNamespace, lease, holder, since, why))
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
