package metrics

import (
	"fmt"
	"strings"
	"sync"
)

// Memory is a Recorder that keeps every series' value in memory, for
// tests and for the simulator to read back: a Counter's or Gauge's value,
// a Histogram's count and sum. It checks each call as a registry would
// (the kind of call fits the Desc's Kind, one value per label) and
// panics on a misuse, so that a test finds it before a real scrape does.
// It is safe for concurrent use.
type Memory struct {
	mu     sync.Mutex
	values map[seriesKey]float64 // counters, gauges, histogram sums
	counts map[seriesKey]int     // histograms' observations
}

// seriesKey is one series: a Desc and its label values joined by \x00.
type seriesKey struct {
	d      *Desc
	labels string
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{values: map[seriesKey]float64{}, counts: map[seriesKey]int{}}
}

// Add adds v to a Counter (v ≥ 0) or a Gauge.
func (m *Memory) Add(d *Desc, v float64, labelValues ...string) {
	k := m.check(d, "Add", labelValues)
	if d.Kind == Histogram || (d.Kind == Counter && v < 0) {
		panic(fmt.Sprintf("metrics: Add(%v) on %s (%s)", v, d.Name, kindName(d.Kind)))
	}
	m.mu.Lock()
	m.values[k] += v
	m.mu.Unlock()
}

// Set sets a Gauge.
func (m *Memory) Set(d *Desc, v float64, labelValues ...string) {
	k := m.check(d, "Set", labelValues)
	if d.Kind != Gauge {
		panic(fmt.Sprintf("metrics: Set on %s (%s); only gauges are set", d.Name, kindName(d.Kind)))
	}
	m.mu.Lock()
	m.values[k] = v
	m.mu.Unlock()
}

// Observe records one observation of a Histogram.
func (m *Memory) Observe(d *Desc, v float64, labelValues ...string) {
	k := m.check(d, "Observe", labelValues)
	if d.Kind != Histogram {
		panic(fmt.Sprintf("metrics: Observe on %s (%s); only histograms observe", d.Name, kindName(d.Kind)))
	}
	m.mu.Lock()
	m.values[k] += v
	m.counts[k]++
	m.mu.Unlock()
}

// Value returns a Counter's or Gauge's value, or a Histogram's sum, for
// the given label values (0 for a series never recorded).
func (m *Memory) Value(d *Desc, labelValues ...string) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.values[seriesKey{d, strings.Join(labelValues, "\x00")}]
}

// Count returns how many observations a Histogram's series has had.
func (m *Memory) Count(d *Desc, labelValues ...string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[seriesKey{d, strings.Join(labelValues, "\x00")}]
}

// check panics unless labelValues fit d's Labels; it returns the series.
func (m *Memory) check(d *Desc, call string, labelValues []string) seriesKey {
	if len(labelValues) != len(d.Labels) {
		panic(fmt.Sprintf("metrics: %s on %s with %d label values %q, want %d (%s)", call, d.Name, len(labelValues), labelValues, len(d.Labels), strings.Join(d.Labels, ", ")))
	}
	return seriesKey{d, strings.Join(labelValues, "\x00")}
}

func kindName(k Kind) string {
	switch k {
	case Counter:
		return "a counter"
	case Gauge:
		return "a gauge"
	case Histogram:
		return "a histogram"
	}
	return fmt.Sprintf("kind %d", k)
}
