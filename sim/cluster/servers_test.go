package cluster

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/sim/scenario"
)

// haBase is a small cluster with three API servers whose caches lag, and
// a ReplicaSet; each test adds one fault.
const haBase = `
name: ha-fault
duration: 60s
cluster:
  nodes: 2
  capacity: {cpu: "4", memory: 8Gi, pods: "20"}
  apiServers: 3
  cacheLag: 200ms
objects:
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: web}
  spec:
    replicas: 3
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec:
        containers:
        - {name: httpd, image: busybox, resources: {requests: {cpu: 100m}}}
liveness: {within: 40s}
`

func haScenario(t *testing.T, faults string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Parse([]byte(haBase + faults))
	if err != nil {
		t.Fatalf("%v\n%s", err, faults)
	}
	return s
}

func timeline(c *Cluster) string {
	var b strings.Builder
	c.W.Trace.WriteTimeline(&b)
	return b.String()
}

// Each control-plane fault happens (the timeline says so in plain words,
// and its effect is seen), every invariant holds, and the cluster
// converges once it is over.
func TestControlPlaneFaults(t *testing.T) {
	crashedOnceAndUp := func(name string) func(*Cluster) string {
		return func(c *Cluster) string {
			p := c.W.Process(name)
			if p.Crashes() != 1 || !p.Up() {
				return "want " + name + " crashed once and up again"
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name, fault string
		says        []string
		check       func(*Cluster) string
	}{
		{"server crash", "{at: 10s, action: crash-process, process: apiserver-2, for: 5s}",
			[]string{"crash-process apiserver-2 for 5s: the process crashes and starts again 5s later", "apiserver-2        crash", "apiserver-2        start"},
			crashedOnceAndUp("apiserver-2")},
		{"scheduler crash", "{at: 10s, action: crash-process, process: scheduler}",
			[]string{"the process crashes and starts again at once"}, crashedOnceAndUp("scheduler")},
		{"crash before a call", "{at: 1s, action: crash-at-call, process: controller-manager, call: 2, for: 1s}",
			[]string{"crashes just before its 2nd API call from now on", "controller-manager crashes just before its API call"},
			crashedOnceAndUp("controller-manager")},
		{"crash after a call", "{at: 1s, action: crash-at-call, process: kubelet/node-1, call: 1, when: after}",
			[]string{"crashes just after (its answer lost) its API call"}, crashedOnceAndUp("kubelet/node-1")},
		{"process cut from every server", "{at: 10s, action: partition-process, process: controller-manager, for: 10s}",
			[]string{"the process cannot reach every API server", "partition controller-manager <-> apiserver", "heal controller-manager <-> apiserver"}, nil},
		{"process cut from one server", "{at: 10s, action: partition-process, process: scheduler, server: apiserver-1, for: 10s}",
			[]string{"partition scheduler <-> apiserver-1"}, nil},
		{"server cut from the store", "{at: 10s, action: partition-store, server: apiserver-1, for: 10s}",
			[]string{"apiserver-1        cut off from the store", "apiserver-1        reaches the store again", "(apiserver-1 answered 503)"}, nil},
		{"store outage", "{at: 10s, action: store-outage, for: 3s}",
			[]string{"outage: no API server reaches the store", "answered 503"}, nil},
		{"frozen cache", "{at: 10s, action: freeze-cache, server: apiserver-2, for: 10s}",
			[]string{"apiserver-2        watch cache frozen at revision", "watch cache follows the store again"}, nil},
		{"lagging cache", "{at: 10s, action: lag-cache, server: apiserver-3, lag: 2s, for: 10s}",
			[]string{"watch cache lags 2s more behind the store", "watch cache lag back to normal"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := haScenario(t, "faults:\n- "+tc.fault+"\n")
			// Scale up during every fault, so the controllers have work.
			s.Faults = append(s.Faults, scenario.Fault{At: scenario.Duration{Duration: s.Faults[0].At.Duration + 500_000_000}, Action: "scale", Kind: "rs", Name: "web", Replicas: ptr(int32(5))})
			c, err := New(s, 1)
			if err != nil {
				t.Fatal(err)
			}
			r := c.Run()
			tl := timeline(c)
			if r.Violation != nil {
				t.Fatalf("%v\n%s", r.Violation, tl)
			}
			if r.Converged < 0 {
				t.Fatalf("did not converge\n%s", tl)
			}
			for _, want := range tc.says {
				if !strings.Contains(tl, want) {
					t.Errorf("the timeline does not say %q", want)
				}
			}
			if tc.check != nil {
				if msg := tc.check(c); msg != "" {
					t.Error(msg)
				}
			}
			if t.Failed() {
				t.Logf("timeline:\n%s", tl)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// Bad control-plane faults are refused, naming the field.
func TestControlPlaneFaultsValidated(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"cluster: {nodes: 1, apiServers: 12}", "cluster.apiServers"},
		{"cluster: {nodes: 1, cacheLag: 2m}", "cluster.cacheLag"},
		{"cluster: {nodes: 1, apiServers: 3}\nfaults: [{at: 1s, action: partition-store}]", "faults[0].server: required"},
		{"cluster: {nodes: 1, apiServers: 3}\nfaults: [{at: 1s, action: freeze-cache, server: apiserver-4}]", "faults[0].server: no API server"},
		{"cluster: {nodes: 1}\nfaults: [{at: 1s, action: freeze-cache, server: apiserver-1}]", `the one API server is "apiserver"`},
		{"cluster: {nodes: 1, apiServers: 3}\nfaults: [{at: 1s, action: lag-cache, server: apiserver-1}]", "faults[0].lag: required"},
		{"cluster: {nodes: 1, apiServers: 3}\nfaults: [{at: 1s, action: freeze-cache, server: apiserver-1, lag: 1s}]", "faults[0].lag"},
		{"cluster: {nodes: 1}\nfaults: [{at: 1s, action: crash-at-call, process: scheduler}]", "faults[0].call"},
		{"cluster: {nodes: 1}\nfaults: [{at: 1s, action: crash-at-call, process: scheduler, call: 2, when: during}]", "faults[0].when"},
		{"cluster: {nodes: 1}\nfaults: [{at: 1s, action: crash-process}]", "faults[0].process: required"},
		{"cluster: {nodes: 1}\nfaults: [{at: 1s, action: store-outage, server: apiserver}]", "faults[0].server: store-outage takes no server"},
		{"cluster: {nodes: 1}\nfaults: [{at: 1s, action: crash-node, node: node-1, call: 3}]", "faults[0].call"},
	} {
		_, err := scenario.Parse([]byte("name: x\nduration: 1m\n" + tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s\n  error %v, want one naming %q", tc.yaml, err, tc.want)
		}
	}
	// Process names are known once the cluster is built.
	for _, tc := range []struct{ fault, want string }{
		{"{at: 1s, action: crash-process, process: nope}", `faults[0].process: "nope" is no such process`},
		{"{at: 1s, action: crash-at-call, process: node-1, call: 1}", "a machine: use crash-node"},
		{"{at: 1s, action: partition-process, process: apiserver-1}", "an API server, which makes no API calls"},
	} {
		s := haScenario(t, "faults: ["+tc.fault+"]\n")
		if _, err := New(s, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New error %v, want %q", tc.fault, err, tc.want)
		}
	}
}

// The profile draws every control-plane fault kind, and each drawn fault
// is a valid scenario fault (a shrunk scenario writes them out).
func TestProfileDrawsControlPlaneFaults(t *testing.T) {
	s := load(t, "ha-servers.yaml")
	kinds := map[string]bool{}
	for seed := uint64(1); seed <= 5; seed++ {
		c, err := New(s, seed)
		if err != nil {
			t.Fatal(err)
		}
		explicit := *s
		explicit.Profile = nil
		explicit.Faults = c.Faults()
		if err := explicit.Check(); err != nil {
			t.Fatalf("seed %d: the drawn faults are not a valid scenario: %v", seed, err)
		}
		if _, err := New(&explicit, seed); err != nil {
			t.Fatalf("seed %d: the drawn faults do not build: %v", seed, err)
		}
		for _, f := range c.Faults() {
			kinds[f.Action] = true
		}
	}
	for _, k := range []string{"crash-process", "crash-at-call", "partition-store", "store-outage", "partition-process", "freeze-cache"} {
		if !kinds[k] {
			t.Errorf("5 seeds of ha-servers drew no %s", k)
		}
	}
}

// The same seed of ha-servers gives the same trace; another seed another.
func TestHAServersSameSeedSameTrace(t *testing.T) {
	s := load(t, "ha-servers.yaml")
	seeds := uint64(3)
	if testing.Short() {
		seeds = 1
	}
	seen := map[uint64]uint64{}
	for seed := uint64(1); seed <= seeds; seed++ {
		a, b := run(t, s, seed), run(t, s, seed)
		if a.Violation != nil {
			t.Fatalf("seed %d: %v", seed, a.Violation)
		}
		if a.TraceHash != b.TraceHash || a.Steps != b.Steps {
			t.Errorf("seed %d ran twice: traces %016x and %016x (%d and %d steps)", seed, a.TraceHash, b.TraceHash, a.Steps, b.Steps)
		}
		if other, dup := seen[a.TraceHash]; dup {
			t.Errorf("seeds %d and %d gave the same trace", other, seed)
		}
		seen[a.TraceHash] = seed
	}
}

// One API server keeps the name "apiserver", and nobody fails over.
func TestOneServerByDefault(t *testing.T) {
	s := load(t, "stale-reads.yaml")
	c, err := New(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Servers) != 1 || c.Servers[0].Name != "apiserver" {
		t.Fatalf("servers %v, want one called apiserver", c.Servers)
	}
	if r := c.Run(); r.Violation != nil {
		t.Fatal(r.Violation)
	}
	if tl := timeline(c); strings.Contains(tl, "fails over") {
		t.Fatalf("a client failed over with one server")
	}
}
