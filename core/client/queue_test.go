package client

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/loop"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestQueueDeduplicatesAndRequeues(t *testing.T) {
	v := loop.NewVirtual(t0)
	var got []string
	var q *Queue
	q = NewQueue(v, func(key string) error {
		got = append(got, key)
		if key == "a" && len(got) == 1 {
			q.Add("a") // added while being processed: runs again after
		}
		return nil
	})
	q.Add("a")
	q.Add("b")
	q.Add("a") // already queued
	for v.Step() {
	}
	if diff := cmp.Diff([]string{"a", "b", "a"}, got); diff != "" {
		t.Errorf("processed (-want +got):\n%s", diff)
	}
}

func TestQueueBacksOffFailuresAndForgetsOnSuccess(t *testing.T) {
	v := loop.NewVirtual(t0)
	var at []time.Duration
	fails := 3
	q := NewQueue(v, func(key string) error {
		at = append(at, v.Now().Sub(t0))
		if fails > 0 {
			fails--
			return errors.New("not yet")
		}
		return nil
	})
	q.Backoff = 100 * time.Millisecond
	q.Add("k")
	for v.Step() {
	}
	want := []time.Duration{0, 100 * time.Millisecond, 300 * time.Millisecond, 700 * time.Millisecond}
	if diff := cmp.Diff(want, at); diff != "" {
		t.Errorf("attempt times (-want +got):\n%s", diff)
	}
	if q.Failures("k") != 0 {
		t.Errorf("failures after success = %d, want 0", q.Failures("k"))
	}
}

func TestQueueAddAfterKeepsEarliest(t *testing.T) {
	v := loop.NewVirtual(t0)
	var at []time.Duration
	q := NewQueue(v, func(string) error { at = append(at, v.Now().Sub(t0)); return nil })
	q.AddAfter("k", 5*time.Second)
	q.AddAfter("k", 2*time.Second)
	q.AddAfter("k", 9*time.Second)
	for v.Step() {
	}
	if diff := cmp.Diff([]time.Duration{2 * time.Second}, at); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
}

// TestQueueHandedOnWorkBacksOffThroughFinish: work handed on
// (ErrInFlight) counts as neither success nor failure until Finish says,
// and failures reported through Finish back off as returned ones do.
func TestQueueHandedOnWorkBacksOffThroughFinish(t *testing.T) {
	v := loop.NewVirtual(t0)
	var at []time.Duration
	fails := 2
	var q *Queue
	q = NewQueue(v, func(key string) error {
		at = append(at, v.Now().Sub(t0))
		// The work ends a little later, elsewhere.
		v.After(10*time.Millisecond, func() {
			var err error
			if fails > 0 {
				fails--
				err = errors.New("not yet")
			}
			q.Finish(key, err)
		})
		return ErrInFlight
	})
	q.Backoff = 100 * time.Millisecond
	q.Add("k")
	v.After(5*time.Millisecond, func() {
		if got := q.Failures("k"); got != 0 {
			t.Errorf("Failures(k) while handed on = %d, want 0", got)
		}
	})
	for v.Step() {
	}
	// Finish at 10ms fails: retry at 110ms; finishes at 120ms, fails
	// again: retry after 200ms, at 320ms; then it succeeds.
	want := []time.Duration{0, 110 * time.Millisecond, 320 * time.Millisecond}
	if diff := cmp.Diff(want, at); diff != "" {
		t.Errorf("attempt times (-want +got):\n%s", diff)
	}
	if q.Failures("k") != 0 {
		t.Errorf("failures after success = %d, want 0", q.Failures("k"))
	}
}
