package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// Event is one typed watch event. For an ERROR event Object is the zero
// value and Err holds the Status (IsExpired(Err) means: list again).
type Event[T api.Object] struct {
	Type   string
	Object T
	Err    error
}

// Watch is a typed stream of events.
type Watch[T api.Object] struct {
	r      Resource[T]
	stream rest.Stream
}

// Watch starts a watch of the collection. With opts.ResourceVersion set to
// a list's resourceVersion it delivers every change after that list.
func (r Resource[T]) Watch(ctx context.Context, namespace string, opts ListOptions) (*Watch[T], error) {
	q := opts.query()
	q.Set("watch", "true")
	resp, err := r.c.Do(ctx, &rest.Request{Method: http.MethodGet, Path: Path(r.res, namespace, "", ""), Query: q})
	if err != nil {
		return nil, err
	}
	if resp.Stream == nil {
		return nil, fmt.Errorf("the server answered a watch of %s without a stream", r.res.Plural)
	}
	return &Watch[T]{r: r, stream: resp.Stream}, nil
}

// Next returns the next event, or ok=false when none is ready now. The
// event's object may be shared with other receivers of the same event
// (see rest.WatchEvent.Decoded): do not modify it.
func (w *Watch[T]) Next() (Event[T], bool) {
	ev, ok := w.stream.Next()
	if !ok {
		return Event[T]{}, false
	}
	if ev.Type == rest.Error {
		var st api.Status
		if err := json.Unmarshal(ev.Object, &st); err != nil {
			return Event[T]{Type: ev.Type, Err: errDecode("Status", err)}, true
		}
		return Event[T]{Type: ev.Type, Err: &api.StatusError{Status: st}}, true
	}
	if obj, ok := w.r.shared(ev); ok {
		return Event[T]{Type: ev.Type, Object: obj}, true
	}
	obj, err := w.r.decode(ev.Object)
	return Event[T]{Type: ev.Type, Object: obj, Err: err}, true
}

// shared returns the object ev carries already decoded
// (rest.WatchEvent.Decoded) when it is of the handle's Go type, so that a
// write seen by many watchers is decoded once, not once per watcher. The
// object is shared with every other receiver of the event: informers keep
// it in their caches and hand it to handlers, whose contract already is
// not to modify what they are given. A handle whose type is an interface
// (Dynamic) decodes as res says, which the event's object need not match:
// it never shares.
func (r Resource[T]) shared(ev rest.WatchEvent) (T, bool) {
	var zero T
	if ev.Decoded == nil || reflect.TypeFor[T]().Kind() == reflect.Interface {
		return zero, false
	}
	obj, ok := ev.Decoded.(T)
	return obj, ok
}

// Ready is signalled when events may be available; drain Next first.
func (w *Watch[T]) Ready() <-chan struct{} { return w.stream.Ready() }

// Done reports that the watch ended and every event was returned.
func (w *Watch[T]) Done() bool { return w.stream.Done() }

// Stop ends the watch.
func (w *Watch[T]) Stop() { w.stream.Stop() }

// OnReady lets a single-threaded loop follow the watch by callback
// (loop.Notifier). It panics if the transport's stream cannot notify:
// streams of the simulator and of an in-process server can; HTTP streams
// signal Ready instead.
func (w *Watch[T]) OnReady(f func()) (cancel func()) {
	n, ok := w.stream.(interface{ OnReady(func()) func() })
	if !ok {
		panic(fmt.Sprintf("client: a %T stream cannot notify by callback; follow it through Ready", w.stream))
	}
	return n.OnReady(f)
}
