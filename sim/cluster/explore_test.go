package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/sim/scenario"
)

// seedRun is what a test compares of one seed's run: everything a caller
// of Explore prints or decides from, and the trace's hash, which differs
// if anything in the run did.
type seedRun struct {
	Seed      uint64
	Violation string
	At        time.Duration
	TraceHash uint64
	Steps     uint64
	Faults    []scenario.Fault
}

func summarize(o Outcome) seedRun {
	v := ""
	if o.Err != nil {
		v = "build: " + o.Err.Error()
	} else if o.Result.Violation != nil {
		v = o.Result.Violation.Error()
	}
	return seedRun{Seed: o.Seed, Violation: v, At: o.Result.At, TraceHash: o.Result.TraceHash, Steps: o.Result.Steps, Faults: o.Faults}
}

func brokenTightChaos(t *testing.T) *scenario.Scenario {
	t.Helper()
	s := loadTestdata(t, "tight-chaos.yaml")
	s.Cluster.Broken = "scheduler-ignores-assumed-pods"
	return s
}

// Explore with several workers hands over, in seed order, the very runs
// one seed after the other gives: same verdicts, same traces, same fault
// schedules; and it leaves the shared scenario as it found it. Run with
// -race, this is the check that the worlds running side by side share
// nothing mutable (leader-failover has every kind of process, three API
// servers, faults of every kind and a history recorder).
func TestExploreIsOneByOne(t *testing.T) {
	tests := []struct {
		name      string
		s         *scenario.Scenario
		from, n   uint64
		workers   int
		wantFails bool
	}{
		{"tight-chaos, broken scheduler", brokenTightChaos(t), 2, 7, 4, true},
		{"leader-failover", load(t, "leader-failover.yaml"), 1, 3, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := json.Marshal(tt.s)
			if err != nil {
				t.Fatal(err)
			}
			var want []seedRun
			for seed := tt.from; seed < tt.from+tt.n; seed++ {
				want = append(want, summarize(runSeed(tt.s, seed)))
			}
			var got []seedRun
			err = Explore(context.Background(), tt.s, tt.from, tt.n, tt.workers, func(o Outcome) bool {
				got = append(got, summarize(o))
				return true
			})
			if err != nil {
				t.Fatalf("Explore(%d seeds from %d, %d workers) = %v, want nil", tt.n, tt.from, tt.workers, err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("Explore(%d seeds from %d, %d workers) differs from running them one by one (-one by one +explore):\n%s", tt.n, tt.from, tt.workers, d)
			}
			fails := false
			for _, r := range got {
				fails = fails || r.Violation != ""
			}
			if fails != tt.wantFails {
				t.Errorf("some seed failed = %v, want %v: the case no longer tests what it is for", fails, tt.wantFails)
			}
			if after, _ := json.Marshal(tt.s); string(after) != string(before) {
				t.Errorf("Explore changed the scenario it was given:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// Explore stops where its caller says, or where the context is cancelled,
// having handed over exactly the seeds before that point, and waits for
// its runs in flight: no goroutine outlives it.
func TestExploreStops(t *testing.T) {
	s := brokenTightChaos(t)
	tests := []struct {
		name    string
		stopAt  uint64 // the last seed handed over
		cancel  bool
		wantErr error
	}{
		{"each returns false", 3, false, nil},
		{"context cancelled", 2, true, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var seen []uint64
			err := Explore(ctx, s, 1, 20, 3, func(o Outcome) bool {
				seen = append(seen, o.Seed)
				if o.Seed == tt.stopAt {
					if tt.cancel {
						cancel()
						return true
					}
					return false
				}
				return true
			})
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Explore = %v, want %v", err, tt.wantErr)
			}
			var want []uint64
			for seed := uint64(1); seed <= tt.stopAt; seed++ {
				want = append(want, seed)
			}
			if d := cmp.Diff(want, seen); d != "" {
				t.Errorf("seeds handed over (-want +got):\n%s", d)
			}
		})
	}
	if err := Explore(context.Background(), s, 1, 1, 0, func(Outcome) bool { return true }); err == nil {
		t.Errorf("Explore with 0 workers = nil, want an error")
	}
}

// ShrinkParallel's speculation finds the schedule the one-at-a-time pass
// finds, for any number of workers: a StatefulSet controller that
// replaces pods of NotReady nodes, whose failure needs some of its
// partitions and not others.
func TestShrinkParallelIsShrink(t *testing.T) {
	s := partitionScenario(t)
	s.Cluster.Broken = "statefulset-replaces-on-notready"
	c, r, seed := caught(t, s, 4, "statefulset-ordinals", "StatefulSet controller")
	faults := c.Faults()
	small, sr := Shrink(s, seed, r, faults)
	if len(small.Faults) == 0 || len(small.Faults) == len(faults) {
		t.Fatalf("Shrink kept %d of %d faults: the case no longer has some faults to drop and some to keep", len(small.Faults), len(faults))
	}
	for _, workers := range []int{2, len(faults) + 1} {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			got, gr := ShrinkParallel(s, seed, r, faults, workers)
			if d := cmp.Diff(small.Faults, got.Faults); d != "" {
				t.Errorf("ShrinkParallel(%d workers) kept other faults than Shrink (-Shrink +ShrinkParallel):\n%s", workers, d)
			}
			if gr.TraceHash != sr.TraceHash || fmt.Sprint(gr.Violation) != fmt.Sprint(sr.Violation) {
				t.Errorf("ShrinkParallel(%d workers) ends in %v (trace %x), want %v (trace %x)", workers, gr.Violation, gr.TraceHash, sr.Violation, sr.TraceHash)
			}
		})
	}
}

// BenchmarkExploreLeaderFailover is `tinykube bench`'s explore row, for
// profiling: go test -run XXX -bench ExploreLeaderFailover/j=2
// -benchtime 1x -cpuprofile cpu.out. Each iteration explores four seeds.
func BenchmarkExploreLeaderFailover(b *testing.B) {
	s, err := scenario.Load("../../examples/scenarios/leader-failover.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("j=%d", workers), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				err := Explore(context.Background(), s, uint64(4*i+1), 4, workers, func(o Outcome) bool {
					if o.Err != nil || o.Result.Violation != nil {
						b.Fatalf("seed %d: %v %v", o.Seed, o.Err, o.Result.Violation)
					}
					return true
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
