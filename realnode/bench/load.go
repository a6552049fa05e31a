package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// op is one unit of work: worker's i-th operation. Every (worker, i) pair
// of a trial is distinct, so operations can name distinct keys after it.
type op func(ctx context.Context, worker, i int) error

// sample is what one trial measured.
type sample struct {
	ops      int
	elapsed  time.Duration
	p50, p99 time.Duration
	// cpu is the CPU time (user and system) the whole process used during
	// the trial: etcd, API server, HTTP and workers all run in it.
	cpu time.Duration
}

// cpuPerOp is the process's CPU time per operation: the work one
// operation costs the machine, whether or not it was waiting on a disk.
func (s sample) cpuPerOp() time.Duration { return s.cpu / time.Duration(s.ops) }

// rate is the trial's throughput in operations per second.
func (s sample) rate() float64 { return float64(s.ops) / s.elapsed.Seconds() }

// drive runs workers goroutines that each repeat do, one call after the
// other, until d has passed (a closed loop: a worker starts its next
// operation when the last one returns). Operations in flight at the end
// are finished and counted, and elapsed runs until the last one returns.
//
// The first failing operation stops every worker and is returned; when ctx
// ends, drive stops and returns ctx's error.
func drive(ctx context.Context, workers int, d time.Duration, do op) (sample, error) {
	var (
		stop      atomic.Bool
		wg        sync.WaitGroup
		errOnce   sync.Once
		firstErr  error
		latencies = make([][]time.Duration, workers)
	)
	cpu0 := processCPU()
	start := time.Now()
	deadline := start.Add(d)
	for w := range workers {
		wg.Go(func() {
			var lat []time.Duration
			for i := 0; !stop.Load() && ctx.Err() == nil; i++ {
				t0 := time.Now()
				if t0.After(deadline) {
					break
				}
				if err := do(ctx, w, i); err != nil {
					if ctx.Err() == nil {
						errOnce.Do(func() { firstErr = fmt.Errorf("worker %d, operation %d: %w", w, i, err) })
					}
					stop.Store(true)
					break
				}
				lat = append(lat, time.Since(t0))
			}
			latencies[w] = lat
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	if err := ctx.Err(); err != nil {
		return sample{}, err
	}
	if firstErr != nil {
		return sample{}, firstErr
	}
	all := slices.Concat(latencies...)
	if len(all) == 0 {
		return sample{}, fmt.Errorf("no operation finished in %v", d)
	}
	slices.Sort(all)
	return sample{
		ops:     len(all),
		elapsed: elapsed,
		p50:     quantile(all, 0.50),
		p99:     quantile(all, 0.99),
		cpu:     cpu,
	}, nil
}

// quantile returns the q-quantile of sorted, which must not be empty: the
// smallest value at or above a fraction q of the values.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// processCPU returns the user and system CPU time this process has used
// so far, or 0 if the kernel will not say.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
