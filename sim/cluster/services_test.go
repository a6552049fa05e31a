package cluster

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/sim/scenario"
)

// A proxy that adds backends but never removes one keeps sending requests
// to deleted pods; the service-routing invariant must catch it, and the
// shrinker must cut the fault schedule down to what is needed.
func TestBrokenProxyIsCaughtAndShrunk(t *testing.T) {
	s := load(t, "services-rolling-update.yaml")
	s.Cluster.Broken = "proxy-ignores-removals"
	c, r, seed := caught(t, s, 10, "service-routing", "proxy")
	faults := c.Faults()
	small, sr := Shrink(s, seed, r, faults)
	if sr.Violation == nil || len(small.Faults) > len(faults) {
		t.Fatalf("shrink: %d faults -> %d, violation %v", len(faults), len(small.Faults), sr.Violation)
	}
	t.Logf("seed %d caught: %v; shrunk %d faults to %d", seed, r.Violation, len(faults), len(small.Faults))
}

// While a node's proxy is down its table stays, stale: requests still go
// to a deleted pod and fail. That is not a violation (the proxy cannot
// know), and once it is back the table is right again.
func TestDownProxyRoutesStaleUntilBack(t *testing.T) {
	s := load(t, "services-node-loss.yaml")
	s.Profile = nil
	s.Faults = []scenario.Fault{
		{At: scenario.Duration{Duration: 10 * time.Second}, Action: "restart-proxy", Node: "node-1", For: scenario.Duration{Duration: 30 * time.Second}},
		{At: scenario.Duration{Duration: 12 * time.Second}, Action: "crash-node", Node: "node-2", For: scenario.Duration{Duration: 5 * time.Second}},
	}
	s.Liveness.Within.Duration = 60 * time.Second
	c, err := New(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Run()
	if r.Violation != nil {
		t.Fatalf("violation: %v", r.Violation)
	}
	st := c.traffic
	if st.sent == 0 || st.failed == 0 {
		t.Fatalf("sent %d, failed %d: want requests failing on node-1's stale table while its proxy was down", st.sent, st.failed)
	}
	if len(st.served) < 6 {
		t.Fatalf("only %d pods ever served: %v", len(st.served), st.served)
	}
	t.Logf("sent %d, refused %d, failed %d, served by %d pods", st.sent, st.refused, st.failed, len(st.served))
}
