package main

import (
	"os"
	"runtime/debug"

	"github.com/tinykube/tinykube/realnode/agent"
)

// simGCPercent is the garbage collector's target while the simulator
// runs, unless GOGC says otherwise. A simulated cluster allocates fast
// (every request is encoded and decoded) and keeps little of it; with
// Go's default target (100) the collector took a fifth of the CPU, and
// on a machine with two cores it took the second core from `sim explore
// -j 2`. At 400 the heap may grow to five times what is live between
// collections, bounded by simMemoryLimit.
const simGCPercent = 400

// simMemoryLimit is the soft memory limit set with simGCPercent (unless
// GOMEMLIMIT is set): 3 GiB, or half the machine's memory if that is
// less. Near it the collector runs as often as it must, whatever the
// target, so a large cluster's run stays as small as its live heap allows.
func simMemoryLimit() int64 {
	limit := int64(3 << 30)
	if total, err := agent.MemTotal(); err == nil && total > 0 {
		limit = min(limit, total/2)
	}
	return limit
}

// tuneGCForSimulation sets the collector for simulator work and returns
// what puts the previous settings back. It changes nothing a run does —
// only when memory is reclaimed — and respects GOGC and GOMEMLIMIT.
func tuneGCForSimulation() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	prevPercent := debug.SetGCPercent(simGCPercent)
	prevLimit := int64(-1)
	if os.Getenv("GOMEMLIMIT") == "" {
		prevLimit = debug.SetMemoryLimit(simMemoryLimit())
	}
	return func() {
		debug.SetGCPercent(prevPercent)
		if prevLimit >= 0 {
			debug.SetMemoryLimit(prevLimit)
		}
	}
}
