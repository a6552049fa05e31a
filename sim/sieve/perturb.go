package sieve

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/sim"
)

// Kind is a kind of perturbation.
type Kind int

// The perturbations (see the package comment).
const (
	None Kind = iota
	CrashBefore
	CrashAfter
	Late
	Stale
	StaleRestart
)

var kindNames = map[Kind]string{None: "none", CrashBefore: "crash-before", CrashAfter: "crash-after", Late: "late", Stale: "stale", StaleRestart: "stale-restart"}

func (k Kind) String() string { return kindNames[k] }

// Perturbation is what one run does to the controller.
type Perturbation struct {
	Kind Kind
	// Call is the 1-based number of the controller's API call where a
	// crash happens (CrashBefore, CrashAfter, StaleRestart).
	Call int
	// What is that call as the baseline made it, "POST /api/v1/…/pods".
	What string
	// Resource is, for Late, the resource whose watch events are late
	// ("" for every one).
	Resource string
}

func (p Perturbation) String() string {
	switch p.Kind {
	case CrashBefore:
		return fmt.Sprintf("crash just before call %d (%s), restart %v later", p.Call, p.What, RestartDelay)
	case CrashAfter:
		return fmt.Sprintf("crash just after call %d (%s) took effect, its answer lost; restart %v later", p.Call, p.What, RestartDelay)
	case Late:
		what := "every watch event"
		if p.Resource != "" {
			what = "watch events of " + p.Resource
		}
		return fmt.Sprintf("%s %v late for the first %v", what, LateDelay, LateFor)
	case Stale:
		return fmt.Sprintf("just after write call %d (%s), reads served as of before that write and watch events %v late, for %v",
			p.Call, p.What, LateDelay, StaleFor)
	case StaleRestart:
		return fmt.Sprintf("crash just after write call %d (%s), answer lost; restart %v later with reads served as of before that write and watch events %v late, for %v",
			p.Call, p.What, RestartDelay, LateDelay, StaleFor)
	}
	return "no perturbation"
}

// call is one API call of the controller.
type call struct {
	n        int
	at       time.Duration
	what     string
	write    bool
	resource string // the collection's resource, "pods"
	event    bool   // a write of an Event
}

// tap is the transport of one start of the controller's process: it
// records every call and carries out the run's perturbation. Once its
// process has crashed it is dead: whatever the old components still try
// fails without reaching the server.
type tap struct {
	r    *run
	next client.Transport
	dead bool
}

func (t *tap) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	r := t.r
	if t.dead {
		return nil, sim.ErrTimeout
	}
	r.ncalls++
	c := call{n: r.ncalls, at: r.w.Elapsed(), what: describe(req), write: req.Method != http.MethodGet, resource: resourceOf(req.Path)}
	c.event = c.write && c.resource == "events"
	r.calls = append(r.calls, c)
	p := r.pert
	hit := c.n == p.Call && (p.Kind == CrashBefore || p.Kind == CrashAfter || p.Kind == Stale || p.Kind == StaleRestart)
	if hit && p.What != "" && c.what != p.What {
		r.nondet = fmt.Errorf("call %d is %s, but in the baseline it was %s: the run is not deterministic", c.n, c.what, p.What)
	}
	if hit && p.Kind == CrashBefore {
		r.crash(t)
		return nil, sim.ErrTimeout
	}
	before := r.revision()
	resp, err := t.next.Do(ctx, req)
	if hit && p.Kind == Stale {
		r.w.Net.StaleReads(r.ctrl.Name, before)
		r.lateUntil = r.w.Elapsed() + StaleFor
		r.w.At(r.lateUntil, func() { r.w.Net.StaleReads(r.ctrl.Name, 0) })
	} else if hit {
		if p.Kind == StaleRestart {
			r.w.Net.StaleReads(r.ctrl.Name, before)
			r.lateUntil = r.w.Elapsed() + RestartDelay + StaleFor
			r.w.At(r.lateUntil, func() { r.w.Net.StaleReads(r.ctrl.Name, 0) })
		}
		r.crash(t)
		return nil, sim.ErrTimeout
	}
	if err == nil && resp.Stream != nil && r.late(c.resource) {
		cp := *resp
		cp.Stream = newDelayStream(r, resp.Stream)
		resp = &cp
	}
	return resp, err
}

// describe renders a call as the baseline's report shows it.
func describe(req *rest.Request) string {
	s := req.Method + " " + req.Path
	if req.Query.Get("watch") == "true" {
		s += "?watch"
	}
	return s
}

// resourceOf finds the resource in an API path: the segment after the
// version, or after namespaces/NS.
func resourceOf(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var rest []string
	switch {
	case len(parts) >= 3 && parts[0] == "api":
		rest = parts[2:]
	case len(parts) >= 4 && parts[0] == "apis":
		rest = parts[3:]
	default:
		return ""
	}
	if len(rest) >= 3 && rest[0] == "namespaces" {
		rest = rest[2:]
	}
	return rest[0]
}

// delayStream carries a watch stream to the controller late: each event
// arrives the run's current lateness after the network delivered it, never
// before the one delivered before it, so order is kept. The end of the
// stream comes in order too.
type delayStream struct {
	r         *run
	inner     rest.Stream
	cancel    func()
	last      time.Duration
	buf       []rest.WatchEvent
	innerDone bool
	ended     bool
	stopped   bool
	callbacks []*func()
}

func newDelayStream(r *run, inner rest.Stream) *delayStream {
	s := &delayStream{r: r, inner: inner}
	s.cancel = inner.(loop.Notifier).OnReady(s.pull)
	s.pull()
	return s
}

func (s *delayStream) pull() {
	if s.stopped {
		return
	}
	for {
		ev, ok := s.inner.Next()
		if !ok {
			break
		}
		s.send(func() { s.buf = append(s.buf, ev) })
	}
	if s.inner.Done() && !s.innerDone {
		s.innerDone = true
		s.send(func() { s.ended = true })
	}
}

func (s *delayStream) send(f func()) {
	at := s.r.w.Elapsed() + s.r.lateness()
	if at < s.last {
		at = s.last
	}
	s.last = at
	s.r.w.At(at, func() {
		if s.stopped {
			return
		}
		f()
		for _, cb := range append([]*func(){}, s.callbacks...) {
			(*cb)()
		}
	})
}

func (s *delayStream) Next() (rest.WatchEvent, bool) {
	if len(s.buf) == 0 {
		return rest.WatchEvent{}, false
	}
	ev := s.buf[0]
	s.buf = s.buf[1:]
	return ev, true
}

func (s *delayStream) Ready() <-chan struct{} { return nil }

func (s *delayStream) Done() bool { return s.ended && len(s.buf) == 0 }

func (s *delayStream) Stop() {
	if s.stopped {
		return
	}
	s.stopped = true
	s.cancel()
	s.inner.Stop()
	s.buf = nil
}

func (s *delayStream) OnReady(f func()) (cancel func()) {
	p := &f
	s.callbacks = append(s.callbacks, p)
	return func() {
		for i, x := range s.callbacks {
			if x == p {
				s.callbacks = append(s.callbacks[:i:i], s.callbacks[i+1:]...)
				return
			}
		}
	}
}
