package apiserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// watch answers GET of a collection with watch=true: a stream of ADDED,
// MODIFIED and DELETED events for the objects matching the selectors.
//
// With resourceVersion N the stream holds every change after revision N,
// exactly once and in order: a client that lists (getting N) and then
// watches from N misses nothing. Without a resourceVersion (or "0") the
// stream starts with an ADDED event for every current object. A revision
// already compacted away is answered 410 Gone (reason Expired): the client
// must list again.
func (s *Server) watch(ctx context.Context, t target, req *rest.Request) response {
	f, err := parseFilter(t.res, req)
	if err != nil {
		return fail(err)
	}
	pfx := prefix(t.res, t.namespace)
	ws := &watchStream{res: t.res, filter: f, cache: &s.decoded}
	rv := req.Query.Get("resourceVersion")
	var from int64
	if rv == "" || rv == "0" {
		items, rev, err := s.initialEvents(ctx, t.res, pfx, f)
		if err != nil {
			return fail(err)
		}
		ws.pending, from = items, rev+1
	} else {
		n, err := parseResourceVersion(rv)
		if err != nil {
			return fail(err)
		}
		from = n + 1
	}
	w, err := s.store.Watch(ctx, pfx, from)
	if errors.Is(err, store.ErrCompacted) {
		return fail(errExpired("too old resource version: %s", rv))
	}
	if err != nil {
		return fail(storeError(err))
	}
	ws.w = w
	return response{stream: ws}
}

// initialEvents lists the current objects as ADDED events.
func (s *Server) initialEvents(ctx context.Context, res *api.Resource, pfx string, f filter) ([]rest.WatchEvent, int64, error) {
	items, rev, _, err := s.collect(ctx, res, pfx, store.ListOptions{}, 0, f)
	if err != nil {
		if errors.Is(err, store.ErrCompacted) {
			return nil, 0, storeError(err)
		}
		return nil, 0, err
	}
	evs := make([]rest.WatchEvent, len(items))
	for i, it := range items {
		evs[i] = rest.WatchEvent{Type: rest.Added, Object: it}
	}
	return evs, rev, nil
}

// watchStream turns store events into API watch events: it decodes each
// object, stamps its resourceVersion and applies the selectors.
type watchStream struct {
	res     *api.Resource
	filter  filter
	cache   *decodeCache
	w       store.Watcher
	pending []rest.WatchEvent // initial ADDED events, then a final ERROR
	ended   bool              // the store watch ended and its end was reported
}

// Next returns the next event that passes the selectors. After the store
// watch ends it reports why once: an ERROR event with a 410 Status when the
// history was compacted under the watch, or with a 500 Status otherwise;
// a watch stopped by its client just ends.
func (ws *watchStream) Next() (rest.WatchEvent, bool) {
	for {
		if len(ws.pending) > 0 {
			ev := ws.pending[0]
			ws.pending = ws.pending[1:]
			return ev, true
		}
		sev, ok := ws.w.Next()
		if !ok {
			if err := ws.w.Err(); err != nil && !ws.ended {
				ws.ended = true
				if ev, report := endEvent(err); report {
					return ev, true
				}
			}
			return rest.WatchEvent{}, false
		}
		ev, keep, err := ws.convert(sev)
		if err != nil {
			ws.ended = true
			ws.w.Stop()
			return errorEvent(errInternal(err)), true
		}
		if keep {
			return ev, true
		}
	}
}

// Ready is signalled when the store watch has news. Initial events are
// ready at once: drain Next before waiting.
func (ws *watchStream) Ready() <-chan struct{} { return ws.w.Ready() }

// Done reports that the watch has ended and every event was returned.
func (ws *watchStream) Done() bool {
	return len(ws.pending) == 0 && ws.w.Err() != nil && (ws.ended || !reportable(ws.w.Err()))
}

// Stop ends the watch.
func (ws *watchStream) Stop() { ws.w.Stop() }

// OnReady forwards to the store watcher, for loops that follow streams by
// callback (loop.Notifier). It panics if the store's watcher cannot.
func (ws *watchStream) OnReady(f func()) (cancel func()) {
	n, ok := ws.w.(interface{ OnReady(func()) func() })
	if !ok {
		panic(fmt.Sprintf("apiserver: the store's watcher %T cannot notify by callback", ws.w))
	}
	return n.OnReady(f)
}

func reportable(err error) bool {
	return !errors.Is(err, store.ErrStopped) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// endEvent is the ERROR event that tells a client why its watch ended.
func endEvent(err error) (rest.WatchEvent, bool) {
	switch {
	case !reportable(err):
		return rest.WatchEvent{}, false
	case errors.Is(err, store.ErrCompacted):
		return errorEvent(errExpired("too old resource version: the watch fell behind a compaction; list again")), true
	}
	return errorEvent(api.NewStatusError(http.StatusInternalServerError, api.ReasonInternalError, nil, "the watch ended: %v", err)), true
}

func errorEvent(err error) rest.WatchEvent {
	se := err.(*api.StatusError)
	b, _ := json.Marshal(se.Status)
	return rest.WatchEvent{Type: rest.Error, Object: b}
}

// convert maps one store event to a watch event as seen through the
// selectors: an object that starts matching is ADDED, one that stops
// matching is DELETED, and events of objects that match neither before nor
// after are dropped (keep=false).
func (ws *watchStream) convert(ev store.Event) (out rest.WatchEvent, keep bool, err error) {
	// Objects come from the shared decode cache: read them, never modify.
	var cur, prev api.Object
	var curJSON []byte
	curOK, prevOK := false, ev.Prev != nil
	if ev.Prev != nil && (ev.Type == store.EventDelete || !ws.filter.empty()) {
		e, err := ws.cache.entry(ws.res, *ev.Prev)
		if err != nil {
			return out, false, err
		}
		prev, prevOK = e.obj, ws.filter.matchesEntry(e)
	}
	if ev.Type == store.EventPut {
		e, err := ws.cache.entry(ws.res, ev.KV)
		if err != nil {
			return out, false, err
		}
		cur, curJSON, curOK = e.obj, e.json, ws.filter.matchesEntry(e)
	}
	var typ string
	switch {
	case curOK && prevOK:
		typ = rest.Modified
	case curOK:
		typ = rest.Added
	case prevOK && cur == nil:
		// Deleted: the last state, stamped with the delete's revision.
		last := api.DeepCopy(prev)
		last.GetObjectMeta().ResourceVersion = strconv.FormatInt(ev.KV.ModRevision, 10)
		b, err := json.Marshal(last)
		if err != nil {
			return out, false, fmt.Errorf("encoding %s: %v", ws.res.Kind, err)
		}
		return rest.WatchEvent{Type: rest.Deleted, Object: b}, true, nil
	case prevOK:
		// The object left the selection: DELETED with its new state.
		typ = rest.Deleted
	default:
		return out, false, nil
	}
	return rest.WatchEvent{Type: typ, Object: curJSON}, true, nil
}
