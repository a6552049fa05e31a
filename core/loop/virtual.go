package loop

import (
	"fmt"
	"time"
)

// Virtual is a Loop in virtual time: callbacks wait in a priority queue
// ordered by (due time, sequence number) and run one by one; time jumps to
// the next due callback. Nothing here reads the wall clock, so a run is
// exactly repeatable. The simulator builds on it; tests use it directly.
//
// The queue stays cheap with a hundred thousand callbacks waiting (a
// thousand simulated nodes): see eventQueue. A stopped callback stays
// queued until it comes up or until stopped ones are half the queue, when
// they are swept out all at once, so stopping costs O(1) amortized.
//
// Virtual is not safe for concurrent use: it is meant for one thread.
type Virtual struct {
	now time.Time
	// start is when the clock started: the queue keys due times as the
	// duration since (292 years of them fit).
	start time.Time
	seq   uint64
	queue eventQueue
	// stopped counts the queued callbacks that were stopped.
	stopped int
	// Steps counts the callbacks run so far.
	Steps uint64
}

// NewVirtual returns a loop whose clock starts at start.
func NewVirtual(start time.Time) *Virtual {
	return &Virtual{now: start, start: start}
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
	e := &event{v: v, f: f}
	v.push(t, e)
	return e
}

// push queues e at t (not before now), after everything queued for t.
func (v *Virtual) push(t time.Time, e *event) {
	v.seq++
	v.queue.push(entry{at: t.Sub(v.start), seq: v.seq, e: e})
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
	// One event, queued again each time: nobody else holds it, so it is
	// never stopped, and a busy stream costs no allocation per wakeup.
	run := &event{v: v}
	run.f = func() {
		pending = false
		if !stopped {
			f()
		}
	}
	schedule := func() {
		// Coalesce: one pending call drains everything that arrived.
		if !pending && !stopped {
			pending = true
			run.state = queued
			v.push(v.now, run)
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
	for len(v.queue) > 0 {
		top := v.queue.pop()
		if top.e.state == stopped {
			v.stopped--
			continue
		}
		top.e.state = fired
		v.now = v.start.Add(top.at)
		v.Steps++
		top.e.f()
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
	for len(v.queue) > 0 {
		if top := v.queue[0]; top.e.state != stopped {
			return v.start.Add(top.at), true
		}
		v.queue.pop()
		v.stopped--
	}
	return time.Time{}, false
}

// Pending returns the number of queued callbacks, stopped ones included.
func (v *Virtual) Pending() int { return len(v.queue) }

// event is one queued callback: the Timer After and At return.
type event struct {
	v     *Virtual
	f     func()
	state eventState
}

type eventState uint8

const (
	queued eventState = iota
	stopped
	fired
)

// Stop cancels e if it is still queued. It stays in the queue, counted;
// when stopped callbacks are half the queue (and more than a few), they
// are swept out at once.
func (e *event) Stop() bool {
	if e.state != queued {
		return false
	}
	e.state = stopped
	v := e.v
	v.stopped++
	if v.stopped > 64 && 2*v.stopped > len(v.queue) {
		v.queue.sweep()
		v.stopped = 0
	}
	return true
}

// entry is an event in the queue with its key, held by value so that
// ordering the queue reads contiguous memory and follows no pointer.
type entry struct {
	at  time.Duration // due time, as the time since Virtual.start
	seq uint64
	e   *event
}

// before orders entries by (at, seq): the sequence number makes the order
// of callbacks due at the same instant the order they were queued in. No
// two entries have the same seq, so the order is total and any heap pops
// them in the same order: the queue's shape never shows in a run.
func (a entry) before(b entry) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// eventQueue is a 4-ary min-heap of entries on (at, seq): half as deep as
// a binary heap, and each level's children sit side by side in memory.
type eventQueue []entry

const arity = 4

// push adds x, sifting it up.
func (q *eventQueue) push(x entry) {
	h := append(*q, x)
	i := len(h) - 1
	for i > 0 {
		parent := (i - 1) / arity
		if !x.before(h[parent]) {
			break
		}
		h[i] = h[parent]
		i = parent
	}
	h[i] = x
	*q = h
}

// pop removes and returns the least entry; q must not be empty.
func (q *eventQueue) pop() entry {
	h := *q
	top := h[0]
	last := h[len(h)-1]
	h[len(h)-1] = entry{} // let the event be collected
	h = h[:len(h)-1]
	if len(h) > 0 {
		h.down(0, last)
	}
	*q = h
	return top
}

// down places x at i or below, moving lesser children up.
func (q eventQueue) down(i int, x entry) {
	n := len(q)
	for {
		first := arity*i + 1
		if first >= n {
			break
		}
		least := first
		for c := first + 1; c < first+arity && c < n; c++ {
			if q[c].before(q[least]) {
				least = c
			}
		}
		if !q[least].before(x) {
			break
		}
		q[i] = q[least]
		i = least
	}
	q[i] = x
}

// sweep drops the stopped entries and rebuilds the heap in O(n).
func (q *eventQueue) sweep() {
	h := (*q)[:0]
	for _, x := range *q {
		if x.e.state != stopped {
			h = append(h, x)
		}
	}
	clear((*q)[len(h):])
	for i := (len(h) - 2) / arity; i >= 0; i-- {
		h.down(i, h[i])
	}
	*q = h
}
