package containerdrt

import (
	"strings"
	"testing"
	"time"

	cg1 "github.com/containerd/cgroups/v3/cgroup1/stats"
	cg2 "github.com/containerd/cgroups/v3/cgroup2/stats"
	"github.com/containerd/containerd/api/types"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tinykube/tinykube/core/kubelet"
)

// metric wraps s as a containerd shim sends it: an Any whose type URL is
// the message's full name, with no host prefix.
func metric(t *testing.T, id string, at time.Time, s proto.Message) *types.Metric {
	t.Helper()
	b, err := proto.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	url := string(s.ProtoReflect().Descriptor().FullName())
	return &types.Metric{ID: id, Timestamp: timestamppb.New(at), Data: &anypb.Any{TypeUrl: url, Value: b}}
}

// Both cgroup hierarchies decode to the same usage: CPU in
// core-nanoseconds, working set = usage − inactive file pages.
func TestContainerUsageDecodesBothCgroupHierarchies(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		in   *types.Metric
		want kubelet.ContainerUsage
	}{
		{"cgroup v1", metric(t, "c1", at, &cg1.Metrics{
			CPU: &cg1.CPUStat{Usage: &cg1.CPUUsage{Total: 3_500_000_000, User: 3e9, Kernel: 5e8}},
			Memory: &cg1.MemoryStat{Usage: &cg1.MemoryEntry{Usage: 40 << 20, Limit: 64 << 20},
				InactiveFile: 1 << 20, TotalInactiveFile: 8 << 20},
		}), kubelet.ContainerUsage{Time: at, CPUCoreNanoSeconds: 3_500_000_000, MemoryUsageBytes: 40 << 20, MemoryWorkingSetBytes: 32 << 20}},
		{"cgroup v2", metric(t, "c2", at, &cg2.Metrics{
			CPU:    &cg2.CPUStat{UsageUsec: 2_250_000, UserUsec: 2e6, SystemUsec: 25e4},
			Memory: &cg2.MemoryStat{Usage: 10 << 20, InactiveFile: 3 << 20, UsageLimit: 64 << 20},
		}), kubelet.ContainerUsage{Time: at, CPUCoreNanoSeconds: 2_250_000_000, MemoryUsageBytes: 10 << 20, MemoryWorkingSetBytes: 7 << 20}},
		{"v1 inactive above usage", metric(t, "c3", at, &cg1.Metrics{
			Memory: &cg1.MemoryStat{Usage: &cg1.MemoryEntry{Usage: 1 << 20}, TotalInactiveFile: 2 << 20},
		}), kubelet.ContainerUsage{Time: at, MemoryUsageBytes: 1 << 20}},
		{"v2 without CPU or memory", metric(t, "c4", at, &cg2.Metrics{Pids: &cg2.PidsStat{Current: 1}}),
			kubelet.ContainerUsage{Time: at}},
	} {
		got, err := containerUsage(tc.in)
		if err != nil {
			t.Errorf("%s: containerUsage() error = %v", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: containerUsage() (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestContainerUsageAcceptsAPrefixedTypeURL(t *testing.T) {
	m := metric(t, "c1", time.Unix(1, 0), &cg2.Metrics{CPU: &cg2.CPUStat{UsageUsec: 7}})
	m.Data.TypeUrl = "types.containerd.io/" + m.Data.TypeUrl
	got, err := containerUsage(m)
	if err != nil || got.CPUCoreNanoSeconds != 7000 {
		t.Errorf("containerUsage(%s) = %+v, %v; want 7000 core-nanoseconds", m.Data.TypeUrl, got, err)
	}
}

func TestContainerUsageRejectsWhatItCannotRead(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   *types.Metric
		want string
	}{
		{"no data", &types.Metric{ID: "c1"}, "metrics of task c1: containerd sent no data"},
		{"windows stats", &types.Metric{ID: "c2", Data: &anypb.Any{TypeUrl: "io.containerd.windows.Statistics"}},
			`metrics of task c2: type "io.containerd.windows.Statistics" is neither io.containerd.cgroups.v1.Metrics nor io.containerd.cgroups.v2.Metrics`},
		{"garbage", &types.Metric{ID: "c3", Data: &anypb.Any{TypeUrl: cgroup2MetricsType, Value: []byte{0xff, 0xff}}},
			"metrics of task c3: decoding io.containerd.cgroups.v2.Metrics"},
	} {
		_, err := containerUsage(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: containerUsage() error = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestParseProcStatCPU(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     uint64
	}{
		// user 100 nice 20 system 30 idle 9999 iowait 50 irq 1 softirq 2 steal 3 guest 40 guest_nice 5:
		// busy = 100+20+30+1+2+3 = 156 ticks = 1.56 s.
		{"full line", "cpu  100 20 30 9999 50 1 2 3 40 5\ncpu0 50 10 15 5000 25 1 1 2 20 3\nintr 1\n", 1_560_000_000},
		{"old kernel, four fields", "cpu 1 2 3 4\n", 60_000_000},
		{"idle machine", "cpu  0 0 0 123456 0 0 0 0 0 0\n", 0},
	} {
		got, err := parseProcStatCPU(strings.NewReader(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("%s: parseProcStatCPU() = %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "intr 1 2 3\n", "cpu 1 2 x 4\n", "cpu 1 2\n"} {
		if got, err := parseProcStatCPU(strings.NewReader(bad)); err == nil {
			t.Errorf("parseProcStatCPU(%q) = %d, want an error", bad, got)
		}
	}
}

func TestParseMeminfo(t *testing.T) {
	in := "MemTotal:       24683748 kB\nMemFree:        20000000 kB\nMemAvailable:   23915888 kB\nBuffers:          1000 kB\n"
	got, err := parseMeminfo(strings.NewReader(in))
	want := meminfo{total: 24683748 * 1024, available: 23915888 * 1024}
	if err != nil || got != want {
		t.Errorf("parseMeminfo() = %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []string{"", "MemTotal: 100 kB\n", "MemTotal: 100 kB\nMemAvailable: x kB\n", "MemTotal: 100 MB\nMemAvailable: 1 kB\n"} {
		if got, err := parseMeminfo(strings.NewReader(bad)); err == nil {
			t.Errorf("parseMeminfo(%q) = %+v, want an error", bad, got)
		}
	}
}

// On this machine, the node's counters read and move forward.
func TestNodeStatsReadsThisMachine(t *testing.T) {
	var r Runtime
	a, err := r.NodeStats()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) { // spin so the busy counter moves
	}
	b, err := r.NodeStats()
	if err != nil {
		t.Fatal(err)
	}
	if b.CPUCoreNanoSeconds <= a.CPUCoreNanoSeconds || !b.Time.After(a.Time) {
		t.Errorf("NodeStats() CPU %d at %s, then %d at %s; want it to grow", a.CPUCoreNanoSeconds, a.Time, b.CPUCoreNanoSeconds, b.Time)
	}
	if a.MemoryAvailableBytes == 0 || a.MemoryWorkingSetBytes == 0 {
		t.Errorf("NodeStats() = %+v, want memory in use and available", a)
	}
}
