package cluster

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/sim/scenario"
)

// With history: true, a run whose reads are served stale (the stale-reads
// fault breaks the API's promise that a plain GET sees the latest write)
// fails the linearizable invariant at its end, naming the object; the
// same scenario without the fault's promise-breaking reads passes.
func TestHistoryCatchesStaleConsistentReads(t *testing.T) {
	s, err := scenario.Load("../../examples/scenarios/stale-reads.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s.History = true
	r := run(t, s, 1)
	if r.Violation == nil || !strings.HasPrefix(r.Violation.Error(), "linearizable:") {
		t.Fatalf("want a linearizable violation from the stale reads, got %v", r.Violation)
	}
	healthy := *s
	healthy.Faults = nil
	for _, f := range s.Faults {
		if f.Action != "stale-reads" {
			healthy.Faults = append(healthy.Faults, f)
		}
	}
	if r := run(t, &healthy, 1); r.Violation != nil {
		t.Fatalf("without stale reads: %v", r.Violation)
	}
}

// An API server that answers consistent reads from its lagging watch cache
// (the broken variant apiserver-serves-consistent-reads-from-cache) breaks
// no per-step invariant, but its history is not linearizable: with
// history: true the ha-servers scenario catches it within a few seeds.
func TestHistoryCatchesConsistentReadsFromCache(t *testing.T) {
	s, err := scenario.Load("../../examples/scenarios/ha-servers.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s.History = true
	s.Cluster.Broken = "apiserver-serves-consistent-reads-from-cache"
	for seed := uint64(1); seed <= 10; seed++ {
		r := run(t, s, seed)
		if r.Violation != nil && strings.HasPrefix(r.Violation.Error(), "linearizable:") {
			t.Logf("seed %d: %v", seed, strings.SplitN(r.Violation.Error(), "\n", 2)[0])
			return
		}
		if r.Violation != nil {
			t.Fatalf("seed %d: want a linearizable violation, got %v", seed, r.Violation)
		}
	}
	t.Fatal("10 seeds of consistent reads served from a lagging cache, and the history check saw nothing")
}
