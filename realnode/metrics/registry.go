package metrics

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	core "github.com/tinykube/tinykube/core/metrics"
)

// Registry is one process' metrics: a core Recorder whose measurements
// land in a prometheus.Registry, together with the Go runtime's and the
// process' own (go_*, process_*), and the handler that serves them all.
// It is safe for concurrent use.
type Registry struct {
	reg *prometheus.Registry

	mu   sync.RWMutex
	vecs map[*core.Desc]collector // each Desc's, made on first use
}

// collector is one registered vector, of whichever kind its Desc says.
type collector struct {
	counter   *prometheus.CounterVec
	gauge     *prometheus.GaugeVec
	histogram *prometheus.HistogramVec
}

// NewRegistry returns a Registry holding the Go and process collectors
// and nothing else until a component records something.
func NewRegistry() *Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &Registry{reg: reg, vecs: map[*core.Desc]collector{}}
}

// Gatherer is what Handler serves, for tests and for programs that merge
// several registries.
func (r *Registry) Gatherer() prometheus.Gatherer { return r.reg }

// Handler serves the registry's metrics in the format the scraper asks
// for (Prometheus text unless it negotiates another). It does no
// authorization: mount it behind the port's.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Add adds v to a Counter (v must not be negative) or to a Gauge.
func (r *Registry) Add(d *core.Desc, v float64, labelValues ...string) {
	c := r.vec(d)
	switch d.Kind {
	case core.Counter:
		c.counter.WithLabelValues(labelValues...).Add(v)
	case core.Gauge:
		c.gauge.WithLabelValues(labelValues...).Add(v)
	default:
		panic(fmt.Sprintf("metrics: Add on histogram %s; use Observe", d.Name))
	}
}

// Set sets a Gauge.
func (r *Registry) Set(d *core.Desc, v float64, labelValues ...string) {
	c := r.vec(d)
	if d.Kind != core.Gauge {
		panic(fmt.Sprintf("metrics: Set on %s, which is not a gauge", d.Name))
	}
	c.gauge.WithLabelValues(labelValues...).Set(v)
}

// Observe records one observation of a Histogram.
func (r *Registry) Observe(d *core.Desc, v float64, labelValues ...string) {
	c := r.vec(d)
	if d.Kind != core.Histogram {
		panic(fmt.Sprintf("metrics: Observe on %s, which is not a histogram", d.Name))
	}
	c.histogram.WithLabelValues(labelValues...).Observe(v)
}

// vec returns d's vector, making and registering it the first time d is
// used. Two Descs of one name are a programming error (a panic): each
// metric is declared once, as a package variable.
func (r *Registry) vec(d *core.Desc) collector {
	r.mu.RLock()
	c, ok := r.vecs[d]
	r.mu.RUnlock()
	if ok {
		return c
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.vecs[d]; ok {
		return c
	}
	var col prometheus.Collector
	switch d.Kind {
	case core.Counter:
		c.counter = prometheus.NewCounterVec(prometheus.CounterOpts{Name: d.Name, Help: d.Help}, d.Labels)
		col = c.counter
	case core.Gauge:
		c.gauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: d.Name, Help: d.Help}, d.Labels)
		col = c.gauge
	case core.Histogram:
		c.histogram = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: d.Name, Help: d.Help, Buckets: d.Buckets}, d.Labels)
		col = c.histogram
	default:
		panic(fmt.Sprintf("metrics: %s has unknown kind %d", d.Name, d.Kind))
	}
	if err := r.reg.Register(col); err != nil {
		panic(fmt.Sprintf("metrics: registering %s: %v (declare each metric once, as a package variable, and pass the same *Desc)", d.Name, err))
	}
	r.vecs[d] = c
	return c
}

var _ core.Recorder = (*Registry)(nil)
