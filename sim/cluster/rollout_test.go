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
	_, r, seed := caught(t, s, 5, "rollout-bounds: deployment default/web has", "Deployment controller")
	t.Logf("seed %d caught: %v", seed, r.Violation)
}

// The rolling-update timeline tells the rollout's story: every scaling step
// of each ReplicaSet is a line of its own.
func TestRollingUpdateTimelineShowsEachScalingStep(t *testing.T) {
	s := load(t, "rolling-update.yaml")
	c, err := New(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	c.Run()
	var b strings.Builder
	if err := c.W.Trace.WriteTimeline(&b); err != nil {
		t.Fatal(err)
	}
	ups, downs := 0, 0
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.Contains(line, "event ScalingReplicaSet deployment/web: Scaled up replica set web-") {
			ups++
		}
		if strings.Contains(line, "event ScalingReplicaSet deployment/web: Scaled down replica set web-") {
			downs++
		}
	}
	if ups < 3 || downs < 2 {
		t.Fatalf("timeline has %d scale-up and %d scale-down lines; want each step of the rollout", ups, downs)
	}
}
