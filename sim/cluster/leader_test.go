package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/leader"

	"github.com/tinykube/tinykube/sim/scenario"
)

// Beyond the drift bound the one-leader invariant catches two schedulers
// acting, for every seed; within it, the same schedule passes. (Each run
// takes about 30ms.)
func TestLeaderDriftBeyondTheBoundShowsTwoLeaders(t *testing.T) {
	s, err := scenario.Load("../../examples/scenarios/leader-drift.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 100; seed++ {
		c, err := New(s, seed)
		if err != nil {
			t.Fatal(err)
		}
		r := c.Run()
		if r.Violation == nil || !strings.Contains(r.Violation.Error(), "one-leader: scheduler-1 wrote") {
			t.Fatalf("seed %d: want scheduler-1 caught acting after scheduler-2 took over, got %v", seed, r.Violation)
		}
		if !strings.Contains(r.Violation.Error(), "Each kept to the rule on its own clock, but scheduler-1's clock runs at 0.40× real time") {
			t.Fatalf("seed %d: the violation does not blame the clocks: %v", seed, r.Violation)
		}
	}
	within := *s
	within.Faults = append([]scenario.Fault(nil), s.Faults...)
	within.Faults[0].Rate = 0.9 // inside the 20% bound
	for seed := uint64(1); seed <= 100; seed++ {
		c, err := New(&within, seed)
		if err != nil {
			t.Fatal(err)
		}
		if r := c.Run(); r.Violation != nil {
			t.Fatalf("seed %d with rate 0.9: %v", seed, r.Violation)
		}
	}
}

// The one-leader check says whose mistake a violation was: a leader that
// kept acting past its renew deadline, or a candidate that took over
// without waiting a lease duration. (Clocks beyond the bound are the
// leader-drift scenario's diagnosis, checked above through the examples.)
func TestOneLeaderViolationNamesTheSideAtFault(t *testing.T) {
	s, err := scenario.Load("../../examples/scenarios/leader-drift.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fair := *s // true clocks: only the rule can be at fault
	fair.Faults = s.Faults[1:]
	fair.ExpectViolation = ""
	for _, tc := range []struct {
		name   string
		decide func(leader.View) leader.Action
		want   string
	}{
		{"no renew deadline", func(v leader.View) leader.Action {
			if v.Leading {
				v.RenewedAt = v.Now // never past the deadline
			}
			return leader.Decide(v)
		}, "past its 10s renew deadline"},
		{"no wait", func(v leader.View) leader.Action {
			if !v.Leading && v.Lease != nil {
				v.ObservedAt = v.Now.Add(-time.Hour) // as if unchanged for ages
			}
			return leader.Decide(v)
		}, "before the 15s lease duration had passed"},
	} {
		c, err := NewWith(&fair, 1, Plugins{LeaderDecide: tc.decide})
		if err != nil {
			t.Fatal(err)
		}
		r := c.Run()
		if r.Violation == nil || !strings.Contains(r.Violation.Error(), tc.want) {
			t.Errorf("%s: violation %v, want one saying %q", tc.name, r.Violation, tc.want)
		}
	}
}
