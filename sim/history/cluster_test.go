package history_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/sim/cluster"
	"github.com/tinykube/tinykube/sim/history"
	"github.com/tinykube/tinykube/sim/scenario"
)

// The history of a whole chaos run (node crashes, partitions, kubelet
// restarts, cut watches, a lossy network), of a leader failover run
// (three replicas of the control plane, killed and with drifting clocks),
// and of a drain (evictions a disruption budget refuses and allows) is
// linearizable. The test logs how many operations the checker judged
// and how long it took; with HISTORY_HTML=DIR it writes porcupine's view of
// each run there.
func TestScenarioRunHistoryIsLinearizable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two-minute scenarios")
	}
	for _, name := range []string{"chaos", "leader-failover", "drain"} {
		s, err := scenario.Load(filepath.Join("../../examples/scenarios", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if name == "drain" {
			// The scenario also has the controller manager read from a
			// stale cache, which this checker rightly rejects (see
			// TestChaosRunWithStaleKubeletReadsIsCaught); here only the
			// evictions and the budget's writes are on trial.
			s.Faults = slices.DeleteFunc(s.Faults, func(f scenario.Fault) bool { return f.Action == "stale-reads" })
		}
		for _, seed := range []uint64{1, 2, 3} {
			c, rec, err := cluster.NewRecorded(s, seed)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			res := c.Run()
			ran := time.Since(start)
			if res.Violation != nil {
				t.Fatalf("%s seed %d: %v", name, seed, res.Violation)
			}
			h := rec.History()
			if name == "drain" {
				evictions := 0
				for _, op := range h {
					if strings.HasSuffix(op.Path, "/eviction") {
						evictions++
					}
				}
				if evictions == 0 {
					t.Fatalf("drain seed %d: no eviction was recorded", seed)
				}
			}
			opts := history.Options{Incomplete: true}
			if dir := os.Getenv("HISTORY_HTML"); dir != "" {
				opts.Visualize = filepath.Join(dir, fmt.Sprintf("%s-%d.html", name, seed))
			}
			start = time.Now()
			r := history.Check(h, opts)
			took := time.Since(start)
			if !r.Ok {
				t.Fatalf("%s seed %d: %s\n%s", name, seed, r, r.Explanation)
			}
			t.Logf("%s seed %d: run %v, %d calls recorded; check %v: %s", name, seed, ran.Round(time.Millisecond), len(h), took.Round(time.Millisecond), r)
		}
	}
}

// How long the checker takes on a bigger run: the benchmark scenario of
// `tinykube bench` (30 nodes, 150 pods, scaling and faults), recorded.
func TestCheckCostOnBenchScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 30-node scenario")
	}
	c, rec, err := cluster.NewRecorded(cluster.BenchScenario(30, 3*time.Minute), 1)
	if err != nil {
		t.Fatal(err)
	}
	if res := c.Run(); res.Violation != nil {
		t.Fatalf("the run failed: %v", res.Violation)
	}
	h := rec.History()
	start := time.Now()
	r := history.Check(h, history.Options{Incomplete: true})
	took := time.Since(start)
	if !r.Ok {
		t.Fatalf("%s", r)
	}
	start = time.Now()
	history.CheckVersions(h)
	versions := time.Since(start)
	t.Logf("%d calls recorded; check %v (of which versions %v): %s", len(h), took.Round(time.Millisecond), versions.Round(time.Millisecond), r)
}

// A kubelet whose reads are served from a frozen revision (the "time
// travel" of a lagging API server cache) is caught in a whole chaos run:
// when it reads its node or its lease back (after a lost renewal, say), it
// gets a version older than its own acknowledged writes. The simulator's
// invariants do not see this; the history does. Whether the kubelet reads
// during the window depends on the seed: the test runs seeds until one is
// caught.
func TestChaosRunWithStaleKubeletReadsIsCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two-minute scenarios")
	}
	s, err := scenario.Load(filepath.Join("../../examples/scenarios", "chaos.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s.Faults = append(s.Faults, scenario.Fault{At: scenario.Duration{Duration: 5 * time.Second}, Action: "stale-reads",
		Process: "kubelet/node-1", For: scenario.Duration{Duration: time.Minute}})
	const seeds = 20
	for seed := uint64(1); seed <= seeds; seed++ {
		c, rec, err := cluster.NewRecorded(s, seed)
		if err != nil {
			t.Fatal(err)
		}
		c.Run()
		r := history.Check(rec.History(), history.Options{Incomplete: true})
		if r.Unknown {
			t.Fatalf("seed %d: %s", seed, r)
		}
		if r.Ok {
			continue
		}
		if !strings.Contains(r.Key, "node-1") || !strings.Contains(r.Explanation, "by kubelet/node-1: get") {
			t.Fatalf("seed %d: the violation does not blame a read by kubelet/node-1 of its own objects:\n%s", seed, r)
		}
		t.Logf("seed %d: %s", seed, r)
		return
	}
	t.Fatalf("stale reads by kubelet/node-1 were not caught in %d seeds", seeds)
}

// Recording changes nothing between two runs of one seed: the same trace,
// the same history.
func TestRecordedRunReplays(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a two-minute scenario twice")
	}
	s, err := scenario.Load(filepath.Join("../../examples/scenarios", "chaos.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var hashes []uint64
	var lens []int
	for range 2 {
		c, rec, err := cluster.NewRecorded(s, 7)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, c.Run().TraceHash)
		lens = append(lens, rec.Len())
	}
	if hashes[0] != hashes[1] || lens[0] != lens[1] {
		t.Errorf("two recorded runs of seed 7: trace hashes %x and %x, %d and %d calls", hashes[0], hashes[1], lens[0], lens[1])
	}
}

// Recording keeps the scenario's own invariants: in leader-drift (a
// scheduler whose slow clock and stale reads make two leaders act) the
// one-leader invariant still fails, and the history shows the stale reads
// behind it: the slow leader reads its Lease back from before its rival's
// writes.
func TestRecordedLeaderDrift(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 100-second scenario")
	}
	s, err := scenario.Load(filepath.Join("../../examples/scenarios", "leader-drift.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c, rec, err := cluster.NewRecorded(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	res := c.Run()
	if !res.AsExpected() {
		t.Fatalf("recorded leader-drift run: violation %v, want %s", res.Violation, s.ExpectViolation)
	}
	r := history.Check(rec.History(), history.Options{Incomplete: true})
	if r.Ok || r.Unknown {
		t.Fatalf("the stale reads of scheduler-1 were not caught: %s", r)
	}
	if !strings.Contains(r.Explanation, "by scheduler-1: get") {
		t.Fatalf("the violation does not blame a read by scheduler-1:\n%s", r)
	}
	t.Logf("%s", r)
}
