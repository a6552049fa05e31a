package client

import (
	"errors"
	"time"

	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/metrics"
)

// Queue feeds keys ("namespace/name") to a reconcile function, one at a
// time, on a loop. It is how controllers turn a stream of informer events
// into level-triggered work:
//
//   - a key added many times before it is processed is processed once;
//   - a key added while it is being processed is processed again after;
//   - a key whose reconcile fails is retried after a delay that doubles
//     with each failure in a row (Backoff, up to MaxBackoff), and its
//     failure count is forgotten on success;
//   - AddAfter delays a key (for work due later, such as a lease expiry).
//
// It reports client-go's workqueue_* metrics (queuemetrics.go) to the
// Recorder its loop carries, if any.
//
// Each key is processed in its own loop callback, so other components'
// work interleaves between keys, as it would on real machines.
type Queue struct {
	loop   loop.Loop
	work   func(key string) error
	queue  []string
	queued map[string]bool
	// later holds the earliest pending AddAfter of each key.
	later     map[string]laterKey
	failures  map[string]int
	scheduled bool
	stopped   bool

	Backoff    time.Duration // first retry delay; 5ms when zero
	MaxBackoff time.Duration // cap of the retry delay; 5 minutes when zero

	// Name is the queue's in its metrics (the work function's package
	// by default); Metrics is where they go (the loop's Recorder, see
	// metrics.From; Discard when it carries none). Set both before the
	// first Add.
	Name    string
	Metrics metrics.Recorder
	addedAt map[string]time.Time // when each queued key was added, while measured
}

type laterKey struct {
	at    time.Time
	timer loop.Timer
}

// NewQueue returns a queue that calls work on l for each key.
func NewQueue(l loop.Loop, work func(key string) error) *Queue {
	return &Queue{loop: l, work: work, queued: map[string]bool{}, later: map[string]laterKey{}, failures: map[string]int{},
		Name: queueName(work), Metrics: metrics.From(l), addedAt: map[string]time.Time{}}
}

// Add queues key unless it is already queued.
func (q *Queue) Add(key string) {
	if q.stopped || q.queued[key] {
		return
	}
	q.queued[key] = true
	q.queue = append(q.queue, key)
	q.added(key)
	q.schedule()
}

// AddAfter queues key once d has passed. Of several pending AddAfters of
// one key, the earliest wins.
func (q *Queue) AddAfter(key string, d time.Duration) {
	if d <= 0 {
		q.Add(key)
		return
	}
	at := q.loop.Now().Add(d)
	if l, ok := q.later[key]; ok {
		if !at.Before(l.at) {
			return
		}
		l.timer.Stop()
	}
	q.later[key] = laterKey{at: at, timer: q.loop.After(d, func() {
		delete(q.later, key)
		q.Add(key)
	})}
}

// Len returns the number of keys waiting (not counting delayed ones).
func (q *Queue) Len() int { return len(q.queue) }

// Queued reports whether key waits in the queue (not counting a delayed
// one).
func (q *Queue) Queued(key string) bool { return q.queued[key] }

// Failures returns how many times in a row key's reconcile has failed.
func (q *Queue) Failures(key string) int { return q.failures[key] }

// Stop drops every pending key and accepts no more.
func (q *Queue) Stop() {
	q.stopped = true
	q.queue = nil
	q.queued = map[string]bool{}
	clear(q.addedAt)
	for k, l := range q.later {
		l.timer.Stop()
		delete(q.later, k)
	}
}

func (q *Queue) schedule() {
	if q.scheduled || len(q.queue) == 0 {
		return
	}
	q.scheduled = true
	q.loop.After(0, q.processOne)
}

func (q *Queue) processOne() {
	q.scheduled = false
	if q.stopped || len(q.queue) == 0 {
		return
	}
	key := q.queue[0]
	q.queue = q.queue[1:]
	delete(q.queued, key)
	start := q.taken(key)
	err := q.work(key)
	q.done(start, err != nil && err != ErrInFlight)
	if err != ErrInFlight {
		q.finish(key, err)
	}
	q.schedule()
}

// ErrInFlight, returned by a queue's work function, says the work goes on
// off the loop (loop.Offload): the queue neither retries the key nor
// forgets its failures until Finish reports how the work ended.
var ErrInFlight = errors.New("client: the work goes on off the loop")

// Finish ends the work on key that returned ErrInFlight, as if it had
// returned err then: a failure is counted and the key retried after the
// back-off; a success forgets the key's failures.
func (q *Queue) Finish(key string, err error) {
	if !q.stopped {
		q.finish(key, err)
	}
}

func (q *Queue) finish(key string, err error) {
	if err != nil {
		q.failures[key]++
		q.AddAfter(key, q.retryDelay(q.failures[key]))
	} else {
		delete(q.failures, key)
	}
}

func (q *Queue) retryDelay(failures int) time.Duration {
	base, max := q.Backoff, q.MaxBackoff
	if base <= 0 {
		base = 5 * time.Millisecond
	}
	if max <= 0 {
		max = 5 * time.Minute
	}
	d := base
	for i := 1; i < failures && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
}
