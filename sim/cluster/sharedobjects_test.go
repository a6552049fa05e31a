package cluster

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/sim/scenario"
)

// No component modifies an object it received from a watch: the API
// servers share one decoded object among every receiver of an event, so
// such a write would reach the other processes' caches behind the API's
// back. Every example scenario runs with the network's shared-object check
// on (sim.Network.CheckShared), which re-encodes each delivered object
// during and after the run; and no component changes the bytes the
// in-memory store hands out without copying (store.Memory.VerifyValues).
func TestSharedObjectsStayUnmodified(t *testing.T) {
	files, _ := filepath.Glob("../../examples/scenarios/*.yaml")
	for _, f := range files {
		s, err := scenario.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			c, err := New(s, 1)
			if err != nil {
				t.Fatal(err)
			}
			c.W.Net.CheckShared = true
			r := c.Run()
			if r.Violation != nil && strings.HasPrefix(r.Violation.Error(), "shared-objects:") {
				t.Errorf("seed 1: %v\n  replay: %s", r.Violation, Replay(f, 1))
			}
			if err := c.Store.VerifyValues(); err != nil { // the store's bytes are shared too
				t.Errorf("seed 1: %v\n  replay: %s", err, Replay(f, 1))
			}
		})
	}
}

// Sharing decoded objects changes nothing a run does: with every watcher
// decoding every event itself (Plugins.DecodePerWatcher, what HTTP
// clients do) the same scenario and seed give the same trace, byte for
// byte, and the same verdict.
func TestSharedDecodingGivesTheSameRun(t *testing.T) {
	for _, tc := range []struct {
		file string
		seed uint64
	}{
		{"chaos.yaml", 1}, {"chaos.yaml", 2}, {"leader-failover.yaml", 1}, {"rolling-update.yaml", 3}, {"node-crash.yaml", 1},
	} {
		s := load(t, tc.file)
		shared, err := New(s, tc.seed)
		if err != nil {
			t.Fatal(err)
		}
		own, err := NewWith(s, tc.seed, Plugins{DecodePerWatcher: true})
		if err != nil {
			t.Fatal(err)
		}
		a, b := shared.Run(), own.Run()
		if a.TraceHash != b.TraceHash || a.Steps != b.Steps || a.Calls != b.Calls {
			t.Errorf("%s seed %d: shared decoding gave trace %016x (%d steps, %d calls), decoding per watcher %016x (%d steps, %d calls): sharing changed the run",
				tc.file, tc.seed, a.TraceHash, a.Steps, a.Calls, b.TraceHash, b.Steps, b.Calls)
		}
		if (a.Violation == nil) != (b.Violation == nil) {
			t.Errorf("%s seed %d: shared decoding gave verdict %v, decoding per watcher %v", tc.file, tc.seed, a.Violation, b.Violation)
		}
	}
}
