package client

import (
	"errors"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/metrics"
)

// measuredLoop is a virtual loop carrying a Recorder, as realnode's
// loops do, whose clock also moves by *busy: the time work has taken
// (a virtual loop's stands still in a callback).
type measuredLoop struct {
	*loop.Virtual
	rec  metrics.Recorder
	busy *time.Duration
}

func (l measuredLoop) Metrics() metrics.Recorder { return l.rec }
func (l measuredLoop) Now() time.Time            { return l.Virtual.Now().Add(*l.busy) }

func TestQueueMetrics(t *testing.T) {
	v := loop.NewVirtual(t0)
	rec := metrics.NewMemory()
	failOnce := true
	var busy time.Duration
	q := NewQueue(measuredLoop{v, rec, &busy}, func(key string) error {
		busy += time.Second // each key takes a second of work
		if key == "b" && failOnce {
			failOnce = false
			return errors.New("not yet")
		}
		return nil
	})
	if q.Name != "client" {
		t.Errorf("NewQueue(client.func).Name = %q, want %q (the work function's package)", q.Name, "client")
	}
	q.Add("a")
	q.Add("b")
	q.Add("a") // already queued: no add
	if got := rec.Value(queueDepth, "client"); got != 2 {
		t.Errorf("workqueue_depth after two adds = %v, want 2", got)
	}
	for v.Step() {
	}
	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		{"workqueue_adds_total", rec.Value(queueAdds, "client"), 3}, // a, b, and b's retry
		{"workqueue_retries_total", rec.Value(queueRetries, "client"), 1},
		{"workqueue_depth", rec.Value(queueDepth, "client"), 0},
		{"workqueue_queue_duration_seconds count", float64(rec.Count(queueLatency, "client")), 3},
		{"workqueue_work_duration_seconds count", float64(rec.Count(queueWork, "client")), 3},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if got := rec.Value(queueWork, "client"); got != 3 {
		t.Errorf("workqueue_work_duration_seconds sum = %v, want 3 (three keys of 1s each)", got)
	}
	if got := rec.Value(queueLatency, "client"); got != 1 {
		t.Errorf("workqueue_queue_duration_seconds sum = %v, want 1 (b waited for a's second)", got)
	}
}

func TestQueueWithoutRecorder(t *testing.T) {
	q := NewQueue(loop.NewVirtual(t0), func(string) error { return nil })
	if q.Metrics != metrics.Discard {
		t.Errorf("NewQueue on a loop without a Recorder: Metrics = %v, want Discard", q.Metrics)
	}
}
