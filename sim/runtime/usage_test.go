package runtime_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/sim/runtime"
)

// bare is a runtime driven directly, without a kubelet, on its own loop.
type bare struct {
	t  *testing.T
	v  *loop.Virtual
	rt *runtime.Runtime
}

func newBare(t *testing.T) *bare {
	v := loop.NewVirtual(t0)
	return &bare{t: t, v: v, rt: runtime.New(v, "node-1", rand.New(rand.NewPCG(1, 1)))}
}

// run starts a container with behaviour b (and CPU limit cpuLimit
// millicores) in a sandbox of its own; it returns the container's ID and
// the sandbox's IP.
func (b *bare) run(behavior string, cpuLimit int64) (string, string) {
	b.t.Helper()
	s, err := b.rt.RunSandbox(kubelet.SandboxConfig{PodUID: "uid-" + behavior, Namespace: "default", Name: "p"})
	if err != nil {
		b.t.Fatal(err)
	}
	id, err := b.rt.CreateContainer(s.ID, kubelet.ContainerConfig{Name: "app", Image: "busybox", CPUMilli: cpuLimit, MemoryBytes: 128 << 20,
		Annotations: map[string]string{runtime.AnnotationBehavior: behavior}})
	if err != nil {
		b.t.Fatal(err)
	}
	if err := b.rt.StartContainer(id); err != nil {
		b.t.Fatal(err)
	}
	b.v.RunFor(0)
	return id, s.IP
}

// cpu returns container id's CPU counter now, in core-nanoseconds.
func (b *bare) cpu(id string) uint64 {
	b.t.Helper()
	u, err := b.rt.ContainerStats()
	if err != nil {
		b.t.Fatal(err)
	}
	got, ok := u[id]
	if !ok {
		b.t.Fatalf("ContainerStats() has no %s: %v", id, u)
	}
	return got.CPUCoreNanoSeconds
}

// A container's CPU counter is the integral of its scripted rate: steps
// switch the rate at their times after the start, and the counter is the
// same whether it is read often or once.
func TestCPUCounterIntegratesSteps(t *testing.T) {
	const behavior = "cpu=100m,cpu-steps=10s:900m;20s:100m"
	often := newBare(t)
	id, _ := often.run(behavior, 0)
	var reads []uint64
	for range 6 {
		often.v.RunFor(5 * time.Second)
		reads = append(reads, often.cpu(id))
	}
	// 0.1 core for 10s, 0.9 for 10s, 0.1 for 10s: 0.5, 1, 5.5, 10, 10.5, 11 core-seconds.
	want := []uint64{500e6, 1e9, 5.5e9, 10e9, 10.5e9, 11e9}
	if diff := cmp.Diff(want, reads); diff != "" {
		t.Errorf("CPU counter every 5s (-want +got):\n%s", diff)
	}

	once := newBare(t)
	id, _ = once.run(behavior, 0)
	once.v.RunFor(30 * time.Second)
	if got := once.cpu(id); got != reads[5] {
		t.Errorf("CPU counter read once at 30s = %d, want %d as when read every 5s", got, reads[5])
	}
}

// The rate a container asks for is capped at its CPU limit, and all of
// them together at what the node has beside its base, shared in
// proportion to what each asks.
func TestCPURateCaps(t *testing.T) {
	tests := []struct {
		name     string
		capacity string
		runs     []string // behaviours
		limit    int64
		want     []uint64 // core-nanoseconds after 10s
	}{
		{"under the limit", "4", []string{"cpu=300m"}, 500, []uint64{3e9}},
		{"throttled at the limit", "4", []string{"cpu=2"}, 500, []uint64{5e9}},
		{"no limit", "4", []string{"cpu=2"}, 0, []uint64{20e9}},
		// 1 CPU less the 100m base leaves 900m for 800m+1600m: 300m and 600m.
		{"node full", "1", []string{"cpu=800m", "cpu=1600m"}, 0, []uint64{3e9, 6e9}},
		{"node not full", "4", []string{"cpu=800m", "cpu=1600m"}, 0, []uint64{8e9, 16e9}},
	}
	for _, tt := range tests {
		b := newBare(t)
		b.rt.SetCapacity(api.ResourceList{api.ResourceCPU: api.MustParseQuantity(tt.capacity)})
		var ids []string
		for _, beh := range tt.runs {
			id, _ := b.run(beh, tt.limit)
			ids = append(ids, id)
		}
		b.v.RunFor(10 * time.Second)
		var got []uint64
		for _, id := range ids {
			got = append(got, b.cpu(id))
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: CPU after 10s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// A container whose behaviour names no use of a kind uses the idle use
// SetIdleUse gives (none by default); naming any key of that kind, steps
// or per-request cost, opts it out.
func TestIdleUse(t *testing.T) {
	tests := []struct {
		behavior string
		idle     bool   // SetIdleUse(2m, 8Mi) before the start
		wantCPU  uint64 // core-nanoseconds after 10s
		wantWS   uint64
	}{
		{"", false, 0, 0},
		{"", true, 20e6, 8 << 20},
		{"start=1s", true, 18e6, 8 << 20},
		{"cpu=250m", true, 2.5e9, 8 << 20},
		{"memory=64Mi", true, 20e6, 64 << 20},
		{"cpu-steps=5s:300m", true, 1.5e9, 8 << 20},
		{"cpu-per-request=5m,memory-per-request=1Mi", true, 0, 0},
	}
	for _, tt := range tests {
		b := newBare(t)
		if tt.idle {
			b.rt.SetIdleUse(2, 8<<20)
		}
		id, _ := b.run(tt.behavior, 0)
		b.v.RunFor(10 * time.Second)
		u, err := b.rt.ContainerStats()
		if err != nil {
			t.Fatal(err)
		}
		if got := u[id]; got.CPUCoreNanoSeconds != tt.wantCPU || got.MemoryWorkingSetBytes != tt.wantWS {
			t.Errorf("behavior %q (idle use %v): after 10s CPU %d core-ns, working set %d; want %d, %d",
				tt.behavior, tt.idle, got.CPUCoreNanoSeconds, got.MemoryWorkingSetBytes, tt.wantCPU, tt.wantWS)
		}
	}
}

// With cpu-per-request a container's rate follows the load on its pod's
// IP: base plus cost times requests a second, capped at its limit.
func TestCPUFollowsLoad(t *testing.T) {
	b := newBare(t)
	id, ip := b.run("cpu=50m,cpu-per-request=5m", 1000)
	b.v.RunFor(10 * time.Second) // 50m: 0.5 core-seconds
	b.rt.SetLoad(map[string]float64{ip: 100, "10.244.9.9": 1000})
	b.v.RunFor(10 * time.Second) // 50m+500m: 5.5 more
	b.rt.SetLoad(map[string]float64{ip: 400})
	b.v.RunFor(10 * time.Second) // 50m+2000m capped at 1000m: 10 more
	b.rt.SetLoad(nil)
	b.v.RunFor(10 * time.Second) // 50m: 0.5 more
	if got, want := b.cpu(id), uint64(16.5e9); got != want {
		t.Errorf("CPU after 40s of load 0, 100, 400, 0 = %d, want %d", got, want)
	}
}

// The working set follows memory, memory-steps and memory-per-request,
// capped at the memory limit; the node's is its base plus its running
// containers', and its CPU counter its base plus every container's, past
// ones included.
func TestMemoryAndNodeStats(t *testing.T) {
	b := newBare(t)
	b.rt.SetCapacity(api.ResourceList{api.ResourceCPU: api.MustParseQuantity("2"), api.ResourceMemory: api.MustParseQuantity("1Gi")})
	id, ip := b.run("cpu=200m,memory=32Mi,memory-steps=10s:64Mi,memory-per-request=1Mi", 0)
	ws := func() uint64 {
		u, err := b.rt.ContainerStats()
		if err != nil {
			t.Fatal(err)
		}
		return u[id].MemoryWorkingSetBytes
	}
	if got := ws(); got != 32<<20 {
		t.Errorf("working set at start = %d, want 32Mi", got)
	}
	b.v.RunFor(10 * time.Second)
	b.rt.SetLoad(map[string]float64{ip: 10})
	if got := ws(); got != 74<<20 {
		t.Errorf("working set at 10s with 10 requests a second = %d, want 74Mi", got)
	}
	b.rt.SetLoad(map[string]float64{ip: 1000})
	if got := ws(); got != 128<<20 {
		t.Errorf("working set with 1000 requests a second = %d, want the 128Mi limit", got)
	}
	n, err := b.rt.NodeStats()
	if err != nil {
		t.Fatal(err)
	}
	// 100m base and 200m for 10s.
	want := kubelet.NodeUsage{Time: t0.Add(10 * time.Second), CPUCoreNanoSeconds: 3e9,
		MemoryWorkingSetBytes: (256 + 128) << 20, MemoryAvailableBytes: (1024 - 256 - 128) << 20}
	if diff := cmp.Diff(want, n); diff != "" {
		t.Errorf("NodeStats() at 10s (-want +got):\n%s", diff)
	}
	if err := b.rt.StopContainer(id, 0); err != nil {
		t.Fatal(err)
	}
	b.v.RunFor(10 * time.Second)
	n, _ = b.rt.NodeStats()
	if n.CPUCoreNanoSeconds != 4e9 || n.MemoryWorkingSetBytes != 256<<20 {
		t.Errorf("NodeStats() 10s after the container stopped = %d core-ns, %d bytes; want 4e9 (base added) and 256Mi (base only)", n.CPUCoreNanoSeconds, n.MemoryWorkingSetBytes)
	}
}

// A stats outage fails both calls, and the kubelet's Summary with them,
// until it ends.
func TestStatsOutage(t *testing.T) {
	w := newWorld(t)
	w.start()
	w.createPod("web", "cpu=500m", nil)
	w.run(5 * time.Second)
	w.rt.SetStatsOutage("metrics-outage fault")
	if _, err := w.k.Summary(); err == nil || !strings.Contains(err.Error(), "stats are unavailable: metrics-outage fault") {
		t.Errorf("Summary() during an outage: error %v, want one saying the stats are unavailable", err)
	}
	w.rt.SetStatsOutage("")
	if _, err := w.k.Summary(); err != nil {
		t.Errorf("Summary() after the outage: %v", err)
	}
}

// Through the kubelet: a pod's scripted CPU shows in its Summary as a
// rate between two calls.
func TestSummaryShowsScriptedUse(t *testing.T) {
	w := newWorld(t)
	w.start()
	w.createPod("web", "start=1s,cpu=250m,memory=64Mi", nil)
	w.run(5 * time.Second)
	if _, err := w.k.Summary(); err != nil {
		t.Fatal(err)
	}
	w.run(10 * time.Second)
	s, err := w.k.Summary()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Pods) != 1 || len(s.Pods[0].Containers) != 1 {
		t.Fatalf("Summary() pods = %+v, want web with one container", s.Pods)
	}
	c := s.Pods[0].Containers[0]
	if c.CPU == nil || c.CPU.UsageNanoCores == nil || *c.CPU.UsageNanoCores != 250e6 {
		t.Errorf("container CPU = %+v, want a rate of 250e6 nanocores", c.CPU)
	}
	if c.Memory == nil || *c.Memory.WorkingSetBytes != 64<<20 {
		t.Errorf("container memory = %+v, want a working set of 64Mi", c.Memory)
	}
	if n := s.Node.CPU; n == nil || n.UsageNanoCores == nil || *n.UsageNanoCores != 350e6 {
		t.Errorf("node CPU = %+v, want 350e6 nanocores (250m and the 100m base)", n)
	}
}

// Same script, same numbers: two runtimes driven alike report alike.
func TestUsageDeterministic(t *testing.T) {
	read := func() map[string]kubelet.ContainerUsage {
		b := newBare(t)
		b.rt.SetCapacity(api.ResourceList{api.ResourceCPU: api.MustParseQuantity("1")})
		_, ip := b.run("cpu=100m,cpu-per-request=3m,cpu-steps=7s:300m", 0)
		b.run("cpu=700m,cpu-steps=3s:50m;11s:900m", 0)
		for i := range 20 {
			b.v.RunFor(time.Duration(i) * 333 * time.Millisecond)
			b.rt.SetLoad(map[string]float64{ip: float64(i*i) / 3})
		}
		u, _ := b.rt.ContainerStats()
		return u
	}
	if diff := cmp.Diff(read(), read()); diff != "" {
		t.Errorf("two identical runs differ (-first +second):\n%s", diff)
	}
}
