package cluster

import (
	"strings"
	"sync"

	"github.com/tinykube/tinykube/sim/scenario"
)

// Shrink looks for a smaller fault schedule that still breaks the same
// invariant with the same seed: it makes every fault of the failing run
// explicit (the profile's draws included), then drops faults one at a time,
// keeping each drop that still fails, until no single fault can go. It is
// greedy (one pass over single faults, as delta debugging's simplest form);
// the property tests use rapid, whose shrinker is more thorough. Dropping a
// fault can change the rest of the run beyond the fault itself — fewer API
// calls shift later draws of the network's random stream — so a drop is
// kept only when the run still fails. It returns the smaller scenario and
// its result, or the original when nothing could be dropped.
func Shrink(s *scenario.Scenario, seed uint64, failing Result, faults []scenario.Fault) (*scenario.Scenario, Result) {
	return ShrinkParallel(s, seed, failing, faults, 1)
}

// ShrinkParallel is Shrink with up to workers trial runs at once, and
// the same answer for any number of workers. It speculates: from fault i
// it tries dropping each of faults i … i+workers-1 from the same
// schedule, side by side, each trial in a world of its own. The greedy
// pass, one trial at a time, would have tried exactly those drops until
// the first that still fails, so that one is kept (the trials after it
// assumed a schedule that no longer holds and are thrown away), and the
// pass goes on from its index, as Shrink's does.
func ShrinkParallel(s *scenario.Scenario, seed uint64, failing Result, faults []scenario.Fault, workers int) (*scenario.Scenario, Result) {
	kind := invariantOf(failing.Violation)
	best := *s
	best.Profile = nil
	best.Faults = append([]scenario.Fault(nil), faults...)
	bestResult := failing
	workers = max(workers, 1)
	for i := 0; i < len(best.Faults); {
		k := min(workers, len(best.Faults)-i)
		tries := make([]scenario.Scenario, k)
		results := make([]*Result, k) // nil: the cluster could not be built
		var wg sync.WaitGroup
		for t := range k {
			tries[t] = best
			tries[t].Faults = append(append([]scenario.Fault(nil), best.Faults[:i+t]...), best.Faults[i+t+1:]...)
			run := func() {
				if c, err := New(&tries[t], seed); err == nil {
					r := c.Run()
					results[t] = &r
				}
			}
			if k == 1 {
				run() // no goroutine for the one-at-a-time pass
				continue
			}
			wg.Add(1)
			go func() { defer wg.Done(); run() }()
		}
		wg.Wait()
		kept := false
		for t, r := range results {
			if r != nil && r.Violation != nil && invariantOf(r.Violation) == kind {
				best, bestResult = tries[t], *r
				i += t // the fault at i+t is gone; try the next one in its place
				kept = true
				break
			}
		}
		if !kept {
			i += k
		}
	}
	return &best, bestResult
}

// invariantOf returns the invariant named at the start of a violation
// ("node-capacity: …" → "node-capacity").
func invariantOf(err error) string {
	if err == nil {
		return ""
	}
	name, _, _ := strings.Cut(err.Error(), ":")
	return name
}
