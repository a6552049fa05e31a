package loop

import (
	"container/heap"
	"fmt"
	"time"
)

// Virtual is a Loop in virtual time: callbacks wait in a priority queue
// ordered by (due time, sequence number) and run one by one; time jumps to
// the next due callback. Nothing here reads the wall clock, so a run is
// exactly repeatable. The simulator builds on it; tests use it directly.
//
// Virtual is not safe for concurrent use: it is meant for one thread.
type Virtual struct {
	now   time.Time
	seq   uint64
	queue eventQueue
	// Steps counts the callbacks run so far.
	Steps uint64
}

// NewVirtual returns a loop whose clock starts at start.
func NewVirtual(start time.Time) *Virtual {
	return &Virtual{now: start}
}

// Now returns the virtual time.
func (v *Virtual) Now() time.Time { return v.now }

// After queues f to run at Now()+d (Now() when d <= 0), after every
// callback already queued for that instant.
func (v *Virtual) After(d time.Duration, f func()) Timer {
	if d < 0 {
		d = 0
	}
	return v.At(v.now.Add(d), f)
}

// At queues f to run at time t (or now, if t has passed).
func (v *Virtual) At(t time.Time, f func()) Timer {
	if t.Before(v.now) {
		t = v.now
	}
	v.seq++
	e := &event{at: t, seq: v.seq, f: f}
	heap.Push(&v.queue, e)
	return e
}

// Follow runs f once now and again whenever src notifies. src must
// implement Notifier: a single-threaded loop cannot wait on a channel.
func (v *Virtual) Follow(src Source, f func()) (stop func()) {
	n, ok := src.(Notifier)
	if !ok {
		panic(fmt.Sprintf("loop.Virtual.Follow: %T cannot notify; in virtual time every source must implement loop.Notifier", src))
	}
	pending := false
	stopped := false
	run := func() {
		pending = false
		if !stopped {
			f()
		}
	}
	schedule := func() {
		// Coalesce: one pending call drains everything that arrived.
		if !pending && !stopped {
			pending = true
			v.After(0, run)
		}
	}
	cancel := n.OnReady(schedule)
	schedule()
	return func() {
		stopped = true
		cancel()
	}
}

// Step runs the next callback, moving time to its due time. It reports
// false when nothing is queued.
func (v *Virtual) Step() bool {
	for v.queue.Len() > 0 {
		e := heap.Pop(&v.queue).(*event)
		if e.stopped {
			continue
		}
		e.fired = true
		v.now = e.at
		v.Steps++
		e.f()
		return true
	}
	return false
}

// RunUntil runs callbacks due at or before t, then sets the clock to t.
func (v *Virtual) RunUntil(t time.Time) {
	for {
		next, ok := v.Next()
		if !ok || next.After(t) {
			break
		}
		v.Step()
	}
	if t.After(v.now) {
		v.now = t
	}
}

// RunFor runs callbacks for d of virtual time.
func (v *Virtual) RunFor(d time.Duration) { v.RunUntil(v.now.Add(d)) }

// Next returns the due time of the next queued callback.
func (v *Virtual) Next() (time.Time, bool) {
	for v.queue.Len() > 0 {
		if e := v.queue[0]; !e.stopped {
			return e.at, true
		}
		heap.Pop(&v.queue)
	}
	return time.Time{}, false
}

// Pending returns the number of queued callbacks, stopped ones included.
func (v *Virtual) Pending() int { return v.queue.Len() }

type event struct {
	at      time.Time
	seq     uint64
	f       func()
	stopped bool
	fired   bool
	index   int
}

func (e *event) Stop() bool {
	if e.stopped || e.fired {
		return false
	}
	e.stopped = true
	return true
}

// eventQueue is a min-heap on (at, seq): the sequence number makes the
// order of callbacks due at the same instant the order they were queued in.
type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i]; q[i].index = i; q[j].index = j }
func (q *eventQueue) Push(x any)   { e := x.(*event); e.index = len(*q); *q = append(*q, e) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}
