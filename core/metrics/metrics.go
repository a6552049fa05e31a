package metrics

// Kind is what a metric measures over time.
type Kind int

// The kinds of metric.
const (
	// Counter only goes up: requests served, pods scheduled.
	Counter Kind = iota
	// Gauge goes up and down: a queue's depth, pending pods.
	Gauge
	// Histogram counts observations into buckets: latencies, sizes.
	Histogram
)

// Desc declares one metric. Declare each once, as a package variable of
// the component that records it, and pass the same pointer every time.
type Desc struct {
	Name   string
	Help   string
	Kind   Kind
	Labels []string // label names; each call gives values in this order
	// Buckets are a Histogram's upper bounds (nil: the Prometheus
	// client's defaults).
	Buckets []float64
}

// Recorder takes measurements. Implementations are safe for concurrent
// use; label values must match the Desc's Labels in number.
type Recorder interface {
	// Add adds v (≥ 0) to a Counter, or v (any sign) to a Gauge.
	Add(d *Desc, v float64, labelValues ...string)
	// Set sets a Gauge.
	Set(d *Desc, v float64, labelValues ...string)
	// Observe records one observation of a Histogram.
	Observe(d *Desc, v float64, labelValues ...string)
}

// Discard is a Recorder that records nothing: the default wherever none
// is given.
var Discard Recorder = discard{}

type discard struct{}

func (discard) Add(*Desc, float64, ...string)     {}
func (discard) Set(*Desc, float64, ...string)     {}
func (discard) Observe(*Desc, float64, ...string) {}

// Carrier is implemented by what carries a process' Recorder to the
// components built on it: realnode's loops do, so that every work queue
// on a loop reports without each controller being told (core/client's
// Queue asks its loop).
type Carrier interface {
	Metrics() Recorder
}

// From returns the Recorder v carries (v a Carrier with a non-nil one),
// or Discard.
func From(v any) Recorder {
	if c, ok := v.(Carrier); ok {
		if r := c.Metrics(); r != nil {
			return r
		}
	}
	return Discard
}
