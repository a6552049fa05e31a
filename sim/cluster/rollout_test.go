package cluster

import (
	"strings"
	"testing"
)

// A Deployment controller that counts the replicas a ReplicaSet asks for
// as available takes old pods down before new ones are ready; the
// rollout-bounds invariant must catch it, where the real controller holds.
func TestBrokenDeploymentIsCaughtByRolloutBounds(t *testing.T) {
	s := load(t, "rollout-bounds.yaml")
	for seed := uint64(1); seed <= 5; seed++ {
		c, err := New(s, seed)
		if err != nil {
			t.Fatal(err)
		}
		if r := c.Run(); r.Violation != nil {
			t.Fatalf("the real controller fails seed %d: %v", seed, r.Violation)
		}
		armed := false
		for _, d := range c.checker.rollouts {
			armed = armed || d.armed
		}
		if !armed {
			t.Fatalf("seed %d: the invariant never armed, so it checked nothing", seed)
		}
	}
	s.Cluster.Broken = "deployment-assumes-available"
	for seed := uint64(1); seed <= 5; seed++ {
		r := run(t, s, seed)
		if r.Violation == nil {
			continue
		}
		if !strings.HasPrefix(r.Violation.Error(), "rollout-bounds: deployment default/web has") {
			t.Fatalf("seed %d: the broken controller broke %v, want rollout-bounds", seed, r.Violation)
		}
		t.Logf("seed %d caught: %v", seed, r.Violation)
		return
	}
	t.Fatal("the broken Deployment controller was not caught in 5 seeds")
}
