package cluster

import (
	"context"
	"fmt"
	"sync"

	"github.com/tinykube/tinykube/sim/scenario"
)

// Outcome is one seed's run, as Explore hands it over.
type Outcome struct {
	Seed   uint64
	Result Result
	// Faults is the run's whole fault schedule, the profile's draws made
	// explicit: what Shrink starts from.
	Faults []scenario.Fault
	// Err is why the cluster could not be built (then Result is zero).
	Err error
}

// runSeed builds and runs the world of one seed and keeps only what
// outlives it: nothing of the world itself leaves the goroutine that ran
// it.
func runSeed(s *scenario.Scenario, seed uint64) Outcome {
	c, err := New(s, seed)
	if err != nil {
		return Outcome{Seed: seed, Err: err}
	}
	r := c.Run()
	return Outcome{Seed: seed, Result: r, Faults: c.Faults()}
}

// aheadPerWorker bounds how many seeds each worker may run beyond the
// one the caller is waiting for: enough that a slow seed does not idle
// the others, few enough that finished outcomes do not pile up while
// the caller shrinks a failure.
const aheadPerWorker = 4

// Explore runs seeds from, from+1, …, from+n-1 of scenario s on workers
// goroutines (at least one), each seed in a world of its own, and calls
// each with every seed's outcome in seed order, on the caller's
// goroutine, whatever order the runs end in: what each sees — and so
// everything it prints or decides — is the same for any number of
// workers. Explore stops early, after waiting for the runs in flight,
// when each returns false (returning nil) or ctx is done (returning
// ctx's error; the outcomes already handed over are all of the seeds
// before the first one missing).
//
// The runs share only s, which New reads and never writes; each world,
// its store, its random streams and its processes belong to the one
// goroutine that runs it (TestExploreIsRaceFree runs this under -race).
// The caller may take its time in each — shrink a failure, print — while
// the workers run ahead, at most aheadPerWorker seeds each.
func Explore(ctx context.Context, s *scenario.Scenario, from, n uint64, workers int, each func(Outcome) bool) error {
	if workers < 1 {
		return fmt.Errorf("explore: %d workers: run at least one", workers)
	}
	if uint64(workers) > n {
		workers = max(int(n), 1)
	}
	type job struct {
		seed uint64
		out  chan<- Outcome
	}
	jobs := make(chan job)
	// order holds each seed's result slot in seed order; its capacity is
	// how far the workers may run ahead of the caller.
	order := make(chan chan Outcome, workers*aheadPerWorker)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // hand out the seeds in order
		defer wg.Done()
		defer close(jobs)
		defer close(order)
		for i := uint64(0); i < n; i++ {
			select {
			case <-stop: // select below picks at random among ready cases
				return
			default:
			}
			slot := make(chan Outcome, 1)
			select {
			case order <- slot:
			case <-stop:
				return
			}
			select {
			case jobs <- job{seed: from + i, out: slot}:
			case <-stop:
				return
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out <- runSeed(s, j.seed)
			}
		}()
	}
	defer wg.Wait()
	defer close(stop)
	for slot := range order {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		select {
		case o := <-slot:
			if !each(o) {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
