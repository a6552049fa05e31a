package containerdrt_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/realnode/containerdrt"
	"github.com/tinykube/tinykube/realnode/nodetest"
)

// A container spinning in a shell loop uses about one CPU: its CPU counter
// grows by about a core-second per second, whichever cgroup hierarchy the
// machine has, and it has memory in use. Sandboxes, which have no task,
// are not measured.
func TestContainerStatsMeasureASpinningContainer(t *testing.T) {
	rt, _, _ := newRuntime(t)
	if err := rt.EnsureImage("busybox", api.PullIfNotPresent); err != nil {
		t.Fatal(err)
	}
	sb, err := rt.RunSandbox(kubelet.SandboxConfig{PodUID: "u-spin", Namespace: "default", Name: "p-u-spin", Labels: podLabels("u-spin")})
	if err != nil {
		t.Fatal(err)
	}
	id, err := rt.CreateContainer(sb.ID, kubelet.ContainerConfig{Name: "spin", Image: "busybox",
		Command: []string{"sh", "-c", "while :; do :; done"}, Labels: containerLabels("u-spin", "spin")})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.StartContainer(id); err != nil {
		t.Fatal(err)
	}
	waitState(t, rt, id, kubelet.StateRunning)

	pid := taskPID(t, rt, id)

	// A sample is the cgroup's counter, the kernel scheduler's own count
	// of the loop's CPU time, and the whole machine's idle time.
	type sample struct {
		u          kubelet.ContainerUsage
		sched      uint64
		idle, busy uint64
	}
	read := func() sample {
		t.Helper()
		var s sample
		s.sched = schedRunNanos(t, pid)
		start := time.Now()
		all, err := rt.ContainerStats()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("ContainerStats() of %d task(s) took %s", len(all), time.Since(start))
		if _, ok := all[sb.ID]; ok {
			t.Errorf("ContainerStats() measured sandbox %s, want only containers", sb.ID)
		}
		u, ok := all[id]
		if !ok {
			t.Fatalf("ContainerStats() = %+v, want container %s", all, id)
		}
		s.u = u
		s.idle, s.busy = nodetest.MachineTicks(t)
		return s
	}
	first := read()
	time.Sleep(3 * time.Second)
	second := read()

	elapsed := second.u.Time.Sub(first.u.Time)
	if elapsed < 3*time.Second {
		t.Fatalf("samples %s apart, want at least 3s (are the timestamps the shim's?)", elapsed)
	}
	used := second.u.CPUCoreNanoSeconds - first.u.CPUCoreNanoSeconds
	cores := float64(used) / float64(elapsed.Nanoseconds())
	sched := float64(second.sched - first.sched)
	idle := float64(second.idle-first.idle) / float64(second.idle-first.idle+second.busy-first.busy)
	t.Logf("CPU %d → %d core-ns over %s: %.3f cores (the scheduler counted %.0f ns, the machine was %.0f%% idle); memory working set %d, usage %d",
		first.u.CPUCoreNanoSeconds, second.u.CPUCoreNanoSeconds, elapsed, cores, sched, 100*idle, second.u.MemoryWorkingSetBytes, second.u.MemoryUsageBytes)

	// The cgroup counts what the scheduler ran, in the same unit.
	if ratio := float64(used) / sched; ratio < 0.9 || ratio > 1.1 {
		t.Errorf("cgroup CPU grew %d ns while the scheduler ran the loop %.0f ns (ratio %.3f), want the same within 10%%", used, sched, ratio)
	}
	// One thread uses at most one core; on a machine with room to spare
	// it gets about one. A machine saturated by other work (no idle time
	// left) gives it less, and then only the counts above are judged.
	if cores > 1.2 {
		t.Errorf("spinning container used %.3f cores over %s, want at most 1 (up to 1.2 for timing)", cores, elapsed)
	}
	if cores < 0.5 {
		if idle > 0.05 {
			t.Errorf("spinning container used %.3f cores over %s while the machine was %.0f%% idle, want about 1 (0.5–1.2)", cores, elapsed, 100*idle)
		} else {
			t.Logf("the machine was saturated (%.0f%% idle): %.3f cores is what the loop got, not judged", 100*idle, cores)
		}
	}
	if second.u.MemoryWorkingSetBytes == 0 || second.u.MemoryUsageBytes < second.u.MemoryWorkingSetBytes {
		t.Errorf("memory = working set %d, usage %d; want a working set above zero and no more than usage",
			second.u.MemoryWorkingSetBytes, second.u.MemoryUsageBytes)
	}

	// A stopped container is no longer measured.
	if err := rt.StopContainer(id, 0); err != nil {
		t.Fatal(err)
	}
	waitState(t, rt, id, kubelet.StateExited)
	all, err := rt.ContainerStats()
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := all[id]; ok {
		t.Errorf("ContainerStats() after the stop = %+v for %s, want it gone", u, id)
	}
}

// taskPID is the host PID of container id's task.
func taskPID(t *testing.T, rt *containerdrt.Runtime, id string) uint32 {
	t.Helper()
	c, err := rt.Client().LoadContainer(rt.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	task, err := c.Task(rt.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return task.Pid()
}

// schedRunNanos is the time process pid has spent on a CPU, as the
// scheduler counts it (/proc/PID/schedstat's first field, nanoseconds).
func schedRunNanos(t *testing.T, pid uint32) uint64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid))
	if err != nil {
		t.Skipf("no scheduler statistics to check the cgroup against: %v", err)
	}
	f := strings.Fields(string(b))
	n, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		t.Fatalf("/proc/%d/schedstat = %q: %v", pid, b, err)
	}
	return n
}

// BenchmarkContainerStats is the cost of one ContainerStats call, which
// the kubelet's loop pays for each summary, with ten running containers.
func BenchmarkContainerStats(b *testing.B) {
	rt, _, _ := newRuntime(b)
	if err := rt.EnsureImage("busybox", api.PullIfNotPresent); err != nil {
		b.Fatal(err)
	}
	sb, err := rt.RunSandbox(kubelet.SandboxConfig{PodUID: "u-bench", Namespace: "default", Name: "p-u-bench", Labels: podLabels("u-bench")})
	if err != nil {
		b.Fatal(err)
	}
	const n = 10
	for i := range n {
		name := fmt.Sprintf("sleep%d", i)
		id, err := rt.CreateContainer(sb.ID, kubelet.ContainerConfig{Name: name, Image: "busybox",
			Command: []string{"sleep", "600"}, Labels: containerLabels("u-bench", name)})
		if err != nil {
			b.Fatal(err)
		}
		if err := rt.StartContainer(id); err != nil {
			b.Fatal(err)
		}
		waitState(b, rt, id, kubelet.StateRunning)
	}
	b.ResetTimer()
	for b.Loop() {
		all, err := rt.ContainerStats()
		if err != nil || len(all) != n {
			b.Fatalf("ContainerStats() = %d containers, %v; want %d", len(all), err, n)
		}
	}
	b.StopTimer()
	if err := rt.StopSandbox(sb.ID); err != nil {
		b.Fatal(err)
	}
}
