package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tinykube/tinykube/core/store"
)

// WaitFunc blocks until w.Ready() is signalled and reports true, or gives
// up and reports false. The suite calls it when it expects events (or the
// end of the watch) that are not buffered yet.
type WaitFunc func(w store.Watcher) bool

// NoWait is the WaitFunc for stores that deliver watch events before the
// write returns, such as store.Memory: it reports whether Ready is
// signalled right now.
func NoWait(w store.Watcher) bool {
	select {
	case <-w.Ready():
		return true
	default:
		return false
	}
}

// Options adapt the suite to a store.
type Options struct {
	// Wait waits for watch events; NoWait when nil.
	Wait WaitFunc
	// SharedRevision says that stores made by newStore share one revision
	// counter with other stores (several key prefixes on one etcd), so a
	// new store may start above revision 1. The suite then checks every
	// revision relative to the store's starting one. The stores must still
	// be empty, and no other store may write while a subtest runs.
	SharedRevision bool
}

// testingT is what the helpers need from a *testing.T or a *rapid.T.
type testingT interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// harness is what every subtest gets.
type harness struct {
	newStore func(t *testing.T) store.Store
	wait     WaitFunc
	shared   bool
}

// Run runs the conformance suite. newStore must return an empty store
// (no keys); the suite closes it. Subtests run one after another.
func Run(t *testing.T, newStore func(t *testing.T) store.Store, opts Options) {
	h := harness{newStore: newStore, wait: opts.Wait, shared: opts.SharedRevision}
	if h.wait == nil {
		h.wait = NoWait
	}
	tests := []struct {
		name string
		run  func(t *testing.T, h harness)
	}{
		{"Revision/Numbering", testRevisionNumbering},
		{"Revision/FailedWritesDoNotCount", testFailedWritesDoNotCount},
		{"Get/Absent", testGetAbsent},
		{"Create", testCreate},
		{"Create/ValuesAreCopied", testValuesAreCopied},
		{"Update/Preconditions", testUpdatePreconditions},
		{"Delete/Preconditions", testDeletePreconditions},
		{"List/SortedAndPrefixIsolated", testListSortedAndPrefixIsolated},
		{"List/AtOldRevisions", testListAtOldRevisions},
		{"List/Pages", testListPages},
		{"List/StartKey", testListStartKey},
		{"List/FutureRevision", testListFutureRevision},
		{"List/BadOptions", testListBadOptions},
		{"Watch/FromNow", testWatchFromNow},
		{"Watch/FromPastRevisions", testWatchFromPastRevisions},
		{"Watch/FromFutureRevision", testWatchFromFutureRevision},
		{"Watch/ListThenWatchHasNoGap", testListThenWatch},
		{"Watch/ManyWatchers", testManyWatchers},
		{"Watch/Stop", testWatchStop},
		{"Watch/ContextCancel", testWatchContextCancel},
		{"Compact/ReadsAndWatches", testCompactReadsAndWatches},
		{"Compact/Boundary", testCompactBoundary},
		{"Compact/NoOpAndFuture", testCompactNoOpAndFuture},
		{"Close/EndsWatches", testCloseEndsWatches},
		{"Close/LaterCallsFail", testCloseLaterCallsFail},
		{"Property/MatchesModel", testProperty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, h) })
	}
}

// open returns a new store that is closed when t ends, and its revision.
func (h harness) open(t *testing.T) (store.Store, int64) {
	t.Helper()
	s := h.newStore(t)
	t.Cleanup(func() { s.Close() })
	return s, revision(t, s)
}

var ctx = context.Background()

// kvOpts compares KeyValues and Events: an empty value equals a nil one
// (etcd does not tell them apart).
var kvOpts = cmpopts.EquateEmpty()

func revision(t testingT, s store.Store) int64 {
	t.Helper()
	rev, err := s.Revision(ctx)
	if err != nil {
		t.Fatalf("Revision() error = %v", err)
	}
	return rev
}

func mustCreate(t testingT, s store.Store, key, value string) store.KeyValue {
	t.Helper()
	kv, err := s.Create(ctx, key, []byte(value))
	if err != nil {
		t.Fatalf("Create(%q) error = %v", key, err)
	}
	return kv
}

func mustUpdate(t testingT, s store.Store, key, value string) store.KeyValue {
	t.Helper()
	kv, err := s.Update(ctx, key, []byte(value), 0)
	if err != nil {
		t.Fatalf("Update(%q, 0) error = %v", key, err)
	}
	return kv
}

func mustDelete(t testingT, s store.Store, key string) (store.KeyValue, int64) {
	t.Helper()
	prev, rev, err := s.Delete(ctx, key, 0)
	if err != nil {
		t.Fatalf("Delete(%q, 0) error = %v", key, err)
	}
	return prev, rev
}

func mustWatch(t *testing.T, s store.Store, prefix string, from int64) store.Watcher {
	t.Helper()
	w, err := s.Watch(ctx, prefix, from)
	if err != nil {
		t.Fatalf("Watch(%q, %d) error = %v", prefix, from, err)
	}
	t.Cleanup(w.Stop)
	return w
}

func mustList(t testingT, s store.Store, prefix string, opts store.ListOptions) store.ListResult {
	t.Helper()
	res, err := s.List(ctx, prefix, opts)
	if err != nil {
		t.Fatalf("List(%q, %+v) error = %v", prefix, opts, err)
	}
	return res
}

// kv builds the KeyValue a test expects.
func kv(key, value string, create, mod int64) store.KeyValue {
	return store.KeyValue{Key: key, Value: []byte(value), CreateRevision: create, ModRevision: mod}
}

// putEvent and deleteEvent build the events a test expects.
func putEvent(kv store.KeyValue, prev *store.KeyValue) store.Event {
	return store.Event{Type: store.EventPut, KV: kv, Prev: prev}
}

func deleteEvent(key string, rev int64, prev store.KeyValue) store.Event {
	return store.Event{Type: store.EventDelete, KV: store.KeyValue{Key: key, ModRevision: rev}, Prev: &prev}
}

// nextEvents returns the next n events of w, waiting for them with h.wait.
// It fails t if they do not come or the watch ends first.
func (h harness) nextEvents(t testingT, w store.Watcher, n int) []store.Event {
	t.Helper()
	var got []store.Event
	for len(got) < n {
		if ev, ok := w.Next(); ok {
			got = append(got, ev)
			continue
		}
		if err := w.Err(); err != nil {
			t.Fatalf("watch ended with %v after %d of %d events: %v", err, len(got), n, got)
		}
		if !h.wait(w) {
			t.Fatalf("watch delivered %d of %d events, then nothing: %v", len(got), n, got)
		}
	}
	return got
}

// expectEvents checks that the next events of w are exactly want, and that
// nothing else is buffered after them. Tests end want with a write they
// made last, so a missing or extra event shows up here.
func (h harness) expectEvents(t testingT, w store.Watcher, want []store.Event) {
	t.Helper()
	got := h.nextEvents(t, w, len(want))
	if diff := cmp.Diff(want, got, kvOpts); diff != "" {
		t.Errorf("watch events mismatch (-want +got):\n%s", diff)
	}
	if ev, ok := w.Next(); ok {
		t.Errorf("watch Next() = %+v after the expected events, want none", ev)
	}
}

// waitEnd drains w until it ends and returns its Err. It fails t if the
// watch does not end.
func (h harness) waitEnd(t testingT, w store.Watcher) error {
	t.Helper()
	for {
		for {
			if _, ok := w.Next(); !ok {
				break
			}
		}
		if err := w.Err(); err != nil {
			return err
		}
		if !h.wait(w) {
			t.Fatalf("watch did not end: Err() = nil")
		}
	}
}

// wantErr fails t unless errors.Is(err, want) (or err is nil when want is).
func wantErr(t testingT, call string, err, want error) {
	t.Helper()
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Errorf("%s error = %v, want %v", call, err, want)
	}
}
