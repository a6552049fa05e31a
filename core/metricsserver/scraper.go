package metricsserver

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/metrics"
)

// DefaultResolution is how often every node is scraped when Config does
// not say: metrics-server's --metric-resolution default.
const DefaultResolution = 15 * time.Second

// SummarySource fetches one node's stats summary from its kubelet:
// realnode over HTTPS (GET /stats/summary on the kubelet server), the
// simulator through the simulated network. The scraper waits for it on
// its loop, so it must return within a bounded time (a timeout of its
// own, well under a resolution).
type SummarySource interface {
	Summary(ctx context.Context, node *api.Node) (api.Summary, error)
}

// Config is what a Scraper needs from its world.
type Config struct {
	Loop   loop.Loop
	Client *client.Client // to follow the Nodes
	Source SummarySource
	// Resolution is the period of scrapes (DefaultResolution when 0).
	Resolution time.Duration
	// Recorder takes the scraper's own metrics (metrics.Discard when nil).
	Recorder metrics.Recorder
}

// The scraper's Prometheus metrics, named as metrics-server's.
var (
	kubeletRequests = &metrics.Desc{Name: "metrics_server_kubelet_request_total",
		Help: "Number of requests sent to kubelets for their stats summary, by success.", Kind: metrics.Counter, Labels: []string{"success"}}
	storagePoints = &metrics.Desc{Name: "metrics_server_storage_points",
		Help: "Number of metrics points held, by type (node, container).", Kind: metrics.Gauge, Labels: []string{"type"}}
)

// Scraper is the metrics pipeline. Its scrapes run on cfg.Loop; its
// answers (NodeMetrics, PodMetrics) are safe to call from any goroutine,
// as the API server does.
type Scraper struct {
	cfg   Config
	nodes *client.Informer[*api.Node]
	timer loop.Timer
	// last is each node's latest successful scrape, the base of the next
	// one's rates. Only the loop touches it.
	last map[string]*scrape

	mu      sync.Mutex
	results map[string]result // by node name; guarded by mu
}

// New returns a Scraper; Start sets it going.
func New(cfg Config) *Scraper {
	if cfg.Resolution <= 0 {
		cfg.Resolution = DefaultResolution
	}
	if cfg.Recorder == nil {
		cfg.Recorder = metrics.Discard
	}
	return &Scraper{cfg: cfg, last: map[string]*scrape{}, results: map[string]result{}}
}

// Resolution returns the period of scrapes.
func (s *Scraper) Resolution() time.Duration { return s.cfg.Resolution }

// Start follows the Nodes and scrapes every resolution, the first time one
// resolution from now (the informer has listed by then). Call on the loop.
func (s *Scraper) Start() {
	s.nodes = client.NewInformer[*api.Node](s.cfg.Loop, s.cfg.Client, "", client.ListOptions{})
	s.nodes.Start()
	s.timer = s.cfg.Loop.After(s.cfg.Resolution, s.tick)
}

// Stop ends the scrapes and the informer. Call on the loop.
func (s *Scraper) Stop() {
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.nodes != nil {
		s.nodes.Stop()
	}
}

// tick scrapes every node and schedules the next tick.
func (s *Scraper) tick() {
	s.ScrapeOnce()
	s.timer = s.cfg.Loop.After(s.cfg.Resolution, s.tick)
}

// ScrapeOnce asks every Ready node for its summary, one after the other,
// and replaces what the scraper answers: a node that answered gets rates
// against its previous answer; a node that failed, is no longer Ready or
// is gone loses its metrics and its base (its next answer only starts a
// new window). Call on the loop; Start calls it every resolution.
func (s *Scraper) ScrapeOnce() {
	ctx := context.Background()
	now := s.cfg.Loop.Now()
	results := map[string]result{}
	last := map[string]*scrape{}
	nodes := s.nodes.List(api.Everything())
	slices.SortFunc(nodes, func(a, b *api.Node) int { return cmp.Compare(a.Name, b.Name) })
	for _, n := range nodes {
		if !nodeReady(n) {
			continue
		}
		sum, err := s.cfg.Source.Summary(ctx, n)
		if err != nil {
			s.cfg.Recorder.Add(kubeletRequests, 1, "false")
			continue
		}
		s.cfg.Recorder.Add(kubeletRequests, 1, "true")
		sc := samplesOf(sum, now)
		last[n.Name] = sc
		results[n.Name] = compare(s.last[n.Name], sc)
	}
	s.last = last
	var nodePoints, containerPoints int
	for _, r := range results {
		if r.node != nil {
			nodePoints++
		}
		for _, p := range r.pods {
			containerPoints += len(p.containers)
		}
	}
	s.cfg.Recorder.Set(storagePoints, float64(nodePoints), "node")
	s.cfg.Recorder.Set(storagePoints, float64(containerPoints), "container")
	s.mu.Lock()
	s.results = results
	s.mu.Unlock()
}

// nodeReady reports whether n's Ready condition is True: the kubelet of a
// node that is not Ready is not asked (it would most likely time out).
func nodeReady(n *api.Node) bool {
	c := n.Status.FindCondition(api.NodeReady)
	return c != nil && c.Status == api.ConditionTrue
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
