package metricsserver

import (
	"cmp"
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// What the Scraper answers the API server (apiserver.MetricsSource): the
// latest use of each node and pod, fresh enough to act on.

// staleAfter is how many resolutions a node's last scrape may be old
// before its metrics are dropped: the scraper has stopped (its loop is
// stuck, its process lost its API), and an autoscaler must not act on
// what was true minutes ago.
const staleAfter = 2

// NodeMetrics returns the use of every node the scraper measured, sorted
// by name. Safe from any goroutine.
func (s *Scraper) NodeMetrics() []api.NodeMetrics {
	out := []api.NodeMetrics{}
	results := s.fresh()
	for _, name := range sortedKeys(results) {
		u := results[name].node
		if u == nil {
			continue
		}
		out = append(out, api.NodeMetrics{
			TypeMeta:   api.TypeMeta{APIVersion: api.MetricsGroup + "/v1beta1", Kind: "NodeMetrics"},
			ObjectMeta: api.ObjectMeta{Name: name},
			Timestamp:  api.Time{Time: u.timestamp}, Window: u.window.String(),
			Usage: usageList(u.nanoCores, u.memory),
		})
	}
	return out
}

// PodMetrics returns the use of the pods of namespace ("" for every
// namespace) whose every container has a rate, sorted by namespace and
// name. Safe from any goroutine.
func (s *Scraper) PodMetrics(namespace string) []api.PodMetrics {
	// A pod that moved between nodes within two resolutions (deleted
	// and made again under its name) may be measured on both: the later
	// measurement stands.
	latest := map[podKey]podUsage{}
	for _, r := range s.fresh() {
		for k, p := range r.pods {
			if namespace != "" && k.namespace != namespace {
				continue
			}
			if have, ok := latest[k]; !ok || p.timestamp.After(have.timestamp) {
				latest[k] = p
			}
		}
	}
	out := []api.PodMetrics{}
	for k, p := range latest {
		pm := api.PodMetrics{
			TypeMeta:   api.TypeMeta{APIVersion: api.MetricsGroup + "/v1beta1", Kind: "PodMetrics"},
			ObjectMeta: api.ObjectMeta{Name: k.name, Namespace: k.namespace},
			Timestamp:  api.Time{Time: p.timestamp}, Window: p.window.String(),
			Containers: []api.ContainerMetrics{},
		}
		for _, c := range p.containers {
			pm.Containers = append(pm.Containers, api.ContainerMetrics{Name: c.name, Usage: usageList(c.nanoCores, c.memory)})
		}
		out = append(out, pm)
	}
	slices.SortFunc(out, func(a, b api.PodMetrics) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// fresh returns the results of the nodes scraped within staleAfter
// resolutions of now (the loop's clock, read from the API server's
// goroutine: both drivers' clocks may be read so).
func (s *Scraper) fresh() map[string]result {
	now := s.cfg.Loop.Now()
	bound := time.Duration(staleAfter) * s.cfg.Resolution
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]result{}
	for name, r := range s.results {
		if now.Sub(r.scrapedAt) <= bound {
			out[name] = r
		}
	}
	return out
}

// usageList states a use as the resource metrics API does: CPU in
// millicores, rounded up (metrics-server states nanocores, "12345n";
// tinykube's Quantity holds milli-units, and `kubectl top` and the
// HorizontalPodAutoscaler read millicores, rounded up, either way), and
// the working set in bytes, binary-suffixed ("10240Ki").
func usageList(nanoCores, memory uint64) api.ResourceList {
	milli := int64((nanoCores + 999_999) / 1_000_000)
	return api.ResourceList{
		api.ResourceCPU:    api.NewMilliQuantity(milli, api.DecimalSI),
		api.ResourceMemory: api.NewQuantity(int64(memory), api.BinarySI),
	}
}
