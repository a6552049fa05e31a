package storetest

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/store"
)

// testCompactReadsAndWatches: after Compact(c), reads and watches below c
// fail with ErrCompacted, c and later stay readable, and the current data
// is untouched.
func testCompactReadsAndWatches(t *testing.T, h harness) {
	s, _ := h.open(t)
	a1 := mustCreate(t, s, "/k/a", "a1")
	b1 := mustCreate(t, s, "/k/b", "b1")
	a2 := mustUpdate(t, s, "/k/a", "a2") // compact here
	_, rev := mustDelete(t, s, "/k/b")
	a3 := mustUpdate(t, s, "/k/a", "a3")
	c := a2.ModRevision
	if err := s.Compact(ctx, c); err != nil {
		t.Fatalf("Compact(%d) error = %v", c, err)
	}

	for _, r := range []int64{a1.ModRevision, b1.ModRevision} {
		_, err := s.List(ctx, "/k/", store.ListOptions{Revision: r})
		wantErr(t, fmt.Sprintf("List(/k/, rev %d) after Compact(%d)", r, c), err, store.ErrCompacted)
		_, err = s.Watch(ctx, "/k/", r)
		wantErr(t, fmt.Sprintf("Watch(/k/, %d) after Compact(%d)", r, c), err, store.ErrCompacted)
	}
	reads := []struct {
		rev  int64
		want []store.KeyValue
	}{
		{c, []store.KeyValue{a2, b1}},
		{rev, []store.KeyValue{a2}},
		{0, []store.KeyValue{a3}},
	}
	for _, r := range reads {
		res := mustList(t, s, "/k/", store.ListOptions{Revision: r.rev})
		if diff := cmp.Diff(r.want, res.KVs, kvOpts); diff != "" {
			t.Errorf("List(/k/, rev %d) after Compact(%d) mismatch (-want +got):\n%s", r.rev, c, diff)
		}
	}
	if got, err := s.Get(ctx, "/k/a"); err != nil || !cmp.Equal(got, a3, kvOpts) {
		t.Errorf("Get(/k/a) after Compact = %+v, %v; want %+v", got, err, a3)
	}
	w := mustWatch(t, s, "/k/", rev)
	h.expectEvents(t, w, []store.Event{deleteEvent("/k/b", rev, b1), putEvent(a3, &a2)})
}

// testCompactBoundary: a watch from exactly the compacted revision is
// allowed and gets the change made at that revision, but without its
// previous value, which lived at a compacted revision. This is what etcd
// does (it looks Prev up at revision-1 and finds it compacted), for
// updates and deletes alike; later changes have their Prev.
func testCompactBoundary(t *testing.T, h harness) {
	tests := []struct {
		name string
		// write makes the change to compact at and returns the event a
		// watch from its revision sees.
		write func(t *testing.T, s store.Store) store.Event
	}{
		{"create", func(t *testing.T, s store.Store) store.Event {
			return putEvent(mustCreate(t, s, "/bd/new", "n"), nil)
		}},
		{"update", func(t *testing.T, s store.Store) store.Event {
			return putEvent(mustUpdate(t, s, "/bd/a", "a2"), nil)
		}},
		{"delete", func(t *testing.T, s store.Store) store.Event {
			prev, rev := mustDelete(t, s, "/bd/a")
			ev := deleteEvent("/bd/a", rev, prev)
			ev.Prev = nil
			return ev
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := h.open(t)
			mustCreate(t, s, "/bd/a", "a1")
			b1 := mustCreate(t, s, "/bd/b", "b1")
			atC := tc.write(t, s)
			c := atC.KV.ModRevision
			b2 := mustUpdate(t, s, "/bd/b", "b2")
			if err := s.Compact(ctx, c); err != nil {
				t.Fatalf("Compact(%d) error = %v", c, err)
			}
			_, err := s.Watch(ctx, "/bd/", c-1)
			wantErr(t, fmt.Sprintf("Watch(/bd/, %d) after Compact(%d)", c-1, c), err, store.ErrCompacted)
			w := mustWatch(t, s, "/bd/", c)
			h.expectEvents(t, w, []store.Event{atC, putEvent(b2, &b1)})
		})
	}
}

// testCompactNoOpAndFuture: compacting at or below the last compaction
// does nothing; beyond the current revision it fails; at the current
// revision it leaves everything current readable and watchable.
func testCompactNoOpAndFuture(t *testing.T, h harness) {
	s, _ := h.open(t)
	a := mustCreate(t, s, "/n/a", "a1")
	mustUpdate(t, s, "/n/a", "a2")
	cur := revision(t, s)
	wantErr(t, fmt.Sprintf("Compact(%d) with current revision %d", cur+1, cur), s.Compact(ctx, cur+1), store.ErrFutureRevision)
	if err := s.Compact(ctx, a.ModRevision); err != nil {
		t.Fatalf("Compact(%d) error = %v", a.ModRevision, err)
	}
	for _, r := range []int64{a.ModRevision, a.ModRevision - 1} {
		wantErr(t, fmt.Sprintf("second Compact(%d) after Compact(%d)", r, a.ModRevision), s.Compact(ctx, r), nil)
	}
	if res := mustList(t, s, "/n/", store.ListOptions{Revision: a.ModRevision}); !cmp.Equal(res.KVs, []store.KeyValue{a}, kvOpts) {
		t.Errorf("List(/n/, rev %d) after a no-op Compact = %+v, want %+v", a.ModRevision, res.KVs, a)
	}
	if err := s.Compact(ctx, cur); err != nil {
		t.Fatalf("Compact(%d) at the current revision error = %v", cur, err)
	}
	_, err := s.List(ctx, "/n/", store.ListOptions{Revision: a.ModRevision})
	wantErr(t, fmt.Sprintf("List(/n/, rev %d) after Compact(%d)", a.ModRevision, cur), err, store.ErrCompacted)
	mustList(t, s, "/n/", store.ListOptions{Revision: cur})
	w := mustWatch(t, s, "/n/", 0)
	b := mustCreate(t, s, "/n/b", "b")
	h.expectEvents(t, w, []store.Event{putEvent(b, nil)})
}
