package sim

import (
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/rest"
)

// stream is the client's end of a watch: the server's stream, carried
// across the network event by event.
type stream struct {
	n      *Network
	id     int
	to     string
	via    string // the API server serving it
	server rest.Stream
	// resumed: the watch started from a resourceVersion.
	resumed bool
	// unnotify stops the server stream's callbacks to us.
	unnotify     func()
	pumping      bool
	lastDelivery time.Time

	buf       []rest.WatchEvent
	ended     bool
	callbacks []*func()
}

func (n *Network) newStream(to, via string, server rest.Stream) *stream {
	n.streamIDs++
	s := &stream{n: n, id: n.streamIDs, to: to, via: via, server: server}
	n.streams = append(n.streams, s)
	notifier, ok := server.(interface{ OnReady(func()) func() })
	if !ok {
		panic("sim: the API server's streams must notify by callback")
	}
	// The server stream notifies inside the store's write (lock held):
	// only schedule the pump here.
	s.unnotify = notifier.OnReady(s.schedulePump)
	s.schedulePump() // initial events (a watch without resourceVersion)
	return s
}

func (s *stream) schedulePump() {
	if s.pumping || s.ended {
		return
	}
	s.pumping = true
	s.n.w.Loop.After(0, s.pump)
}

// pump moves every event the server has ready onto the wire: each arrives
// after its own latency, but never before the one sent before it.
func (s *stream) pump() {
	s.pumping = false
	if s.ended {
		return
	}
	for {
		ev, ok := s.server.Next()
		if !ok {
			break
		}
		s.send(func() { s.deliver(ev) })
	}
	if s.server.Done() {
		s.send(func() { s.cut("") })
	}
}

func (s *stream) send(f func()) {
	at := s.n.w.Loop.Now().Add(s.n.latency())
	if at.Before(s.lastDelivery) {
		at = s.lastDelivery
	}
	s.lastDelivery = at
	s.n.w.Loop.At(at, f)
}

func (s *stream) deliver(ev rest.WatchEvent) {
	if s.ended {
		return
	}
	if s.n.OnDeliver != nil {
		s.n.OnDeliver(s.to, s.id, s.resumed, ev)
	}
	s.n.recordShared(s.to, ev)
	s.buf = append(s.buf, ev)
	s.notify()
}

// cut ends the stream for the client: it sees Done once it has drained
// what already arrived.
// A non-empty why is noted in the trace (a server ending a watch is not
// news).
func (s *stream) cut(why string) {
	if !s.end() {
		return
	}
	if why != "" {
		s.n.w.Trace.Detail(s.to, "watch stream cut (%s)", why)
	}
	s.notify()
}

// end detaches the stream from the server and the network. It reports
// whether the stream was still open.
func (s *stream) end() bool {
	if s.ended {
		return false
	}
	s.ended = true
	s.unnotify()
	s.server.Stop()
	s.n.streams = slices.DeleteFunc(s.n.streams, func(x *stream) bool { return x == s })
	return true
}

func (s *stream) notify() {
	for _, f := range append([]*func(){}, s.callbacks...) {
		(*f)()
	}
}

// Next returns the next delivered event.
func (s *stream) Next() (rest.WatchEvent, bool) {
	if len(s.buf) == 0 {
		return rest.WatchEvent{}, false
	}
	ev := s.buf[0]
	s.buf = s.buf[1:]
	return ev, true
}

// Ready is never signalled: in the simulator streams notify by callback.
func (s *stream) Ready() <-chan struct{} { return nil }

// Done reports that the stream was cut and drained.
func (s *stream) Done() bool { return s.ended && len(s.buf) == 0 }

// Stop ends the stream from the client's side.
func (s *stream) Stop() {
	s.end()
	s.buf = nil
}

// OnReady registers f to run whenever events arrive or the stream ends.
func (s *stream) OnReady(f func()) (cancel func()) {
	p := &f
	s.callbacks = append(s.callbacks, p)
	return func() { s.callbacks = slices.DeleteFunc(s.callbacks, func(x *func()) bool { return x == p }) }
}
