package main

import (
	"runtime/debug"
	"testing"
)

// tuneGCForSimulation sets the simulator's collector target and a soft
// memory limit, puts back what was there, and leaves both alone when
// GOGC is set.
func TestTuneGCForSimulation(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	prevPercent, prevLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	defer debug.SetGCPercent(prevPercent)
	restore := tuneGCForSimulation()
	if got := debug.SetGCPercent(simGCPercent); got != simGCPercent {
		t.Errorf("GC percent while simulating = %d, want %d", got, simGCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != simMemoryLimit() || got > 3<<30 {
		t.Errorf("memory limit while simulating = %d, want %d (at most 3 GiB)", got, simMemoryLimit())
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent after restore = %d, want 100", got)
	}
	if got := debug.SetMemoryLimit(-1); got != prevLimit {
		t.Errorf("memory limit after restore = %d, want %d", got, prevLimit)
	}

	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50)
	tuneGCForSimulation()()
	if got := debug.SetGCPercent(100); got != 50 {
		t.Errorf("with GOGC=50 set, GC percent = %d, want it left at 50", got)
	}
}
