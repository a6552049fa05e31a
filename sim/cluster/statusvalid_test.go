package cluster

import (
	"bytes"
	"flag"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/sim/scenario"
	"pgregory.net/rapid"
)

// statusScenarios are the example scenarios whose components write the
// most kinds of status: pods and nodes (kubelets), ReplicaSets and
// Deployments, StatefulSets, DaemonSets, Jobs and CronJobs, claims and
// volumes, budgets, namespaces.
var statusScenarios = []string{"rolling-update", "statefulset", "daemonset", "job", "cronjob", "storage", "drain", "node-crash", "kubelet-restart"}

// refusedStatusWrites returns the calls of a run's verbose timeline that
// wrote a status and were refused as invalid (422) or undecodable (400),
// and how many status writes there were in all.
func refusedStatusWrites(timeline string) (refused []string, writes int) {
	for _, line := range strings.Split(timeline, "\n") {
		if !strings.Contains(line, "/status -> ") {
			continue
		}
		writes++
		if strings.Contains(line, "-> 422") || strings.Contains(line, "-> 400") {
			refused = append(refused, line)
		}
	}
	return refused, writes
}

// Whatever the scenario and seed, no controller or kubelet ever writes a
// status the API server refuses: status validation (core/api
// validation_status*.go) describes what the components write, not less.
func TestComponentsWriteValidStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs whole scenarios")
	}
	flag.Set("rapid.nofailfile", "true")
	defer pinRapidSeed()()
	defer capRapidChecks(16)()
	rapid.Check(t, func(t *rapid.T) {
		name := rapid.SampledFrom(statusScenarios).Draw(t, "scenario")
		seed := rapid.Uint64Range(1, 1000).Draw(t, "seed")
		s, err := scenario.Load(goldenScenario(name))
		if err != nil {
			t.Fatal(err)
		}
		if s.Duration.Duration > 90*time.Second {
			s.Duration = scenario.Duration{Duration: 90 * time.Second}
		}
		c, err := New(s, seed)
		if err != nil {
			t.Fatal(err)
		}
		c.W.Trace.Verbose = true
		c.Run()
		var b bytes.Buffer
		if err := c.W.Trace.WriteTimeline(&b); err != nil {
			t.Fatal(err)
		}
		bad, writes := refusedStatusWrites(b.String())
		if writes == 0 {
			t.Fatalf("%s seed %d: the timeline shows no status write at all; is the trace format still \"PATH -> CODE\"?", name, seed)
		}
		if len(bad) > 0 {
			t.Fatalf("%s seed %d: %d status writes refused, the first:\n%s\nreplay: tinykube sim run examples/scenarios/%s.yaml --seed %d --verbose",
				name, seed, len(bad), bad[0], name, seed)
		}
	})
}

// capRapidChecks lowers rapid's number of cases to n for one test (each
// case here is a whole scenario run) unless -rapid.checks was given.
func capRapidChecks(n int) (restore func()) {
	f := flag.Lookup("rapid.checks")
	if f == nil || f.Value.String() != f.DefValue {
		return func() {}
	}
	f.Value.Set(strconv.Itoa(n))
	return func() { f.Value.Set(f.DefValue) }
}

// The check can fail: a refused status write in a timeline is found.
func TestRefusedStatusWritesFound(t *testing.T) {
	timeline := "1.2s kubelet-node-1 PUT /api/v1/namespaces/default/pods/web-1/status -> 200\n" +
		"1.3s controller-manager PUT /apis/apps/v1/namespaces/default/replicasets/web/status -> 422 Invalid\n"
	got, writes := refusedStatusWrites(timeline)
	if len(got) != 1 || !strings.Contains(got[0], "replicasets/web/status") || writes != 2 {
		t.Errorf("refusedStatusWrites = %q, %d writes; want the one 422 line of 2", got, writes)
	}
}
