package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tinykube/tinykube/sim/cluster"
	"github.com/tinykube/tinykube/sim/scenario"
)

// exploreBenchScenario is what the bench explores: the scenario with the
// most processes, faults of every kind and a history check.
const exploreBenchScenario = "examples/scenarios/leader-failover.yaml"

// exploreBench prints how fast `sim explore` gets through seeds with one
// worker and with more: seeds per minute over the same seeds of
// leader-failover at -j 1, -j 2 and (with more cores) -j GOMAXPROCS, the
// runs of each -j taken in turns, best of trials, and each -j's ratio to
// -j 1. It also checks that every -j gave the same verdicts and traces.
// Without the scenario file (tinykube bench run outside the repository)
// it says so and skips.
func exploreBench(ctx context.Context, w, progress io.Writer) error {
	const seeds, trials = 16, 2 // enough seeds that the last ones running alone do not decide the ratio
	s, err := scenario.Load(exploreBenchScenario)
	if err != nil {
		fmt.Fprintf(w, "\nsim explore, parallel seeds: skipped: %v; run tinykube bench (make bench) from the repository's root to measure it\n", err)
		return nil
	}
	jobs := []int{1, 2}
	if n := runtime.GOMAXPROCS(0); n > 2 {
		jobs = append(jobs, n)
	}
	fmt.Fprintf(w, "\nsim explore, parallel seeds (%s, seeds 1-%d, each -j's runs in turns, best of %d)\n", exploreBenchScenario, seeds, trials)
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(w, "(load average before: %s; with more runnable threads than cores, -j 2 gets no more CPU than -j 1)\n", strings.Join(strings.Fields(string(load))[:3], " "))
	}
	fmt.Fprintf(w, "%-10s %12s %14s %12s %14s %12s\n", "-j", "wall", "seeds/min", "vs -j 1", "CPU per seed", "cores used")
	best := make([]time.Duration, len(jobs))
	cpu := make([]time.Duration, len(jobs)) // of the best trial
	var first []uint64                      // -j 1's trace hashes, seed by seed
	same := true
	for trial := range trials {
		for i, j := range jobs {
			fmt.Fprintf(progress, "exploring %d seeds of %s at -j %d (trial %d of %d)...\n", seeds, s.Name, j, trial+1, trials)
			var hashes []uint64
			cpu0 := processCPU()
			start := time.Now()
			err := cluster.Explore(ctx, s, 1, seeds, j, func(o cluster.Outcome) bool {
				hashes = append(hashes, o.Result.TraceHash)
				return o.Err == nil
			})
			wall := time.Since(start)
			used := processCPU() - cpu0
			if err != nil {
				return err
			}
			if first == nil {
				first = hashes
			} else if !slices.Equal(first, hashes) {
				same = false
			}
			if best[i] == 0 || wall < best[i] {
				best[i], cpu[i] = wall, used
			}
		}
	}
	for i, j := range jobs {
		note := ""
		if j == 2 {
			note = "  (aim ≥ 1.8x at -j 2)"
		}
		fmt.Fprintf(w, "%-10s %12v %14.1f %11.2fx %14v %12.2f%s\n", fmt.Sprintf("-j %d", j), best[i].Round(time.Millisecond),
			seeds/best[i].Minutes(), best[0].Seconds()/best[i].Seconds(), (cpu[i] / seeds).Round(time.Millisecond),
			cpu[i].Seconds()/best[i].Seconds(), note)
	}
	if same {
		fmt.Fprintf(w, "every -j ran the same %d runs (same trace hash, seed by seed).\n", seeds)
	} else {
		fmt.Fprintln(w, "DIFFERENT RUNS: some -j gave other traces than -j 1 for the same seeds; parallel explore is broken")
	}
	fmt.Fprintln(w, "Each seed runs in a world of its own on one goroutine, sharing only the scenario, read only, so CPU per")
	fmt.Fprintln(w, "seed stays what -j 1 spends (JSON encoding of every API call and the garbage collector dominate it). The")
	fmt.Fprintln(w, "wall ratio falls short of -j when the machine gives the process fewer cores than that (cores used < j),")
	fmt.Fprintln(w, "and by the last seeds running alone at the end.")
	return nil
}

// processCPU returns the CPU time (user and system) this process has used
// so far, or 0 where getrusage fails.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
