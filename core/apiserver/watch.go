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
//
// The streaming list (sendInitialEvents=true with
// resourceVersionMatch=NotOlderThan, what current client-go informers
// ask for) replaces the list: ADDED events for the current objects, then
// a BOOKMARK annotated k8s.io/initial-events-end that carries the
// revision they were read at, then the changes after it. With
// allowWatchBookmarks a stream also sends a BOOKMARK when the selectors
// dropped changes and nothing else is ready to send, so that a client
// that would see no event learns how far the collection has moved (see
// watchStream.Next).
func (s *Server) watch(ctx context.Context, t target, req *rest.Request) response {
	f, err := parseFilter(t.res, req)
	if err != nil {
		return fail(err)
	}
	opts, err := parseWatchOptions(req)
	if err != nil {
		return fail(err)
	}
	pfx := prefix(t.res, t.namespace)
	ws := &watchStream{res: t.res, filter: f, cache: &s.decoded, bookmarks: opts.bookmarks, share: s.shareDecoded}
	var from int64
	switch {
	case opts.initialEvents:
		if opts.notOlderThan > 0 {
			cur, err := s.store.Revision(ctx)
			if err != nil {
				return fail(storeError(err))
			}
			if opts.notOlderThan > cur {
				return fail(errTimeout("Too large resource version: %d, current: %d", opts.notOlderThan, cur))
			}
		}
		items, rev, err := s.initialEvents(ctx, t.res, pfx, f)
		if err != nil {
			return fail(err)
		}
		if opts.endMarker && opts.bookmarks {
			items = append(items, bookmark(t.res, rev, true))
		}
		ws.pending, from = items, rev+1
	case opts.from >= 0:
		from = opts.from + 1
	default: // no initial events, from now on
		cur, err := s.store.Revision(ctx)
		if err != nil {
			return fail(storeError(err))
		}
		from = cur + 1
	}
	w, err := s.store.Watch(ctx, pfx, from)
	if errors.Is(err, store.ErrCompacted) {
		return fail(errExpired("too old resource version: %s", req.Query.Get("resourceVersion")))
	}
	if err != nil {
		return fail(storeError(err))
	}
	ws.w, ws.sent = w, from-1
	return response{stream: ws}
}

// watchOptions are a watch request's query parameters, checked.
type watchOptions struct {
	// initialEvents: start with ADDED events for the current objects.
	initialEvents bool
	// endMarker: the client asked for them with sendInitialEvents=true and
	// wants to be told where they end.
	endMarker bool
	// notOlderThan: with sendInitialEvents, the least revision the initial
	// events may be read at (0: any; they are read at the latest).
	notOlderThan int64
	// from: without initial events, the revision after which changes are
	// sent (-1: from now on).
	from int64
	// bookmarks: allowWatchBookmarks=true.
	bookmarks bool
}

// parseWatchOptions reads resourceVersion, resourceVersionMatch,
// sendInitialEvents and allowWatchBookmarks, with Kubernetes' rules:
// resourceVersionMatch only with sendInitialEvents and only NotOlderThan;
// sendInitialEvents only with resourceVersionMatch=NotOlderThan; without
// sendInitialEvents, initial events exactly when resourceVersion is "" or
// "0".
func parseWatchOptions(req *rest.Request) (watchOptions, error) {
	q := req.Query
	o := watchOptions{from: -1}
	var err error
	if o.bookmarks, err = boolParam(q.Get("allowWatchBookmarks"), "allowWatchBookmarks"); err != nil {
		return o, err
	}
	rv, match := q.Get("resourceVersion"), q.Get("resourceVersionMatch")
	var n int64
	if rv != "" && rv != "0" {
		if n, err = parseResourceVersion(rv); err != nil {
			return o, err
		}
	}
	sie, hasSIE := q.Get("sendInitialEvents"), q.Has("sendInitialEvents")
	if hasSIE {
		if match != "NotOlderThan" {
			return o, errInvalidOptions("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")
		}
		if o.initialEvents, err = boolParam(sie, "sendInitialEvents"); err != nil {
			return o, err
		}
	} else if match != "" {
		return o, errInvalidOptions("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")
	}
	if match != "" && match != "NotOlderThan" {
		return o, errInvalidOptions("resourceVersionMatch", fmt.Sprintf("Unsupported value: %q: supported values: \"NotOlderThan\"", match))
	}
	switch {
	case hasSIE && o.initialEvents:
		o.endMarker, o.notOlderThan = true, n
	case hasSIE: // sendInitialEvents=false: changes after rv, or from now on
		if n > 0 {
			o.from = n
		}
	case rv == "" || rv == "0":
		o.initialEvents = true
	default:
		o.from = n
	}
	return o, nil
}

// boolParam reads a query parameter that is "true", "false" or absent.
func boolParam(v, name string) (bool, error) {
	switch v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, errBadRequest("invalid %s %q: it must be true or false", name, v)
}

// errInvalidOptions is Kubernetes' answer to list or watch options that do
// not go together: 400 BadRequest naming the field.
func errInvalidOptions(field, msg string) error {
	return errBadRequest("%s: Forbidden: %s", field, msg)
}

// bookmark is a BOOKMARK event: an object of the resource's kind that
// carries only a resourceVersion (and, at the end of a streaming list's
// initial events, the annotation that says so).
func bookmark(res *api.Resource, rev int64, initialEventsEnd bool) rest.WatchEvent {
	meta := map[string]any{"resourceVersion": strconv.FormatInt(rev, 10)}
	if initialEventsEnd {
		meta["annotations"] = map[string]string{InitialEventsEndAnnotation: "true"}
	}
	b, _ := json.Marshal(map[string]any{"apiVersion": res.APIVersion(), "kind": res.Kind, "metadata": meta})
	return rest.WatchEvent{Type: rest.Bookmark, Object: b}
}

// InitialEventsEndAnnotation marks the BOOKMARK that ends a streaming
// list's initial events.
const InitialEventsEndAnnotation = "k8s.io/initial-events-end"

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
	// bookmarks: the client allows BOOKMARK events. sent is the revision
	// the client knows the collection has reached (by an event or a
	// bookmark); seen the revision of the last store event, kept or not.
	bookmarks  bool
	sent, seen int64
	// share: events carry their object decoded (Config.ShareDecoded).
	share bool
}

// Next returns the next event that passes the selectors. After the store
// watch ends it reports why once: an ERROR event with a 410 Status when the
// history was compacted under the watch, or with a 500 Status otherwise;
// a watch stopped by its client just ends.
//
// With bookmarks allowed, when the selectors dropped changes since the
// last event sent and no other event is ready, Next returns a BOOKMARK at
// the revision of the last change dropped: a client watching a few pods
// of a busy cluster then restarts its watch from there, not from a
// revision compacted long ago.
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
			if ws.bookmarks && !ws.ended && ws.seen > ws.sent {
				ws.sent = ws.seen
				return bookmark(ws.res, ws.seen, false), true
			}
			return rest.WatchEvent{}, false
		}
		ws.seen = sev.KV.ModRevision
		ev, keep, err := ws.convert(sev)
		if err != nil {
			ws.ended = true
			ws.w.Stop()
			return errorEvent(errInternal(err)), true
		}
		if keep {
			ws.sent = ws.seen
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
	var curEntry decoded
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
		cur, curJSON, curOK, curEntry = e.obj, e.json, ws.filter.matchesEntry(e), e
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
	out = rest.WatchEvent{Type: typ, Object: curJSON}
	if ws.share {
		out.Decoded = curEntry.shared(ws.res)
	}
	return out, true, nil
}
