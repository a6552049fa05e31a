package loop

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestVirtualOrdersByTimeThenSequence(t *testing.T) {
	v := NewVirtual(t0)
	var got []string
	add := func(d time.Duration, name string) {
		v.After(d, func() { got = append(got, fmt.Sprintf("%s@%v", name, v.Now().Sub(t0))) })
	}
	add(2*time.Second, "c")
	add(time.Second, "a")
	add(time.Second, "b")
	add(0, "now")
	stopped := v.After(time.Second, func() { got = append(got, "stopped") })
	if !stopped.Stop() || stopped.Stop() {
		t.Errorf("Stop: want true once, then false")
	}
	v.After(500*time.Millisecond, func() {
		add(0, "nested")                     // same instant, after what is already due
		add(500*time.Millisecond, "after-a") // 1s, queued after a and b
	})
	for v.Step() {
	}
	want := []string{"now@0s", "nested@500ms", "a@1s", "b@1s", "after-a@1s", "c@2s"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestRunUntilStopsAtTime(t *testing.T) {
	v := NewVirtual(t0)
	ran := 0
	v.After(time.Second, func() { ran++ })
	v.After(3*time.Second, func() { ran++ })
	v.RunFor(2 * time.Second)
	if ran != 1 || !v.Now().Equal(t0.Add(2*time.Second)) {
		t.Errorf("after RunFor(2s): ran=%d now=%v, want 1 and t0+2s", ran, v.Now().Sub(t0))
	}
}

type notifier struct{ fs []func() }

func (n *notifier) Ready() <-chan struct{} { return nil }
func (n *notifier) OnReady(f func()) func() {
	n.fs = append(n.fs, f)
	return func() { n.fs = nil }
}
func (n *notifier) fire() {
	for _, f := range n.fs {
		f()
	}
}

func TestFollowCoalescesAndStops(t *testing.T) {
	v := NewVirtual(t0)
	src := &notifier{}
	calls := 0
	stop := v.Follow(src, func() { calls++ })
	src.fire()
	src.fire() // coalesced with the initial call: one pending run drains both
	for v.Step() {
	}
	if calls != 1 {
		t.Errorf("calls after two notifications before running = %d, want 1", calls)
	}
	src.fire()
	for v.Step() {
	}
	stop()
	src.fire()
	for v.Step() {
	}
	if calls != 2 {
		t.Errorf("calls = %d, want 2 (none after stop)", calls)
	}
}
