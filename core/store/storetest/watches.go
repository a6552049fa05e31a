package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/store"
)

// script makes a fixed mix of writes under "/w/" (and one outside it) and
// returns the events each write produces, in order.
func script(t *testing.T, s store.Store) []store.Event {
	var evs []store.Event
	a1 := mustCreate(t, s, "/w/a", "a1")
	evs = append(evs, putEvent(a1, nil))
	b1 := mustCreate(t, s, "/w/b", "b1")
	evs = append(evs, putEvent(b1, nil))
	a2 := mustUpdate(t, s, "/w/a", "a2")
	evs = append(evs, putEvent(a2, &a1))
	mustCreate(t, s, "/wx", "outside the prefix")
	_, rev := mustDelete(t, s, "/w/b")
	evs = append(evs, deleteEvent("/w/b", rev, b1))
	b2 := mustCreate(t, s, "/w/b", "b2")
	evs = append(evs, putEvent(b2, nil))
	return evs
}

// testWatchFromNow: a watch from 0 sees the changes after it started, with
// the right types and previous values, and nothing outside its prefix.
func testWatchFromNow(t *testing.T, h harness) {
	s, _ := h.open(t)
	mustCreate(t, s, "/w/old", "before the watch")
	w := mustWatch(t, s, "/w/", 0)
	want := script(t, s)
	h.expectEvents(t, w, want)

	for i, ev := range want {
		if got, want := ev.IsCreate(), i == 0 || i == 1 || i == 4; got != want {
			t.Errorf("event %d (%v %s).IsCreate() = %v, want %v", i, ev.Type, ev.KV.Key, got, want)
		}
	}
	if err := w.Err(); err != nil {
		t.Errorf("Err() of a running watch = %v, want nil", err)
	}
}

// testWatchFromPastRevisions: a watch from an earlier revision replays the
// changes from exactly that revision, then goes on with new ones.
func testWatchFromPastRevisions(t *testing.T, h harness) {
	s, r0 := h.open(t)
	all := script(t, s) // /w/ changes at r0+1, r0+2, r0+3, r0+5, r0+6
	cur := revision(t, s)
	tests := []struct {
		name string
		from int64
		skip int // how many of all the watch does not see
	}{
		{"first write", r0 + 1, 0},
		{"before the first write", r0, 0},
		{"second write", r0 + 2, 1},
		{"just after the third write", r0 + 4, 3}, // r0+4 is outside the prefix
		{"last write", cur, 4},
		{"next revision", cur + 1, 5},
		{"zero", 0, 5},
	}
	if !h.shared {
		tests = append(tests, struct {
			name string
			from int64
			skip int
		}{"revision 1", 1, 0})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := mustWatch(t, s, "/w/", tc.from)
			h.expectEvents(t, w, all[tc.skip:])
			w.Stop()
		})
	}
	// All of them together, plus a new write that every one sees.
	var ws []store.Watcher
	for _, tc := range tests {
		ws = append(ws, mustWatch(t, s, "/w/", tc.from))
	}
	c := mustCreate(t, s, "/w/c", "c")
	for i, tc := range tests {
		t.Run(tc.name+" then live", func(t *testing.T) {
			h.expectEvents(t, ws[i], append(append([]store.Event(nil), all[tc.skip:]...), putEvent(c, nil)))
		})
	}
}

// testWatchFromFutureRevision: a watch may start at a revision not written
// yet; it sees the changes from that revision on.
func testWatchFromFutureRevision(t *testing.T, h harness) {
	s, r0 := h.open(t)
	w := mustWatch(t, s, "/f/", r0+2)
	mustCreate(t, s, "/f/a", "skipped")
	b := mustCreate(t, s, "/f/b", "seen")
	h.expectEvents(t, w, []store.Event{putEvent(b, nil)})
}

// testListThenWatch: a list followed by a watch from its revision + 1 sees
// every change, even ones made between the two calls.
func testListThenWatch(t *testing.T, h harness) {
	s, _ := h.open(t)
	mustCreate(t, s, "/l/a", "a1")
	res := mustList(t, s, "/l/", store.ListOptions{})
	a2 := mustUpdate(t, s, "/l/a", "a2") // between list and watch
	w := mustWatch(t, s, "/l/", res.Revision+1)
	b := mustCreate(t, s, "/l/b", "b")
	h.expectEvents(t, w, []store.Event{putEvent(a2, &res.KVs[0]), putEvent(b, nil)})
}

// testManyWatchers: watchers on overlapping prefixes and from different
// revisions each get exactly their own stream.
func testManyWatchers(t *testing.T, h harness) {
	s, r0 := h.open(t)
	prefixes := []string{"/m/", "/m/a/", "/m/b/", "", "/m/a/", "/m/a/x"}
	var ws []store.Watcher
	for i, p := range prefixes {
		ws = append(ws, mustWatch(t, s, p, r0+1+int64(i%2))) // from r0+1 or r0+2
	}
	var all []store.Event
	for i := range 4 {
		for _, dir := range []string{"/m/a/", "/m/b/", "/n/"} {
			key := fmt.Sprintf("%sx%d", dir, i)
			all = append(all, putEvent(mustCreate(t, s, key, "v"), nil))
		}
	}
	prev, rev := mustDelete(t, s, "/m/a/x0")
	all = append(all, deleteEvent("/m/a/x0", rev, prev))
	for i, p := range prefixes {
		var want []store.Event
		for _, ev := range all {
			if strings.HasPrefix(ev.KV.Key, p) && ev.KV.ModRevision >= r0+1+int64(i%2) {
				want = append(want, ev)
			}
		}
		t.Run(fmt.Sprintf("%d:%q", i, p), func(t *testing.T) { h.expectEvents(t, ws[i], want) })
	}
}

// testWatchStop: Stop ends the watch with ErrStopped, drops what was
// buffered, can be called twice, and leaves the store and other watches
// working.
func testWatchStop(t *testing.T, h harness) {
	s, _ := h.open(t)
	w := mustWatch(t, s, "/st/", 0)
	other := mustWatch(t, s, "/st/", 0)
	mustCreate(t, s, "/st/a", "v")
	h.nextEvents(t, other, 1) // so w has had the time to buffer it too
	w.Stop()
	if ev, ok := w.Next(); ok {
		t.Errorf("Next() after Stop = %+v, want none", ev)
	}
	wantErr(t, "Err() after Stop", w.Err(), store.ErrStopped)
	w.Stop()
	wantErr(t, "Err() after a second Stop", w.Err(), store.ErrStopped)
	b := mustCreate(t, s, "/st/b", "v")
	h.expectEvents(t, other, []store.Event{putEvent(b, nil)})
	if ev, ok := w.Next(); ok {
		t.Errorf("Next() of a stopped watch after a write = %+v, want none", ev)
	}
}

// testWatchContextCancel: a watch ends with its context's error.
func testWatchContextCancel(t *testing.T, h harness) {
	s, _ := h.open(t)
	wctx, cancel := context.WithCancel(ctx)
	w, err := s.Watch(wctx, "/cc/", 0)
	if err != nil {
		t.Fatalf("Watch(/cc/, 0) error = %v", err)
	}
	defer w.Stop()
	a := mustCreate(t, s, "/cc/a", "v")
	h.expectEvents(t, w, []store.Event{putEvent(a, nil)})
	cancel()
	if err := h.waitEnd(t, w); !errors.Is(err, context.Canceled) {
		t.Errorf("Err() after cancel = %v, want %v", err, context.Canceled)
	}
	mustCreate(t, s, "/cc/b", "v")
	if ev, ok := w.Next(); ok {
		t.Errorf("Next() after cancel and a write = %+v, want none", ev)
	}
}
