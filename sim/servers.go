package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/auth/serviceaccount"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// Server is one simulated API server: a process that serves the API from
// the shared store through its own cacheView. Several of them over one
// store are the highly available control plane: each can crash (its
// watches end, its cache is rebuilt from the store when it starts again),
// lose the store, or fall behind with its cache, and clients fail over
// from one to the next.
type Server struct {
	Name string
	Proc *Process

	n    *Network
	st   store.Store
	rand *rand.Rand // kept across restarts: a restarted server must not reuse uids
	api  *apiserver.Server
	view *cacheView

	lag      time.Duration
	storeCut bool // partition-store: this server cannot reach the store
	// CacheServesConsistentReads is a deliberately broken server: it
	// answers reads with resourceVersion "" from its lagging cache, which
	// Kubernetes promises never to do.
	CacheServesConsistentReads bool
}

// ServerConfig says how to build an API server.
type ServerConfig struct {
	// CacheLag is how late the watch cache follows the store.
	CacheLag time.Duration
	// Version is reported by /version.
	Version string
	// CacheServesConsistentReads: see Server.
	CacheServesConsistentReads bool
	// DecodePerWatcher turns off sharing decoded objects with the
	// watchers (apiserver.Config.ShareDecoded, on by default in the
	// simulator): every client decodes every event's bytes itself, as
	// over HTTP. The same run either way; tests compare the two, and
	// benchmarks measure what sharing saves.
	DecodePerWatcher bool
	// Rand draws the server's uids and generated names (w.Rand(name) when
	// nil). Servers that share one may share it.
	Rand *rand.Rand
	// Authorization turns the server's Node,RBAC authorizer on for the
	// requests that carry a user (see Network.Identity); nil authorizes
	// nothing. ServiceAccountKeys sign and check its tokens; every server
	// of a cluster holds the same.
	Authorization      *apiserver.Authorization
	ServiceAccountKeys *serviceaccount.Keys
	// Metrics, when set, is called at every start of the server's
	// process, on its loop, and returns what answers its resource
	// metrics API (apiserver.Config.Metrics): the metrics pipeline runs
	// in the API server's process and dies with it.
	Metrics func(p *Process) apiserver.MetricsSource
}

// AddServer adds an API server process called name over st and starts it.
// Clients spread over the servers in the order they were added (see
// Transport).
func (w *World) AddServer(name string, st store.Store, cfg ServerConfig) *Server {
	n := w.Net
	r := cfg.Rand
	if r == nil {
		r = w.Rand(name)
	}
	s := &Server{Name: name, n: n, st: st, rand: r, lag: cfg.CacheLag, CacheServesConsistentReads: cfg.CacheServesConsistentReads}
	s.Proc = w.AddProcess(name, func(p *Process) {
		s.view = newCacheView(w, st, s.lag, s.cutOff())
		var metrics apiserver.MetricsSource
		if cfg.Metrics != nil {
			metrics = cfg.Metrics(p)
		}
		s.api = apiserver.New(apiserver.Config{Store: s.view, Clock: w.Loop, Rand: s.rand, Version: cfg.Version,
			Authorization: cfg.Authorization, ServiceAccountKeys: cfg.ServiceAccountKeys, Metrics: metrics,
			ShareDecoded: !cfg.DecodePerWatcher})
		view := s.view
		p.OnCrash(func() {
			view.stop()
			s.api, s.view = nil, nil
			n.cutStreamsVia(name, name+" crashed")
		})
	})
	n.servers = append(n.servers, s)
	s.Proc.Start()
	return s
}

// cutOff reports whether the server cannot reach the store now.
func (s *Server) cutOff() bool { return s.storeCut || s.n.storeOutage }

// handle answers one request that reached the server. Watches, and reads
// at resourceVersion "0", are served from the cache; other reads and every
// write from the store.
func (s *Server) handle(ctx context.Context, req *rest.Request) *rest.Response {
	mode := readConsistent
	if req.Method == http.MethodGet {
		rv := req.Query.Get("resourceVersion")
		if rv == "0" || (rv == "" && s.CacheServesConsistentReads) {
			mode = readCache
		}
	}
	return s.api.Handle(withReadMode(ctx, mode), req)
}

// CacheRevision returns the revision the server's watch cache has reached
// (0 while the server is down).
func (s *Server) CacheRevision() int64 {
	if s.view == nil {
		return 0
	}
	return s.view.visible()
}

// SetStoreCut cuts the server off from the store, or reconnects it.
func (s *Server) SetStoreCut(cut bool) {
	s.storeCut = cut
	if cut {
		s.n.w.Trace.Note(s.Name, "cut off from the store: answers 503, its watch cache stops following and ends its watches")
	} else {
		s.n.w.Trace.Note(s.Name, "reaches the store again: its watch cache catches up")
	}
	s.applyCut()
}

func (s *Server) applyCut() {
	if s.view != nil {
		s.view.setCut(s.cutOff())
	}
}

// FreezeCache stops the server's watch cache (watch events and
// resourceVersion "0" reads stand still), or lets it follow again.
func (s *Server) FreezeCache(frozen bool) {
	if frozen {
		s.n.w.Trace.Note(s.Name, "watch cache frozen at revision %d: watches and cached reads stand still", s.CacheRevision())
	} else {
		s.n.w.Trace.Note(s.Name, "watch cache follows the store again")
	}
	if s.view != nil {
		s.view.setFrozen(frozen)
	}
}

// LagCache makes the server's watch cache follow the store extra late
// (0 ends it). It lasts until the server restarts.
func (s *Server) LagCache(extra time.Duration) {
	if extra > 0 {
		s.n.w.Trace.Note(s.Name, "watch cache lags %v more behind the store", extra)
	} else {
		s.n.w.Trace.Note(s.Name, "watch cache lag back to normal")
	}
	if s.view != nil {
		s.view.setExtraLag(extra)
	}
}

// Servers returns the API servers in the order they were added.
func (n *Network) Servers() []*Server { return n.servers }

// Server returns the API server called name, or nil.
func (n *Network) Server(name string) *Server {
	for _, s := range n.servers {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// StoreOutage makes the store unreachable from every API server, or ends
// the outage.
func (n *Network) StoreOutage(down bool) {
	n.storeOutage = down
	if down {
		n.w.Trace.Note("store", "outage: no API server reaches the store; they answer 503")
	} else {
		n.w.Trace.Note("store", "back: the API servers reach it again")
	}
	for _, s := range n.servers {
		s.applyCut()
	}
}

// serverOrder is the order in which process from tries the servers: all
// of them, starting at one picked by a hash of its name, so that clients
// spread over the servers the same way in every run.
func (n *Network) serverOrder(from string) []*Server {
	k := len(n.servers)
	if k == 0 {
		return nil
	}
	start := int(fnvString(from) % uint64(k))
	out := make([]*Server, 0, k)
	for i := 0; i < k; i++ {
		out = append(out, n.servers[(start+i)%k])
	}
	return out
}

func fnvString(s string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= prime
	}
	return h
}

// isServer reports whether name is an API server (or the name that
// stands for all of them).
func (n *Network) isServer(name string) bool {
	return name == APIServer || n.Server(name) != nil
}

// describe names a server in the trace when there are several.
func (n *Network) describe(s *Server) string {
	if s == nil || len(n.servers) < 2 {
		return ""
	}
	return " (" + s.Name + ")"
}

var errServerDown = fmt.Errorf("connection refused (simulated API server down)")
