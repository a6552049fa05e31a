package scheduler

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/metrics"
)

func TestSchedulerMetrics(t *testing.T) {
	rec := metrics.NewMemory()
	c := newCluster(t, Config{Metrics: rec})
	c.addNode(newNode("small", "1", "2Gi"))
	c.addPod(newPod("fits", requests("500m", "")))
	c.addPod(newPod("too-big", requests("4", "")))
	c.sched.Start()
	c.v.RunFor(10 * time.Second)

	profile := "default-scheduler"
	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		{`scheduler_schedule_attempts_total{result="scheduled"}`, rec.Value(scheduleAttempts, resultScheduled, profile), 1},
		{`scheduler_scheduling_attempt_duration_seconds_count{result="scheduled"}`, float64(rec.Count(attemptDuration, resultScheduled, profile)), 1},
		{`scheduler_pending_pods{queue="unschedulable"}`, rec.Value(pendingPods, "unschedulable"), 1},
		{`scheduler_pending_pods{queue="active"}`, rec.Value(pendingPods, "active"), 0},
		{`scheduler_pending_pods{queue="backoff"}`, rec.Value(pendingPods, "backoff"), 0},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	// The pod that fits nowhere is retried with back-off: each retry is
	// one more unschedulable attempt.
	if got := rec.Value(scheduleAttempts, resultUnschedulable, profile); got < 1 {
		t.Errorf(`scheduler_schedule_attempts_total{result="unschedulable"} = %v, want ≥ 1`, got)
	}

	// Room is made: the pod is scheduled and no longer pending.
	c.addNode(newNode("big", "8", "16Gi"))
	c.v.RunFor(10 * time.Second)
	if got := rec.Value(scheduleAttempts, resultScheduled, profile); got != 2 {
		t.Errorf(`scheduler_schedule_attempts_total{result="scheduled"} after a big node came = %v, want 2`, got)
	}
	if got := rec.Value(pendingPods, "unschedulable"); got != 0 {
		t.Errorf(`scheduler_pending_pods{queue="unschedulable"} after a big node came = %v, want 0`, got)
	}
}
