package runtime

import (
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
)

// What a simulated node uses with no pods at all: its system daemons, the
// kubelet, the runtime. NodeStats adds it to the containers' use, as a
// real machine's root cgroup counts everything on it.
const (
	NodeBaseCPUMilli    = 100
	NodeBaseMemoryBytes = 256 << 20
)

// usage is the runtime's measuring side: what the machine has, the load
// each pod IP receives, and the CPU counters, integrated up to settledAt.
//
// A container's CPU rate is piecewise constant: it changes only when a
// container starts or stops, when a step of its behaviour comes due, and
// when its load changes. Every change of the first and last kind settles
// the counters up to now first, at the old rates; steps are cut out
// analytically while settling. So the counters are exact (no sampling) and
// cost O(changes), never O(time): a run with no query and no change does
// no work at all.
type usage struct {
	cpuMilli    int64 // the node's capacity
	memoryBytes int64
	// loads is requests a second by pod IP (SetLoad).
	loads     map[string]float64
	bootedAt  time.Time
	settledAt time.Time
	// containers is the CPU every container has used since boot, the
	// removed ones' included: the node's counter, less its base.
	containers counter
	// outage, when not "", makes the stats unavailable (SetStatsOutage).
	outage string
	// idleCPUMilli and idleMemoryBytes are what a container uses whose
	// behaviour names no use of that kind (SetIdleUse); 0 in the
	// simulator.
	idleCPUMilli, idleMemoryBytes int64
}

func newUsage(now time.Time) usage {
	now = now.Round(0) // wall time, as settle
	return usage{cpuMilli: 4000, memoryBytes: 8 << 30, loads: map[string]float64{}, bootedAt: now, settledAt: now}
}

// counter is a CPU counter in core-nanoseconds, with the remainder of its
// last division so that adding in pieces is exact: adding r for a and
// then for b counts what adding r for a+b counts.
type counter struct {
	nanos uint64
	rem   uint64 // in nanocore-nanoseconds, below 1e9
}

// add counts rate (nanocores) for d.
func (c *counter) add(rate uint64, d time.Duration) {
	for d > 0 {
		// An hour at a million cores is 3.6e27 nanocore-nanoseconds,
		// below the 1.8e28 Div64 takes: add at most an hour at a time.
		step := min(d, time.Hour)
		d -= step
		hi, lo := bits.Mul64(rate, uint64(step))
		var carry uint64
		lo, carry = bits.Add64(lo, c.rem, 0)
		hi += carry
		q, r := bits.Div64(hi, lo, 1e9)
		c.nanos += q
		c.rem = r
	}
}

// SetCapacity tells the runtime what its machine has: the node's cpu and
// memory cap what its containers can use together. Without it a runtime
// has 4 CPUs and 8Gi, sim/cluster's default node.
func (r *Runtime) SetCapacity(capacity api.ResourceList) {
	r.settle()
	if q, ok := capacity[api.ResourceCPU]; ok {
		r.usage.cpuMilli = q.MilliValue()
	}
	if q, ok := capacity[api.ResourceMemory]; ok {
		r.usage.memoryBytes = q.Value()
	}
}

// SetLoad sets the requests a second that each pod IP receives (the
// simulated traffic of a scenario's load, spread as the service proxies
// spread it). A container whose behaviour has cpu-per-request or
// memory-per-request uses more for its sandbox IP's load. IPs of other
// nodes are ignored; the map is copied.
func (r *Runtime) SetLoad(rps map[string]float64) {
	next := map[string]float64{}
	for ip, v := range rps {
		if v > 0 {
			next[ip] = v
		}
	}
	if maps.Equal(next, r.usage.loads) {
		return
	}
	r.settle()
	r.usage.loads = next
}

// SetIdleUse sets what a container uses whose behaviour says nothing
// about its use: cpuMilli of CPU when it names no cpu, cpu-steps or
// cpu-per-request (or only zeros), and memoryBytes of working set when it
// names no memory, memory-steps or memory-per-request. The default is
// nothing at all, so that a scenario's arithmetic is exactly what its
// annotations say; `tinykube up` sets an idle process' few, so that an
// ordinary manifest's pods do not read as using nothing in kubectl top.
// Limits still cap it.
func (r *Runtime) SetIdleUse(cpuMilli, memoryBytes int64) {
	r.settle()
	r.usage.idleCPUMilli = max(cpuMilli, 0)
	r.usage.idleMemoryBytes = max(memoryBytes, 0)
}

// SetStatsOutage makes the runtime's stats unavailable (reason not "") or
// available again (""): ContainerStats and NodeStats fail, so the
// kubelet's Summary does, as when cAdvisor or the CRI stats calls fail on
// a real node. The simulator's metrics-outage fault sets it.
func (r *Runtime) SetStatsOutage(reason string) { r.usage.outage = reason }

// ContainerStats implements kubelet.StatsProvider: the CPU each running
// container has used since it started, and its working set now.
func (r *Runtime) ContainerStats() (map[string]kubelet.ContainerUsage, error) {
	if r.usage.outage != "" {
		return nil, fmt.Errorf("node %s: container stats are unavailable: %s", r.node, r.usage.outage)
	}
	r.settle()
	// The counters' own instant: on a wall clock (tinykube up) a second
	// reading would be a little later than what they count, and every
	// rate a little off.
	now := r.usage.settledAt
	out := map[string]kubelet.ContainerUsage{}
	for id, c := range r.containers {
		if c.State != kubelet.StateRunning {
			continue
		}
		ws := r.workingSet(c, now)
		out[id] = kubelet.ContainerUsage{Time: now, CPUCoreNanoSeconds: c.cpu.nanos, MemoryWorkingSetBytes: ws, MemoryUsageBytes: ws}
	}
	return out, nil
}

// NodeStats implements kubelet.StatsProvider: the node's CPU since boot
// (its base and every container's, past ones included) and its working
// set now (its base and its running containers'), capped at capacity.
func (r *Runtime) NodeStats() (kubelet.NodeUsage, error) {
	if r.usage.outage != "" {
		return kubelet.NodeUsage{}, fmt.Errorf("node %s: node stats are unavailable: %s", r.node, r.usage.outage)
	}
	r.settle()
	now := r.usage.settledAt // the counters' own instant, as in ContainerStats
	var base counter
	base.add(NodeBaseCPUMilli*1e6, now.Sub(r.usage.bootedAt))
	ws := uint64(NodeBaseMemoryBytes)
	for _, c := range r.containers {
		if c.State == kubelet.StateRunning {
			ws += r.workingSet(c, now)
		}
	}
	capacity := uint64(max(r.usage.memoryBytes, 0))
	ws = min(ws, capacity)
	return kubelet.NodeUsage{Time: now, CPUCoreNanoSeconds: base.nanos + r.usage.containers.nanos,
		MemoryWorkingSetBytes: ws, MemoryAvailableBytes: capacity - ws}, nil
}

// settle brings every running container's CPU counter up to now, at the
// rates that held since the last settle, cutting the interval at each
// behaviour step that came due inside it.
func (r *Runtime) settle() {
	// On a wall clock (tinykube up) the counters are integrated over wall
	// time, stripped of Go's monotonic reading: the stats state wall
	// timestamps, and a scraper's rate over them is then exactly the
	// scripted one, not off by the few nanoseconds between the two clock
	// readings of time.Now. The simulator's times have no monotonic part.
	now := r.loop.Now().Round(0)
	from := r.usage.settledAt
	r.usage.settledAt = now
	if !now.After(from) {
		return
	}
	var running []*container
	for _, id := range slices.Sorted(maps.Keys(r.containers)) {
		if c := r.containers[id]; c.State == kubelet.StateRunning {
			running = append(running, c)
		}
	}
	if len(running) == 0 {
		return
	}
	cuts := []time.Time{now}
	for _, c := range running {
		for _, st := range c.behavior.CPUSteps {
			if t := c.StartedAt.Add(st.At); t.After(from) && t.Before(now) {
				cuts = append(cuts, t)
			}
		}
	}
	slices.SortFunc(cuts, func(a, b time.Time) int { return a.Compare(b) })
	at := from
	for _, cut := range cuts {
		if !cut.After(at) {
			continue
		}
		d := cut.Sub(at)
		for i, rate := range r.cpuRates(running, at) {
			running[i].cpu.add(rate, d)
			r.usage.containers.add(rate, d)
		}
		at = cut
	}
}

// cpuRates returns the CPU rate (nanocores) of each running container at
// at: what its behaviour asks (its step's or base cpu, the idle use when
// it names none, plus cpu-per-request
// times its load), capped at its CPU limit; and, when together they ask
// more than the node has beside its base, each gets its share of what
// there is in proportion to what it asks. (A real kernel divides by CPU
// shares, that is by requests; in proportion to demand is simpler and
// still never more than the machine.)
func (r *Runtime) cpuRates(running []*container, at time.Time) []uint64 {
	rates := make([]uint64, len(running))
	var sum uint64
	for i, c := range running {
		b := c.behavior
		base := b.CPUMilli
		if b.CPUMilli == 0 && len(b.CPUSteps) == 0 && b.CPUPerRequestMilli == 0 {
			base = r.usage.idleCPUMilli
		}
		rate := uint64(stepValue(base, b.CPUSteps, at.Sub(c.StartedAt))) * 1e6
		if b.CPUPerRequestMilli > 0 {
			rate += uint64(min(math.Round(float64(b.CPUPerRequestMilli*1e6)*r.load(c)), maxCPUMilli*1e6))
		}
		rate = min(rate, maxCPUMilli*1e6)
		if c.cpuLimitMilli > 0 {
			rate = min(rate, uint64(c.cpuLimitMilli)*1e6)
		}
		rates[i] = rate
		sum += rate
	}
	avail := uint64(max(r.usage.cpuMilli-NodeBaseCPUMilli, 0)) * 1e6
	if sum > avail {
		for i, rate := range rates {
			hi, lo := bits.Mul64(rate, avail)
			rates[i], _ = bits.Div64(hi, lo, sum) // rate <= sum: no overflow
		}
	}
	return rates
}

// workingSet returns container c's working set at now: its step's or
// base memory (the idle use when its behaviour names none) plus
// memory-per-request times its load, capped at its memory limit.
func (r *Runtime) workingSet(c *container, now time.Time) uint64 {
	b := c.behavior
	base := b.MemoryBytes
	if b.MemoryBytes == 0 && len(b.MemorySteps) == 0 && b.MemoryPerRequestBytes == 0 {
		base = r.usage.idleMemoryBytes
	}
	ws := uint64(stepValue(base, b.MemorySteps, now.Sub(c.StartedAt)))
	if b.MemoryPerRequestBytes > 0 {
		ws += uint64(min(math.Round(float64(b.MemoryPerRequestBytes)*r.load(c)), maxMemoryBytes))
	}
	ws = min(ws, maxMemoryBytes)
	if c.memoryLimitBytes > 0 {
		ws = min(ws, uint64(c.memoryLimitBytes))
	}
	return ws
}

// load is the requests a second container c's pod receives: the load on
// its sandbox's IP while the sandbox is up.
func (r *Runtime) load(c *container) float64 {
	s := r.sandboxes[c.SandboxID]
	if s == nil || !s.Ready {
		return 0
	}
	return r.usage.loads[s.IP]
}

// stepValue is the value of a use up after the start: the last step due
// by then, else base.
func stepValue(base int64, steps []Step, up time.Duration) int64 {
	v := base
	for _, st := range steps {
		if st.At > up {
			break
		}
		v = st.Value
	}
	return v
}

var _ kubelet.StatsProvider = (*Runtime)(nil)
