package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tinykube/tinykube/sim/cluster"
)

// simBenchRows are the simulator's rows in `tinykube bench`: the issue's
// shapes, each with churn (scaled to half and back) and faults. The
// largest simulates a short stretch, long enough for every pod to be
// scheduled and started and for the churn and faults to happen: it is
// there to show that the run ends, how fast, and in how much memory.
// A row that has not ended within its wall-clock budget is stopped and
// says how far it got, so that a slow simulator makes a slow row, not a
// bench that never ends.
var simBenchRows = []struct {
	nodes, pods int
	d           time.Duration
	aim         float64       // x real time the issue asks for
	budget      time.Duration // wall time before the row is stopped
}{
	{10, 50, 5 * time.Minute, 2000, 3 * time.Minute},
	{100, 3000, 2 * time.Minute, 100, 5 * time.Minute},
	{1000, 30000, 30 * time.Second, 10, 10 * time.Minute},
}

// errOverBudget stops a bench row that has run out of wall time.
var errOverBudget = errors.New("bench: out of wall-clock budget")

// simBench prints how fast the simulator runs: virtual seconds per wall
// second for each of simBenchRows, with the peak heap and resident memory
// of the run.
func simBench(w, progress io.Writer) error {
	gc := debug.SetGCPercent(100)
	debug.SetGCPercent(gc)
	limit := "none"
	if l := debug.SetMemoryLimit(-1); l < math.MaxInt64 {
		limit = mib(uint64(l))
	}
	fmt.Fprintf(w, "\nsimulator (whole cluster, one thread; churn and faults; GOGC %d, soft memory limit %s, as `tinykube sim` runs)\n", gc, limit)
	fmt.Fprintf(w, "%-26s %9s %10s %11s %10s %10s %10s\n", "cluster", "virtual", "wall", "events/s", "peak heap", "peak RSS", "x real")
	for _, row := range simBenchRows {
		fmt.Fprintf(progress, "simulating %d nodes, %d pods for %v...\n", row.nodes, row.pods, row.d)
		c, err := cluster.New(cluster.BenchScenarioPods(row.nodes, row.pods, row.d), 1)
		if err != nil {
			return err
		}
		runtime.GC() // the previous row's garbage is not this row's peak
		peak := watchMemory()
		start := time.Now()
		steps := 0
		c.W.AddCheck(func() error { // the wall clock, read every 1024 steps
			if steps++; steps%1024 == 0 && time.Since(start) > row.budget {
				return errOverBudget
			}
			return nil
		})
		r := c.Run()
		wall := time.Since(start)
		heap, rss := peak()
		note := fmt.Sprintf("  (aim ≥ %.0fx)", row.aim)
		switch {
		case errors.Is(r.Violation, errOverBudget):
			note += fmt.Sprintf("  STOPPED at %v of %v: over its %v budget", r.At.Round(time.Second), row.d, row.budget)
		case r.Violation != nil:
			note += "  VIOLATION: " + r.Violation.Error()
		}
		fmt.Fprintf(w, "%-26s %9v %10v %11.0f %10s %10s %9.0fx%s\n", fmt.Sprintf("%d nodes, %d pods", row.nodes, row.pods),
			r.At.Round(time.Second), wall.Round(time.Millisecond), float64(r.Steps)/wall.Seconds(),
			mib(heap), mib(rss), r.At.Seconds()/wall.Seconds(), note)
	}
	fmt.Fprintln(w, "What limits it: requests and responses are encoded and decoded as JSON at both ends, as on a real network")
	fmt.Fprintln(w, "(watch events share one decoded object); updates (Lease renewals every 2s per node, pod status) dominate,")
	fmt.Fprintln(w, "with their managed-fields bookkeeping; at hundreds of nodes, every pod write reaching every kubelet's watch")
	fmt.Fprintln(w, "to be filtered by spec.nodeName (no indexed watches yet). See book/20-speed.md, \"What is still slow\".")
	return nil
}

// watchMemory samples the live heap and the resident set every 50ms until
// the returned func is called, which stops it and returns the peaks (the
// resident set is 0 where /proc is not).
func watchMemory() (peaks func() (heap, rss uint64)) {
	var mu sync.Mutex
	var maxHeap, maxRSS uint64
	sample := func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		h := s[0].Value.Uint64()
		r := residentBytes()
		mu.Lock()
		maxHeap, maxRSS = max(maxHeap, h), max(maxRSS, r)
		mu.Unlock()
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		<-stopped
		sample()
		mu.Lock()
		defer mu.Unlock()
		return maxHeap, maxRSS
	}
}

// residentBytes returns this process's resident set (VmRSS in
// /proc/self/status), or 0 if it cannot be read.
func residentBytes() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// mib formats a byte count in MiB ("-" for 0: not measured).
func mib(b uint64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}
