package dns

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// ResolverConfig is what a Resolver needs from its world.
type ResolverConfig struct {
	Loop   loop.Loop
	Client *client.Client
	// Domain is the cluster zone (DefaultDomain when empty).
	Domain string
	// Publish receives every new Records value, on the loop. A server
	// answers from the latest one it was given.
	Publish func(*Records)
	// MinSyncPeriod is the least time between two rebuilds: a rollout's
	// burst of endpoint changes makes one. 0 rebuilds as soon as the
	// callbacks already due have run.
	MinSyncPeriod time.Duration
}

// Resolver keeps the cluster zone current: it watches Services and
// Endpoints and publishes Records rebuilt from its caches after every
// change. It publishes nothing until both caches have loaded, so that a
// server never answers NXDOMAIN for a service it simply has not heard of
// yet.
type Resolver struct {
	cfg       ResolverConfig
	services  *client.Informer[*api.Service]
	endpoints *client.Informer[*api.Endpoints]
	current   *Records
	builtAt   time.Time
	pending   loop.Timer
	stopped   bool
}

// NewResolver returns a resolver; call Start to run it.
func NewResolver(cfg ResolverConfig) *Resolver {
	r := &Resolver{cfg: cfg}
	r.services = client.NewInformer[*api.Service](cfg.Loop, cfg.Client, "", client.ListOptions{})
	r.endpoints = client.NewInformer[*api.Endpoints](cfg.Loop, cfg.Client, "", client.ListOptions{})
	r.services.AddHandlers(client.Handlers[*api.Service]{
		Add: func(*api.Service) { r.changed() }, Update: func(_, _ *api.Service) { r.changed() }, Delete: func(*api.Service) { r.changed() },
	})
	r.endpoints.AddHandlers(client.Handlers[*api.Endpoints]{
		Add: func(*api.Endpoints) { r.changed() }, Update: func(_, _ *api.Endpoints) { r.changed() }, Delete: func(*api.Endpoints) { r.changed() },
	})
	return r
}

// Start starts watching.
func (r *Resolver) Start() {
	r.services.Start()
	r.endpoints.Start()
	r.changed()
}

// Stop stops watching; the last Records published stay valid.
func (r *Resolver) Stop() {
	r.stopped = true
	if r.pending != nil {
		r.pending.Stop()
	}
	r.services.Stop()
	r.endpoints.Stop()
}

// Records returns the zone last published (nil before the first).
func (r *Resolver) Records() *Records { return r.current }

// changed schedules a rebuild, no sooner than MinSyncPeriod after the last.
func (r *Resolver) changed() {
	if r.stopped || r.pending != nil {
		return
	}
	wait := time.Duration(0)
	if r.current != nil {
		wait = r.builtAt.Add(r.cfg.MinSyncPeriod).Sub(r.cfg.Loop.Now())
	}
	r.pending = r.cfg.Loop.After(wait, r.sync)
}

func (r *Resolver) sync() {
	r.pending = nil
	if r.stopped {
		return
	}
	if !r.services.HasSynced() || !r.endpoints.HasSynced() {
		r.pending = r.cfg.Loop.After(100*time.Millisecond, r.sync)
		return
	}
	r.current = Build(r.cfg.Domain, r.services.List(api.Everything()), r.endpoints.List(api.Everything()))
	r.builtAt = r.cfg.Loop.Now()
	if r.cfg.Publish != nil {
		r.cfg.Publish(r.current)
	}
}
