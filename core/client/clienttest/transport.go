package clienttest

import (
	"context"
	"strings"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/rest"
)

// Transport hands requests to an API server in process and records the
// watch streams it opens. While it holds a path, streams opened on paths
// ending so return no events: the informer behind them lags the API until
// Release. A test that also injects failures wraps a Transport in its own.
type Transport struct {
	srv     *apiserver.Server
	streams []*Stream
	held    bool
	suffix  string
}

// NewTransport returns a Transport to srv, holding nothing.
func NewTransport(srv *apiserver.Server) *Transport { return &Transport{srv: srv} }

// Do implements client.Transport. It never fails.
func (t *Transport) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	resp := t.srv.Handle(ctx, req)
	if resp.Stream != nil {
		s := &Stream{Stream: resp.Stream, t: t, path: req.Path}
		t.streams = append(t.streams, s)
		resp.Stream = s
	}
	return resp, nil
}

// Hold holds back the events of watches on paths ending in suffix ("" for
// every watch), those open now and those opened later, until Release.
func (t *Transport) Hold(suffix string) { t.held, t.suffix = true, suffix }

// Release ends a Hold and wakes the followers of the held streams, so
// their events are delivered on the next steps of the loop.
func (t *Transport) Release() {
	var wake []*Stream
	for _, s := range t.streams {
		if s.holding() {
			wake = append(wake, s)
		}
	}
	t.held = false
	for _, s := range wake {
		for _, f := range s.followers {
			if f != nil {
				f()
			}
		}
	}
}

// Cut stops every watch stream opened so far, as a dropped connection
// would; the informers must notice and watch again (or relist).
func (t *Transport) Cut() {
	for _, s := range t.streams {
		s.Stop()
	}
}

// Streams returns the watch streams opened so far, oldest first.
func (t *Transport) Streams() []*Stream { return t.streams }

// Stream is a watch stream opened through a Transport.
type Stream struct {
	rest.Stream
	t    *Transport
	path string
	// followers are the callbacks registered with OnReady; cancelled ones
	// are nil.
	followers []func()
}

// Path returns the path the watch was opened on.
func (s *Stream) Path() string { return s.path }

func (s *Stream) holding() bool { return s.t.held && strings.HasSuffix(s.path, s.t.suffix) }

// Next returns no event while the stream is held.
func (s *Stream) Next() (rest.WatchEvent, bool) {
	if s.holding() {
		return rest.WatchEvent{}, false
	}
	return s.Stream.Next()
}

// Done reports false while the stream is held: its last events are not
// delivered yet.
func (s *Stream) Done() bool { return !s.holding() && s.Stream.Done() }

// OnReady implements loop.Notifier: f is called when the server's stream
// gets news, and again on Release. The cancel func unregisters f from both.
func (s *Stream) OnReady(f func()) (cancel func()) {
	i := len(s.followers)
	s.followers = append(s.followers, f)
	stop := s.Stream.(loop.Notifier).OnReady(f)
	return func() {
		stop()
		s.followers[i] = nil
	}
}
