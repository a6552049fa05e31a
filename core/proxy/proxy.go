package proxy

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// Backend makes a node route service traffic by a Table. realnode's writes
// nftables rules; the simulator's keeps the table for its simulated
// requests. Apply replaces whatever the previous call set up, all at once:
// a connection never sees half a table.
type Backend interface {
	Apply(t *Table) error
}

// Config is what the proxy needs from its world.
type Config struct {
	Loop    loop.Loop
	Client  *client.Client
	Backend Backend
	// MinSyncPeriod is the least time between two applies: a burst of
	// endpoint changes (a rollout) is applied as one table. 0 applies every
	// change as soon as the callbacks already due have run.
	MinSyncPeriod time.Duration
	// ResyncPeriod, when not 0, reapplies the table this often even when
	// nothing changed, repairing rules someone else removed.
	ResyncPeriod time.Duration
}

// Proxy watches Services and Endpoints and keeps the Backend's table
// current. It is kube-proxy without the kernel: the kernel part is the
// Backend.
type Proxy struct {
	cfg       Config
	services  *client.Informer[*api.Service]
	endpoints *client.Informer[*api.Endpoints]

	applied   *Table
	appliedAt time.Time
	pending   loop.Timer // the next sync, when one is due
	resync    loop.Timer // the next periodic reapply
	failures  int
	lastErr   error
	stopped   bool
}

// New returns a proxy; call Start to run it.
func New(cfg Config) *Proxy {
	p := &Proxy{cfg: cfg}
	p.services = client.NewInformer[*api.Service](cfg.Loop, cfg.Client, "", client.ListOptions{})
	p.endpoints = client.NewInformer[*api.Endpoints](cfg.Loop, cfg.Client, "", client.ListOptions{})
	p.services.AddHandlers(client.Handlers[*api.Service]{
		Add: func(*api.Service) { p.changed() }, Update: func(_, _ *api.Service) { p.changed() }, Delete: func(*api.Service) { p.changed() },
	})
	p.endpoints.AddHandlers(client.Handlers[*api.Endpoints]{
		Add: func(*api.Endpoints) { p.changed() }, Update: func(_, _ *api.Endpoints) { p.changed() }, Delete: func(*api.Endpoints) { p.changed() },
	})
	return p
}

// Start starts watching. The first table is applied once both caches have
// loaded, even when it is empty: that is what clears rules a previous run
// left behind for services deleted meanwhile.
func (p *Proxy) Start() {
	p.endpoints.Start()
	p.services.Start()
	p.changed()
}

// Stop stops watching. The Backend keeps the last table, as the kernel
// keeps kube-proxy's rules when kube-proxy exits.
func (p *Proxy) Stop() {
	p.stopped = true
	for _, t := range []loop.Timer{p.pending, p.resync} {
		if t != nil {
			t.Stop()
		}
	}
	p.services.Stop()
	p.endpoints.Stop()
}

// Table returns the table last applied (nil before the first).
func (p *Proxy) Table() *Table { return p.applied }

// Err returns the error of the last failed apply, nil after a success.
func (p *Proxy) Err() error { return p.lastErr }

// changed schedules a sync, no sooner than MinSyncPeriod after the last
// apply. Many changes before it runs make one sync.
func (p *Proxy) changed() {
	if p.stopped || p.pending != nil {
		return
	}
	wait := time.Duration(0)
	if p.applied != nil {
		wait = p.appliedAt.Add(p.cfg.MinSyncPeriod).Sub(p.cfg.Loop.Now())
	}
	p.schedule(wait)
}

func (p *Proxy) schedule(d time.Duration) {
	if p.pending != nil {
		p.pending.Stop()
	}
	p.pending = p.cfg.Loop.After(d, p.sync)
}

// sync applies the table once the caches have loaded. A failed apply is
// retried with back-off: 1s, 2s, 4s … up to 30s.
func (p *Proxy) sync() {
	p.pending = nil
	if p.stopped {
		return
	}
	if !p.services.HasSynced() || !p.endpoints.HasSynced() {
		p.schedule(100 * time.Millisecond)
		return
	}
	p.apply(false)
}

// apply builds the table from the caches and hands it to the Backend when
// it differs from the last one applied, or when force says to anyway.
func (p *Proxy) apply(force bool) {
	t := Build(p.services.List(api.Everything()), p.endpoints.List(api.Everything()))
	if !force && p.applied != nil && p.lastErr == nil && t.Equal(p.applied) {
		return
	}
	if err := p.cfg.Backend.Apply(t); err != nil {
		p.lastErr = err
		p.failures++
		p.schedule(min(time.Second<<min(p.failures-1, 5), 30*time.Second))
		return
	}
	p.applied, p.appliedAt, p.lastErr, p.failures = t, p.cfg.Loop.Now(), nil, 0
	if p.cfg.ResyncPeriod > 0 {
		if p.resync != nil {
			p.resync.Stop()
		}
		p.resync = p.cfg.Loop.After(p.cfg.ResyncPeriod, func() {
			p.resync = nil
			if !p.stopped && p.pending == nil {
				p.apply(true)
			}
		})
	}
}
