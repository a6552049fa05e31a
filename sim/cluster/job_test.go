package cluster

import (
	"testing"
)

// A Job controller that counts finished pods straight from its cache,
// without the uncounted/finalizer protocol, counts a pod twice when a
// status update's answer is lost or it restarts; job-completions must
// catch it, where the real controller holds and both Jobs finish.
func TestBrokenJobCountingIsCaughtByJobCompletions(t *testing.T) {
	s := load(t, "job.yaml")
	for seed := uint64(1); seed <= 3; seed++ {
		c, err := New(s, seed)
		if err != nil {
			t.Fatal(err)
		}
		if r := c.Run(); r.Violation != nil {
			t.Fatalf("the real controller fails seed %d: %v", seed, r.Violation)
		}
		if c.checker.jobs == nil || len(c.checker.jobs.lastSucceeded) == 0 {
			t.Fatalf("seed %d: job-completions never saw a Job, so it checked nothing", seed)
		}
	}
	s.Cluster.Broken = "job-counts-without-tracking"
	_, r, seed := caught(t, s, 5, "job-completions: job default/batch reports", "Job controller")
	t.Logf("seed %d caught: %v", seed, r.Violation)
}
