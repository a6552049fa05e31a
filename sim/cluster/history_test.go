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
