package cluster

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// BenchmarkSimulator10Nodes is `tinykube bench`'s simulator row, for
// profiling: go test -run XXX -bench Simulator10 -cpuprofile cpu.out.
func BenchmarkSimulator10Nodes(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c, err := New(BenchScenario(10, 5*time.Minute), uint64(i+1))
		if err != nil {
			b.Fatal(err)
		}
		if r := c.Run(); r.Violation != nil {
			b.Fatal(r.Violation)
		}
	}
}

// BenchmarkSimLarge runs the bench's larger shapes, for profiling one at a
// time: go test -run XXX -bench 'SimLarge/100n' -benchtime 1x
// -cpuprofile cpu.out -memprofile mem.out. It reports virtual seconds
// per wall second as x-real.
func BenchmarkSimLarge(b *testing.B) {
	for _, tc := range []struct {
		nodes, pods int
		d           time.Duration
	}{{30, 900, 30 * time.Second}, {100, 3000, time.Minute}, {1000, 30000, 20 * time.Second}} {
		b.Run(fmt.Sprintf("%dn%dp", tc.nodes, tc.pods), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c, err := New(BenchScenarioPods(tc.nodes, tc.pods, tc.d), uint64(i+1))
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				r := c.Run()
				if r.Violation != nil {
					b.Fatal(r.Violation)
				}
				b.ReportMetric(r.At.Seconds()/time.Since(start).Seconds(), "x-real")
				b.ReportMetric(float64(r.Steps), "steps")
			}
		})
	}
}

// BenchmarkSim10Nodes and BenchmarkSim100Nodes time the data path between
// simulated processes on `tinykube bench`'s scenario and report how many
// times faster than real time the simulator runs ("xreal"), so that a
// profile (-cpuprofile) and the figure come from the same run.
func BenchmarkSim10Nodes(b *testing.B)  { benchSim(b, 10, 5*time.Minute, Plugins{}) }
func BenchmarkSim100Nodes(b *testing.B) { benchSim(b, 100, 2*time.Minute, Plugins{}) }

// BenchmarkSimShared compares, in one process, watch events carrying the
// object their API server decoded once (shared) with every watcher
// decoding the bytes itself (per-watcher, Plugins.DecodePerWatcher): run
// it with -count to interleave trials on a noisy machine.
func BenchmarkSimShared(b *testing.B) {
	for _, nodes := range []struct {
		n int
		d time.Duration
	}{{10, 5 * time.Minute}, {100, 2 * time.Minute}} {
		for _, mode := range []struct {
			name    string
			plugins Plugins
		}{{"shared", Plugins{}}, {"per-watcher", Plugins{DecodePerWatcher: true}}} {
			b.Run(fmt.Sprintf("nodes=%d/%s", nodes.n, mode.name), func(b *testing.B) { benchSim(b, nodes.n, nodes.d, mode.plugins) })
		}
	}
}

// benchSim runs BenchScenario(nodes, d) with plugins b.N times on seeds
// 1..b.N and reports virtual over wall time; a violation fails the
// benchmark.
func benchSim(b *testing.B, nodes int, d time.Duration, plugins Plugins) {
	var virtual time.Duration
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		c, err := NewWith(BenchScenario(nodes, d), uint64(i+1), plugins)
		if err != nil {
			b.Fatal(err)
		}
		r := c.Run()
		if r.Violation != nil {
			b.Fatal(r.Violation)
		}
		virtual += r.At
	}
	b.ReportMetric(virtual.Seconds()/b.Elapsed().Seconds(), "xreal")
	// On a shared machine wall time counts other jobs' load too; the
	// process's CPU time (the loop's thread and the collector's) does not.
	b.ReportMetric(virtual.Seconds()/(cpuTime()-cpu0).Seconds(), "xreal-cpu")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
