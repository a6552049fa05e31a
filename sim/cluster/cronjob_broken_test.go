package cluster

import (
	"strings"
	"testing"
)

// A CronJob controller that treats Forbid as Allow starts a second Job of
// "nightly" while the first still runs; cronjob-forbid must say so.
func TestBrokenCronJobIsCaughtByForbid(t *testing.T) {
	s := load(t, "cronjob.yaml")
	s.Cluster.Broken = "cronjob-ignores-forbid"
	r := run(t, s, 1)
	if r.Violation == nil || !strings.HasPrefix(r.Violation.Error(), "cronjob-forbid") {
		t.Fatalf("violation %v, want cronjob-forbid", r.Violation)
	}
	t.Logf("caught: %v", r.Violation)
}
