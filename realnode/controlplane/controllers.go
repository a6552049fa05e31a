package controlplane

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/manager"
	"github.com/tinykube/tinykube/core/controller/servicelb"
	"github.com/tinykube/tinykube/core/leader"
	"github.com/tinykube/tinykube/core/rest"
	sched "github.com/tinykube/tinykube/core/scheduler"
	"github.com/tinykube/tinykube/realnode/runloop"
)

// ControllerConfig tunes the scheduler and controllers a server runs.
type ControllerConfig struct {
	// Scoring is the scheduler's: LeastAllocated (default) or MostAllocated.
	Scoring string
	// NodeGracePeriod and EvictionTimeout are the node controller's (10s
	// each by default).
	NodeGracePeriod, EvictionTimeout time.Duration
	// LoadBalancerPool is where Services of type LoadBalancer get their
	// addresses: comma-separated addresses and CIDR prefixes (see
	// servicelb.NewPoolProvider). Empty means DefaultLoadBalancerPool.
	LoadBalancerPool string
}

// DefaultLoadBalancerPool is 127.0.100.0/24: on Linux the whole of
// 127.0.0.0/8 answers on the loopback interface, so on the one machine of
// `tinykube up` (or a lone server) these addresses reach the node's
// service proxy without configuring any interface. A cluster of several
// machines wants a pool its network routes to the nodes instead.
const DefaultLoadBalancerPool = "127.0.100.0/24"

// startControllers runs the scheduler and the controller manager in this
// process, each under its own leader election (Leases
// kube-system/kube-scheduler and kube-system/kube-controller-manager), so
// that of several servers one scheduler and one controller manager act.
// The components are the same the simulator runs; each runs on its own
// loop (one goroutine), talking to this server's API in process.
func (s *Server) startControllers(ctx context.Context, cfg ControllerConfig) error {
	le := s.cfg.LeaderElection
	poolSpec := cfg.LoadBalancerPool
	if poolSpec == "" {
		poolSpec = DefaultLoadBalancerPool
	}
	pool, err := servicelb.NewPoolProvider(poolSpec)
	if err != nil {
		return err
	}
	if le.Identity == "" {
		host, _ := os.Hostname()
		le.Identity = host + "/" + strings.TrimPrefix(s.URL, "https://")
	}
	scheduler := []func(l *runloop.Loop, c *client.Client){func(l *runloop.Loop, c *client.Client) {
		sched.New(sched.Config{Loop: l, Client: c, Rand: rand.New(rand.NewPCG(seed(), seed())), Name: "default-scheduler", Scoring: cfg.Scoring}).Start()
	}}
	controllerManager := []func(l *runloop.Loop, c *client.Client){func(l *runloop.Loop, c *client.Client) {
		rec := client.NewRecorder(l, c, "controller-manager", "")
		if _, err := manager.Start(manager.Config{Loop: l, Client: c, Recorder: rec,
			NodeGracePeriod: cfg.NodeGracePeriod, EvictionTimeout: cfg.EvictionTimeout,
			Zones: time.LoadLocation, LoadBalancers: pool, RootCAPEM: s.ca.CertPEM}); err != nil {
			panic(err) // no hooks, and a pool: Start cannot fail
		}
		// The CA's key is here, in the server: the signer issues the
		// certificates the approver approved (csrsigner.go).
		StartCSRSigner(l, c, s.ca)
	}}
	for _, g := range []*electedGroup{
		{name: "kube-scheduler", user: auth.KubeScheduler, starts: scheduler},
		{name: "kube-controller-manager", user: auth.KubeControllerManager, starts: controllerManager},
	} {
		// Each component is its own user, on every request (its
		// election's too), and may do what its role allows.
		guarded := &guardedLocal{s: s, timeout: callTimeout(le), user: auth.ComponentUser(g.user)}
		g.server, g.client, g.api, g.le = s, client.New(guarded), guarded, le
		lc := g.leaderConfig(nil)
		if err := lc.Check(); err != nil {
			return fmt.Errorf("%v (--leader-elect-lease-duration, --leader-elect-renew-deadline, --leader-elect-retry-period)", err)
		}
		g.loop = runloop.New()
		go g.loop.Run(ctx)
		g.loop.Post(g.campaign)
		s.groups = append(s.groups, g)
	}
	return nil
}

// electedGroup is components that run only while this server holds their
// Lease. Each term gets fresh components on fresh loops: losing the lease
// cancels the term's context, which stops its loops at once (a callback
// under way finishes, no other starts), and the server stands again.
type electedGroup struct {
	server *Server
	name   string         // the Lease's, in kube-system
	user   string         // the components' user (system:kube-scheduler)
	client *client.Client // the election's
	api    client.Transport
	le     LeaderElectionConfig
	starts []func(l *runloop.Loop, c *client.Client)

	loop    *runloop.Loop // the election's own; every field below is its
	elector *leader.Elector
	rec     *client.Recorder
	endTerm context.CancelFunc
}

func (g *electedGroup) leaderConfig(rec *client.Recorder) leader.Config {
	return leader.Config{Loop: g.loop, Client: g.client, Namespace: "kube-system", Name: g.name,
		Identity: g.le.Identity, LeaseDuration: g.le.LeaseDuration, RenewDeadline: g.le.RenewDeadline, RetryPeriod: g.le.RetryPeriod,
		OnStartedLeading: g.startTerm, OnStoppedLeading: g.stopTerm, Recorder: rec}
}

// campaign runs a new election (an Elector is spent once it loses).
func (g *electedGroup) campaign() {
	if g.rec == nil {
		g.rec = client.NewRecorder(g.loop, g.client, g.name, g.le.Identity)
	}
	g.elector = leader.New(g.leaderConfig(g.rec))
	g.elector.Start()
}

func (g *electedGroup) startTerm() {
	fmt.Fprintf(g.server.cfg.Log, "%s: %s became leader\n", g.name, g.le.Identity)
	ctx, cancel := context.WithCancel(context.Background())
	term := &termTransport{inner: g.api}
	c := client.New(term)
	c.UserAgent = g.name + "/" + g.le.Identity // kube-scheduler, kube-controller-manager
	g.endTerm = func() {
		cancel()
		term.end()
	}
	for _, start := range g.starts {
		l := g.server.newLoop()
		go l.Run(ctx)
		l.Post(func() { start(l, c) })
	}
}

// termTransport is the API as one term's components see it. Ending the
// term stops every watch they opened (their loops no longer read them)
// and fails any later call.
type termTransport struct {
	inner   client.Transport
	mu      sync.Mutex
	streams []rest.Stream
	ended   bool
}

func (t *termTransport) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	t.mu.Lock()
	ended := t.ended
	t.mu.Unlock()
	if ended {
		return nil, fmt.Errorf("this server no longer holds the lease")
	}
	resp, err := t.inner.Do(ctx, req)
	if err != nil || resp.Stream == nil {
		return resp, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ended {
		resp.Stream.Stop()
		return nil, fmt.Errorf("this server no longer holds the lease")
	}
	t.streams = append(t.streams, resp.Stream)
	return resp, nil
}

func (t *termTransport) end() {
	t.mu.Lock()
	streams := t.streams
	t.streams, t.ended = nil, true
	t.mu.Unlock()
	for _, st := range streams {
		st.Stop()
	}
}

func (g *electedGroup) stopTerm() {
	if g.endTerm != nil {
		g.endTerm()
		g.endTerm = nil
	}
	fmt.Fprintf(g.server.cfg.Log, "%s: %s stopped leading; standing again\n", g.name, g.le.Identity)
	g.loop.After(0, g.campaign)
}

// release ends the term and gives the Lease up, so that another server
// takes over at once instead of after a lease duration. Run on g.loop.
func (g *electedGroup) release() {
	if g.endTerm != nil {
		g.endTerm()
		g.endTerm = nil
	}
	if g.elector != nil {
		g.elector.Release()
	}
}

// Leading lists the Leases (kube-scheduler, kube-controller-manager) this
// server holds.
func (s *Server) Leading() []string {
	var out []string
	for _, g := range s.groups {
		var is bool
		g.loop.Do(func() { is = g.elector != nil && g.elector.IsLeader() })
		if is {
			out = append(out, g.name)
		}
	}
	return out
}

// guardedLocal is the in-process API as the elected components see it:
// it answers 503 at once while this server's etcd member has no quorum,
// and gives every call but a watch at most timeout. A call blocked on a
// store that cannot answer would hold up the loop it runs on — the
// elector's, whose renew deadline is a timer on that same loop, and a
// controller's, whose write could then land after another server took the
// lease over. Bounding each call bounds how late either can be.
// Every request carries user, so the API server authorizes the component
// as it would a remote one.
type guardedLocal struct {
	s       *Server
	timeout time.Duration
	user    *rest.UserInfo
}

func (g *guardedLocal) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	if g.user != nil {
		r := *req
		r.User = g.user
		req = &r
	}
	if !g.s.hasQuorum() {
		return nil, fmt.Errorf("the etcd member of this server has no leader (no quorum)")
	}
	if w := req.Query.Get("watch"); w != "true" && w != "1" {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, g.timeout)
		defer cancel()
	}
	received := time.Now()
	resp := g.s.API.Handle(ctx, req)
	g.s.auditLocal(req, received, resp)
	if ctx.Err() != nil && resp.Stream == nil {
		return nil, fmt.Errorf("in-process API call %s %s: %w", req.Method, req.Path, ctx.Err())
	}
	return resp, nil
}

// callTimeout is how long an elected component's API call may take: what
// the lease leaves after the renew deadline and one retry period, so that
// a holder's last call ends before a successor can start (clock drift
// aside; see leader.MaxDrift), and at least one second.
func callTimeout(le LeaderElectionConfig) time.Duration {
	ld, rd, rp := le.LeaseDuration, le.RenewDeadline, le.RetryPeriod
	if ld <= 0 {
		ld, rd, rp = 15*time.Second, 10*time.Second, 2*time.Second
	}
	if d := ld - rd - rp; d >= time.Second {
		return d
	}
	return time.Second
}

// LeaderElectionConfig tunes the elections that let only one server's
// scheduler, and one server's controller manager, act at a time.
type LeaderElectionConfig struct {
	// LeaseDuration, RenewDeadline and RetryPeriod are Kubernetes' (15s,
	// 10s, 2s by default); tests shorten them.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	// Identity is this server's name in the Leases (default: hostname/
	// the API's host:port).
	Identity string
}
