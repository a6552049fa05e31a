package cluster

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/sim/scenario"
)

func load(t *testing.T, name string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Load(filepath.Join("../../examples/scenarios", name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// caught runs s (with a broken variant set) on seeds 1..seeds and returns
// the first run that broke an invariant, with its cluster (for its faults)
// and seed. It fails the test when that violation does not start with
// want, or when no seed breaks anything: what is the invariant for.
func caught(t *testing.T, s *scenario.Scenario, seeds uint64, want, what string) (*Cluster, Result, uint64) {
	t.Helper()
	for seed := uint64(1); seed <= seeds; seed++ {
		c, err := New(s, seed)
		if err != nil {
			t.Fatal(err)
		}
		r := c.Run()
		if r.Violation == nil {
			continue
		}
		if !strings.HasPrefix(r.Violation.Error(), want) {
			t.Fatalf("seed %d: the broken %s broke %v, want %s", seed, what, r.Violation, want)
		}
		return c, r, seed
	}
	t.Fatalf("the broken %s was not caught in %d seeds", what, seeds)
	return nil, Result{}, 0
}

func run(t *testing.T, s *scenario.Scenario, seed uint64) Result {
	t.Helper()
	c, err := New(s, seed)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	return c.Run()
}

// The same scenario and seed give the same trace, byte for byte; another
// seed gives another trace.
func TestSameSeedSameTraceAcrossSeeds(t *testing.T) {
	s := load(t, "chaos.yaml")
	seen := map[uint64]uint64{}
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		a, b := run(t, s, seed), run(t, s, seed)
		if a.TraceHash != b.TraceHash || a.Steps != b.Steps {
			t.Errorf("seed %d ran twice: traces %016x and %016x (%d and %d steps): the run is not deterministic", seed, a.TraceHash, b.TraceHash, a.Steps, b.Steps)
		}
		if other, dup := seen[a.TraceHash]; dup {
			t.Errorf("seeds %d and %d gave the same trace %016x", other, seed, a.TraceHash)
		}
		seen[a.TraceHash] = seed
	}
}

// Every example scenario passes its invariants over a few seeds (make test
// keeps this short; `tinykube sim explore` runs hundreds).
func TestExampleScenariosHold(t *testing.T) {
	files, _ := filepath.Glob("../../examples/scenarios/*.yaml")
	seeds := uint64(5)
	if testing.Short() {
		seeds = 1
	}
	for _, f := range files {
		s, err := scenario.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(s.Name, func(t *testing.T) {
			// Each run is a world of its own (nothing shared but read-only
			// tables), so the scenarios use both cores.
			t.Parallel()
			for seed := uint64(1); seed <= seeds; seed++ {
				r := run(t, s, seed)
				switch {
				case r.AsExpected():
				case r.Expect != "":
					t.Errorf("seed %d: the scenario is meant to show a %s violation, got %v", seed, r.Expect, r.Violation)
				default:
					t.Errorf("seed %d: %v\n  replay: %s", seed, r.Violation, Replay(f, seed))
				}
			}
		})
	}
}

// In the node-crash scenario the ReplicaSet's pods from the dead node are
// Running elsewhere within 30 virtual seconds of the crash.
func TestNodeCrashReplacedWithin30s(t *testing.T) {
	s := load(t, "node-crash.yaml")
	r := run(t, s, 1)
	if r.Violation != nil {
		t.Fatalf("violation: %v", r.Violation)
	}
	if r.Converged < 0 || r.Converged > 30*time.Second {
		t.Errorf("replicas ready again %v after the crash, want within 30s", r.Converged)
	}
}

// A scheduler that forgets its assumed pods over-commits nodes while its
// informer lags its own bindings; the capacity invariant must catch it, and
// the shrinker must cut the fault schedule down.
func TestBrokenSchedulerIsCaughtAndShrunk(t *testing.T) {
	s, err := scenario.Load("testdata/tight-chaos.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 20; seed++ {
		if r := run(t, s, seed); r.Violation != nil {
			t.Fatalf("the correct scheduler fails seed %d: %v", seed, r.Violation)
		}
	}
	s.Cluster.Broken = "scheduler-ignores-assumed-pods"
	c, r, seed := caught(t, s, 50, "node-capacity", "scheduler")
	faults := c.Faults()
	small, sr := Shrink(s, seed, r, faults)
	if sr.Violation == nil || len(small.Faults) > len(faults) || small.Profile != nil {
		t.Fatalf("shrink: %d faults -> %d, violation %v", len(faults), len(small.Faults), sr.Violation)
	}
	t.Logf("seed %d caught: %v; shrunk %d faults to %d", seed, r.Violation, len(faults), len(small.Faults))
}

// A typo in a container's behavior annotation is an error when the
// scenario starts, naming the object and the field — not a pod that never
// runs and a liveness failure a minute later.
func TestBadBehaviorAnnotationIsReportedAtStart(t *testing.T) {
	for _, tc := range []struct{ object, want string }{
		{`{apiVersion: v1, kind: Pod, metadata: {name: p, annotations: {sim.tinykube.io/behavior: "start=soon"}}, spec: {containers: [{name: c, image: busybox}]}}`,
			`objects[0] (Pod): metadata.annotations[sim.tinykube.io/behavior]: behavior "start=soon": start: invalid duration "soon"`},
		{`{apiVersion: batch/v1, kind: CronJob, metadata: {name: cj}, spec: {schedule: "* * * * *", jobTemplate: {spec: {template: {metadata: {annotations: {sim.tinykube.io/behavior: "exit=1s,crash-every=2s"}}, spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}}}`,
			`objects[0] (CronJob): spec.jobTemplate.spec.template.metadata.annotations[sim.tinykube.io/behavior]`},
	} {
		s, err := scenario.Parse([]byte("name: x\nduration: 10s\ncluster: {nodes: 1}\nobjects:\n- " + tc.object + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := New(s, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New error %v, want one naming %q", err, tc.want)
		}
	}
	// Objects a fault applies later are checked at the start too.
	s, err := scenario.Parse([]byte("name: x\nduration: 10s\ncluster: {nodes: 1}\nfaults:\n- {at: 5s, action: apply, objects: [{apiVersion: v1, kind: Pod, metadata: {name: p, annotations: {sim.tinykube.io/behavior: ready}}, spec: {containers: [{name: c, image: busybox}]}}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(s, 1); err == nil || !strings.Contains(err.Error(), "faults[0].objects[0]: metadata.annotations[sim.tinykube.io/behavior]") {
		t.Errorf("New error %v, want one naming faults[0].objects[0]'s behavior annotation", err)
	}
}
