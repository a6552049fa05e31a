package cluster

import (
	"strings"

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
	kind := invariantOf(failing.Violation)
	best := *s
	best.Profile = nil
	best.Faults = append([]scenario.Fault(nil), faults...)
	bestResult := failing
	for i := 0; i < len(best.Faults); {
		try := best
		try.Faults = append(append([]scenario.Fault(nil), best.Faults[:i]...), best.Faults[i+1:]...)
		c, err := New(&try, seed)
		if err != nil {
			i++
			continue
		}
		r := c.Run()
		if r.Violation != nil && invariantOf(r.Violation) == kind {
			best, bestResult = try, r
			continue // the fault at i is gone; try the next one in its place
		}
		i++
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
