package metricsserver

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// sample is one reading of a node's or a container's use, as a kubelet's
// summary states it: the CPU counter (core-nanoseconds used since start)
// at the kubelet's time at, and the working set then.
type sample struct {
	at     time.Time // the kubelet's clock when it read the counter
	start  time.Time // when the container (or node) started: a change is a restart
	cpu    uint64    // core-nanoseconds since start
	memory uint64    // working set, bytes
}

// podKey names a pod in the scraper's memory.
type podKey struct{ namespace, name string }

// scrape is what one successful scrape of one node read. A container that
// the summary lists without a CPU counter or a working set is kept as a
// nil sample: its pod has no complete metrics.
type scrape struct {
	scrapedAt time.Time // the scraper's clock, for staleness
	node      *sample   // nil when the summary had none
	pods      map[podKey]map[string]*sample
}

// samplesOf reads summary into a scrape taken at scrapedAt.
func samplesOf(sum api.Summary, scrapedAt time.Time) *scrape {
	s := &scrape{scrapedAt: scrapedAt, pods: map[podKey]map[string]*sample{}}
	s.node = sampleOf(sum.Node.StartTime, sum.Node.CPU, sum.Node.Memory)
	for _, p := range sum.Pods {
		k := podKey{p.PodRef.Namespace, p.PodRef.Name}
		cs := map[string]*sample{}
		for _, c := range p.Containers {
			cs[c.Name] = sampleOf(c.StartTime, c.CPU, c.Memory)
		}
		s.pods[k] = cs
	}
	return s
}

// sampleOf is one reading, or nil when the counter or the working set is
// missing (a runtime that does not measure, a container just started).
func sampleOf(start time.Time, cpu *api.CPUStats, mem *api.MemoryStats) *sample {
	if cpu == nil || cpu.UsageCoreNanoSeconds == nil || mem == nil || mem.WorkingSetBytes == nil {
		return nil
	}
	return &sample{at: cpu.Time, start: start, cpu: *cpu.UsageCoreNanoSeconds, memory: *mem.WorkingSetBytes}
}

// usage is the use between two samples: the CPU rate over window, ending
// at timestamp, and the later sample's working set.
type usage struct {
	timestamp time.Time
	window    time.Duration
	nanoCores uint64
	memory    uint64
}

// rate computes the use between prev and last, the readings of one
// container (or node) at two scrapes. It is not ok when there is no
// earlier reading, when time did not move forward between them, or when
// the container restarted in between (its start time changed, or its
// counter went back): the difference of two counters of different runs
// means nothing, so that window is skipped and last becomes the base of
// the next one.
func rate(prev, last *sample) (usage, bool) {
	if prev == nil || last == nil || !last.at.After(prev.at) {
		return usage{}, false
	}
	if !last.start.Equal(prev.start) || last.cpu < prev.cpu {
		return usage{}, false
	}
	window := last.at.Sub(prev.at)
	// (Δ core-ns / Δ ns) cores = Δ core-ns × 1e9 / Δ ns nanocores; the
	// float keeps a long window of a busy node from overflowing.
	nano := float64(last.cpu-prev.cpu) * float64(time.Second) / float64(window)
	return usage{timestamp: last.at, window: window, nanoCores: uint64(nano), memory: last.memory}, true
}

// podUsage is a pod's use, container by container in name order, with
// the timestamp and window of its earliest container (as metrics-server
// states a pod's).
type podUsage struct {
	timestamp  time.Time
	window     time.Duration
	containers []containerUsage
}

type containerUsage struct {
	name string
	usage
}

// result is what the scraper can say of one node after a scrape: its own
// use (nil when not computable) and that of each pod on it whose every
// container has a rate.
type result struct {
	scrapedAt time.Time
	node      *usage
	pods      map[podKey]podUsage
}

// compare computes the result of a node's scrape last against its
// previous one, prev (nil after a restart of the scraper or a failed
// scrape). A pod is left out when any of its containers lacks a rate —
// metrics-server omits such pods rather than state a partial sum, which
// would make a pod look idle to the HorizontalPodAutoscaler.
func compare(prev, last *scrape) result {
	r := result{scrapedAt: last.scrapedAt, pods: map[podKey]podUsage{}}
	if prev == nil {
		return r
	}
	if u, ok := rate(prev.node, last.node); ok {
		r.node = &u
	}
	for k, cs := range last.pods {
		before := prev.pods[k]
		if len(cs) == 0 || before == nil {
			continue
		}
		pu, complete := podUsage{}, true
		for _, name := range sortedKeys(cs) {
			u, ok := rate(before[name], cs[name])
			if !ok {
				complete = false
				break
			}
			pu.containers = append(pu.containers, containerUsage{name: name, usage: u})
			if pu.timestamp.IsZero() || u.timestamp.Before(pu.timestamp) {
				pu.timestamp, pu.window = u.timestamp, u.window
			}
		}
		if complete {
			r.pods[k] = pu
		}
	}
	return r
}
