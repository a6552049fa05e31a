package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/store"
)

// testCloseEndsWatches: Close ends every watch with ErrClosed, after the
// events it had already delivered.
func testCloseEndsWatches(t *testing.T, h harness) {
	s, _ := h.open(t)
	w1 := mustWatch(t, s, "/cl/", 0)
	w2 := mustWatch(t, s, "/other/", 0)
	a := mustCreate(t, s, "/cl/a", "v")
	if !h.wait(w1) {
		t.Fatalf("watch not Ready after Create(/cl/a)")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close() error = %v", err)
	}
	ev, ok := w1.Next()
	if want := putEvent(a, nil); !ok || !cmp.Equal(ev, want, kvOpts) {
		t.Errorf("Next() after Close = %+v, %v; want the buffered %+v, true", ev, ok, want)
	}
	for _, w := range []store.Watcher{w1, w2} {
		wantErr(t, "watch Err() after Close", h.waitEnd(t, w), store.ErrClosed)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close() error = %v, want nil", err)
	}
}

// testCloseLaterCallsFail: a closed store refuses every call with ErrClosed.
func testCloseLaterCallsFail(t *testing.T, h harness) {
	s, _ := h.open(t)
	mustCreate(t, s, "/cl/a", "v")
	if err := s.Close(); err != nil {
		t.Fatalf("Close() error = %v", err)
	}
	_, err := s.Get(ctx, "/cl/a")
	wantErr(t, "Get after Close", err, store.ErrClosed)
	_, err = s.List(ctx, "/cl/", store.ListOptions{})
	wantErr(t, "List after Close", err, store.ErrClosed)
	_, err = s.Create(ctx, "/cl/b", nil)
	wantErr(t, "Create after Close", err, store.ErrClosed)
	_, err = s.Update(ctx, "/cl/a", nil, 0)
	wantErr(t, "Update after Close", err, store.ErrClosed)
	_, _, err = s.Delete(ctx, "/cl/a", 0)
	wantErr(t, "Delete after Close", err, store.ErrClosed)
	_, err = s.Watch(ctx, "/cl/", 0)
	wantErr(t, "Watch after Close", err, store.ErrClosed)
	wantErr(t, "Compact after Close", s.Compact(ctx, 1), store.ErrClosed)
	_, err = s.Revision(ctx)
	wantErr(t, "Revision after Close", err, store.ErrClosed)
}
