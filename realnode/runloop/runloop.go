package runloop

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/metrics"
)

// Loop is a real-time loop.Loop. Create it with New, then Run it.
type Loop struct {
	// held is held while a callback runs, or a function given to Locked
	// (outside its Unlocked parts): what the loop's components share is
	// touched by one of them at a time.
	held sync.Mutex

	mu    sync.Mutex
	inbox []func()
	wake  chan struct{}
	done  chan struct{}
	once  sync.Once

	// MaxOffloads bounds how many offloaded works (Offload) run at once
	// [DefaultMaxOffloads]; set it before the first Offload.
	MaxOffloads int
	offloads    chan struct{} // the slots of running works, made on first use

	// Recorder, when set before components are built on the loop, is
	// the process' metrics Recorder, which the loop carries to them
	// (metrics.Carrier): every work queue on the loop reports to it.
	Recorder metrics.Recorder
}

// Metrics returns the Recorder the loop carries (nil: none).
func (l *Loop) Metrics() metrics.Recorder { return l.Recorder }

// New returns a loop that is not yet running.
func New() *Loop {
	return &Loop{wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// Run executes callbacks until ctx ends. Call it once.
func (l *Loop) Run(ctx context.Context) {
	defer l.once.Do(func() { close(l.done) })
	for {
		l.mu.Lock()
		batch := l.inbox
		l.inbox = nil
		l.mu.Unlock()
		for _, f := range batch {
			if ctx.Err() != nil {
				return
			}
			l.held.Lock()
			f()
			l.held.Unlock()
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-l.wake:
		}
	}
}

// Post queues f to run on the loop. Safe from any goroutine, including
// the loop's own.
func (l *Loop) Post(f func()) {
	l.mu.Lock()
	l.inbox = append(l.inbox, f)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Locked runs f on the calling goroutine as if it were a callback of the
// loop: no callback (and no other Locked function) runs meanwhile, except
// while f is inside Unlocked. A kubelet's pod workers run this way
// (kubelet.Workers), so they may touch what the loop's callbacks touch.
//
// Contract: not called from a callback or a Locked function (the loop is
// not reentrant).
func (l *Loop) Locked(f func()) {
	l.held.Lock()
	defer l.held.Unlock()
	f()
}

// Unlocked runs f letting the loop go meanwhile: callbacks and Locked
// functions of other goroutines run while f waits (for containerd, a
// probe). f must touch nothing the loop's components share.
//
// Contract: called from a callback or a Locked function, on its
// goroutine.
func (l *Loop) Unlocked(f func()) {
	l.held.Unlock()
	defer l.held.Lock()
	f()
}

// Do runs f on the loop and waits for it (or for the loop to stop).
func (l *Loop) Do(f func()) {
	ran := make(chan struct{})
	l.Post(func() { f(); close(ran) })
	select {
	case <-ran:
	case <-l.done:
	}
}

// DefaultMaxOffloads is how many offloaded works a loop runs at once
// unless told otherwise: enough API calls in flight to keep etcd's batched
// writes full, as kube-scheduler binds many pods at once.
const DefaultMaxOffloads = 32

// Offload runs work on a goroutine of its own, at most MaxOffloads at once
// (the others wait their turn, in no set order), then posts then to the
// loop (loop.Offloader). Call it on the loop: it starts the goroutine and
// returns at once.
func (l *Loop) Offload(work, then func()) {
	if l.offloads == nil {
		n := l.MaxOffloads
		if n <= 0 {
			n = DefaultMaxOffloads
		}
		l.offloads = make(chan struct{}, n)
	}
	slots := l.offloads
	go func() {
		select {
		case slots <- struct{}{}:
		case <-l.done:
			return
		}
		work()
		<-slots
		l.Post(then)
	}()
}

// Now returns the wall-clock time.
func (l *Loop) Now() time.Time { return time.Now() }

// After runs f on the loop once d has passed.
func (l *Loop) After(d time.Duration, f func()) loop.Timer {
	t := &timer{}
	if d <= 0 {
		l.Post(func() {
			if t.fire() {
				f()
			}
		})
		return t
	}
	t.t = time.AfterFunc(d, func() {
		l.Post(func() {
			if t.fire() {
				f()
			}
		})
	})
	return t
}

// Follow runs f on the loop once now and again whenever src signals, never
// queuing more than one pending call.
func (l *Loop) Follow(src loop.Source, f func()) (stop func()) {
	var pending atomic.Bool
	stopped := make(chan struct{})
	var stopOnce sync.Once
	post := func() {
		if pending.CompareAndSwap(false, true) {
			l.Post(func() {
				pending.Store(false)
				select {
				case <-stopped:
				default:
					f()
				}
			})
		}
	}
	post()
	go func() {
		for {
			select {
			case <-stopped:
				return
			case <-l.done:
				return
			case <-src.Ready():
				post()
			}
		}
	}()
	return func() { stopOnce.Do(func() { close(stopped) }) }
}

// timer is a callback that runs at most once, unless stopped first.
type timer struct {
	mu    sync.Mutex
	t     *time.Timer
	state int // 0 waiting, 1 fired, 2 stopped
}

func (t *timer) fire() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != 0 {
		return false
	}
	t.state = 1
	return true
}

func (t *timer) Stop() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != 0 {
		return false
	}
	t.state = 2
	if t.t != nil {
		t.t.Stop()
	}
	return true
}
