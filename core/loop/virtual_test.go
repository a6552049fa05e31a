package loop

import (
	"fmt"
	"sort"
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

// BenchmarkVirtualPending100k measures one step of a loop holding 100,000
// pending callbacks, as a 1,000-node simulation does: each step pops the
// earliest, queues a new one at a pseudo-random later time, and replaces
// (stops and queues again) another, as a reset timer does.
func BenchmarkVirtualPending100k(b *testing.B) {
	v := NewVirtual(t0)
	var x uint64 = 1
	next := func() time.Duration { // xorshift: cheap, and repeatable
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return time.Duration(x%10_000) * time.Millisecond
	}
	timers := make([]Timer, 100_000)
	var f func()
	f = func() { v.After(next(), f) }
	for i := range timers {
		timers[i] = v.After(next(), f)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v.Step()
		j := i % len(timers)
		timers[j].Stop()
		timers[j] = v.After(next(), func() {})
	}
	b.ReportMetric(float64(v.Pending()), "pending")
}

// TestVirtualOrderSurvivesStopsAndSweeps queues thousands of callbacks at
// few distinct instants, stops most of them (so the queue sweeps stopped
// ones out several times), and checks that the rest run in (time, queue
// order), as a sorted reference says, and that the sweeps keep the queue
// small.
func TestVirtualOrderSurvivesStopsAndSweeps(t *testing.T) {
	for _, keep := range []int{1, 3, 10} { // keep one in keep
		t.Run(fmt.Sprintf("keep1in%d", keep), func(t *testing.T) {
			v := NewVirtual(t0)
			type want struct {
				at  time.Duration
				seq int
			}
			var wants []want
			var got []int
			var x uint64 = 7
			for i := 0; i < 5000; i++ {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				d := time.Duration(x%50) * time.Millisecond
				i := i
				tm := v.After(d, func() { got = append(got, i) })
				if i%keep != 0 {
					if !tm.Stop() {
						t.Fatalf("Stop of queued callback %d = false, want true", i)
					}
				} else {
					wants = append(wants, want{d, i})
				}
			}
			if keep > 2 && v.Pending() > 2*len(wants)+64 {
				t.Errorf("Pending() = %d with %d live callbacks, want at most %d (stopped ones swept)", v.Pending(), len(wants), 2*len(wants)+64)
			}
			sort.SliceStable(wants, func(a, b int) bool { return wants[a].at < wants[b].at })
			var order []int
			for _, w := range wants {
				order = append(order, w.seq)
			}
			for v.Step() {
			}
			if diff := cmp.Diff(order, got); diff != "" {
				t.Errorf("run order (-want +got):\n%s", diff)
			}
			if v.Pending() != 0 {
				t.Errorf("Pending() after draining = %d, want 0", v.Pending())
			}
		})
	}
}
