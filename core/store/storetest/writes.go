package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/store"
)

// testRevisionNumbering: a fresh store is at revision 1, and every write
// moves the revision by exactly one and is stamped with it.
func testRevisionNumbering(t *testing.T, h harness) {
	s, r0 := h.open(t)
	if !h.shared && r0 != 1 {
		t.Errorf("Revision() of a fresh store = %d, want 1", r0)
	}
	created := mustCreate(t, s, "/r/a", "1")
	if diff := cmp.Diff(kv("/r/a", "1", r0+1, r0+1), created, kvOpts); diff != "" {
		t.Errorf("first Create mismatch (-want +got):\n%s", diff)
	}
	updated := mustUpdate(t, s, "/r/a", "2")
	if diff := cmp.Diff(kv("/r/a", "2", r0+1, r0+2), updated, kvOpts); diff != "" {
		t.Errorf("Update mismatch (-want +got):\n%s", diff)
	}
	mustCreate(t, s, "/r/b", "1")
	if _, rev := mustDelete(t, s, "/r/a"); rev != r0+4 {
		t.Errorf("Delete(/r/a) rev = %d, want %d", rev, r0+4)
	}
	if got := revision(t, s); got != r0+4 {
		t.Errorf("Revision() after 4 writes = %d, want %d", got, r0+4)
	}
}

// testFailedWritesDoNotCount: a write that fails its precondition, or
// whose value is larger than store.MaxValueBytes, changes nothing, not even
// the revision.
func testFailedWritesDoNotCount(t *testing.T, h harness) {
	s, _ := h.open(t)
	a := mustCreate(t, s, "/f/a", "1")
	mustUpdate(t, s, "/f/a", "2")
	r := revision(t, s)
	tooLarge := make([]byte, store.MaxValueBytes+1)
	calls := []struct {
		name string
		do   func() error
		want error
	}{
		{"Create(/f/a)", func() error { _, err := s.Create(ctx, "/f/a", nil); return err }, store.ErrExists},
		{"Update(/f/missing, 0)", func() error { _, err := s.Update(ctx, "/f/missing", nil, 0); return err }, store.ErrNotFound},
		{"Update(/f/a, stale)", func() error { _, err := s.Update(ctx, "/f/a", nil, a.ModRevision); return err }, store.ErrConflict},
		{"Delete(/f/missing, 0)", func() error { _, _, err := s.Delete(ctx, "/f/missing", 0); return err }, store.ErrNotFound},
		{"Delete(/f/a, stale)", func() error { _, _, err := s.Delete(ctx, "/f/a", a.ModRevision); return err }, store.ErrConflict},
		{"Create(/f/big, too large)", func() error { _, err := s.Create(ctx, "/f/big", tooLarge); return err }, store.ErrTooLarge},
		{"Update(/f/a, too large)", func() error { _, err := s.Update(ctx, "/f/a", tooLarge, 0); return err }, store.ErrTooLarge},
	}
	for _, c := range calls {
		wantErr(t, c.name, c.do(), c.want)
		if got := revision(t, s); got != r {
			t.Errorf("Revision() after failed %s = %d, want %d", c.name, got, r)
		}
	}
	if got, err := s.Get(ctx, "/f/a"); err != nil || string(got.Value) != "2" {
		t.Errorf("Get(/f/a) = %q, %v; want \"2\", nil", got.Value, err)
	}
}

func testGetAbsent(t *testing.T, h harness) {
	s, _ := h.open(t)
	mustCreate(t, s, "/g/ab", "x") // a longer key is not the key
	_, err := s.Get(ctx, "/g/a")
	wantErr(t, "Get(/g/a)", err, store.ErrNotFound)
}

// testCreate: create-if-absent, empty values, and re-creating a deleted key
// (a new CreateRevision).
func testCreate(t *testing.T, h harness) {
	s, r0 := h.open(t)
	got := mustCreate(t, s, "/c/a", "v1")
	if read, err := s.Get(ctx, "/c/a"); err != nil {
		t.Fatalf("Get(/c/a) error = %v", err)
	} else if diff := cmp.Diff(got, read, kvOpts); diff != "" {
		t.Errorf("Get(/c/a) differs from what Create returned (-create +get):\n%s", diff)
	}
	_, err := s.Create(ctx, "/c/a", []byte("v2"))
	wantErr(t, "second Create(/c/a)", err, store.ErrExists)

	empty := mustCreate(t, s, "/c/empty", "")
	if diff := cmp.Diff(kv("/c/empty", "", r0+2, r0+2), empty, kvOpts); diff != "" {
		t.Errorf("Create(/c/empty, \"\") mismatch (-want +got):\n%s", diff)
	}

	mustDelete(t, s, "/c/a")
	again := mustCreate(t, s, "/c/a", "v3")
	if diff := cmp.Diff(kv("/c/a", "v3", r0+4, r0+4), again, kvOpts); diff != "" {
		t.Errorf("Create after Delete mismatch (-want +got):\n%s", diff)
	}
}

// testValuesAreCopied: changing a slice passed to the store does not
// change what it holds. (Returned values may be the store's own, to be
// read and never changed: see KeyValue.Value.)
func testValuesAreCopied(t *testing.T, h harness) {
	s, _ := h.open(t)
	in := []byte("abc")
	if _, err := s.Create(ctx, "/v/a", in); err != nil {
		t.Fatalf("Create(/v/a) error = %v", err)
	}
	in[0] = 'X'
	got, err := s.Get(ctx, "/v/a")
	if err != nil || string(got.Value) != "abc" {
		t.Fatalf("Get(/v/a) = %q, %v after changing the slice passed to Create; want \"abc\", nil", got.Value, err)
	}
	in = []byte("def")
	if _, err := s.Update(ctx, "/v/a", in, 0); err != nil {
		t.Fatalf("Update(/v/a) error = %v", err)
	}
	in[0] = 'X'
	if got, _ := s.Get(ctx, "/v/a"); string(got.Value) != "def" {
		t.Errorf("Get(/v/a) = %q after changing the slice passed to Update, want \"def\"", got.Value)
	}
}

// preconditionCases are the situations Update and Delete are tried in.
// Each starts from a store where /p/k was created (created) and then
// updated (current); absent keys are also tried.
var preconditionCases = []struct {
	name string
	key  string
	// modRevision picks the precondition from the key's history.
	modRevision func(created, current store.KeyValue) int64
	want        error
}{
	{"unconditional", "/p/k", func(_, _ store.KeyValue) int64 { return 0 }, nil},
	{"current revision", "/p/k", func(_, cur store.KeyValue) int64 { return cur.ModRevision }, nil},
	{"stale revision", "/p/k", func(c, _ store.KeyValue) int64 { return c.ModRevision }, store.ErrConflict},
	{"newer revision", "/p/k", func(_, cur store.KeyValue) int64 { return cur.ModRevision + 100 }, store.ErrConflict},
	{"absent key unconditional", "/p/missing", func(_, _ store.KeyValue) int64 { return 0 }, store.ErrNotFound},
	{"absent key with revision", "/p/missing", func(_, cur store.KeyValue) int64 { return cur.ModRevision }, store.ErrNotFound},
	{"deleted key", "/p/gone", func(_, _ store.KeyValue) int64 { return 0 }, store.ErrNotFound},
}

// preconditionStore makes the store preconditionCases expect.
func preconditionStore(t *testing.T, h harness) (s store.Store, created, current store.KeyValue) {
	s, _ = h.open(t)
	created = mustCreate(t, s, "/p/k", "v1")
	current = mustUpdate(t, s, "/p/k", "v2")
	mustCreate(t, s, "/p/gone", "x")
	mustDelete(t, s, "/p/gone")
	return s, created, current
}

func testUpdatePreconditions(t *testing.T, h harness) {
	for _, tc := range preconditionCases {
		t.Run(tc.name, func(t *testing.T) {
			s, created, current := preconditionStore(t, h)
			r := revision(t, s)
			mod := tc.modRevision(created, current)
			call := fmt.Sprintf("Update(%q, %d)", tc.key, mod)
			got, err := s.Update(ctx, tc.key, []byte("v3"), mod)
			wantErr(t, call, err, tc.want)
			if err != nil {
				if cur, _ := s.Get(ctx, "/p/k"); !cmp.Equal(cur, current, kvOpts) {
					t.Errorf("after failed %s, Get(/p/k) = %+v, want %+v", call, cur, current)
				}
				return
			}
			want := kv(tc.key, "v3", created.CreateRevision, r+1)
			if diff := cmp.Diff(want, got, kvOpts); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", call, diff)
			}
			if read, _ := s.Get(ctx, tc.key); !cmp.Equal(read, want, kvOpts) {
				t.Errorf("after %s, Get = %+v, want %+v", call, read, want)
			}
		})
	}
}

func testDeletePreconditions(t *testing.T, h harness) {
	for _, tc := range preconditionCases {
		t.Run(tc.name, func(t *testing.T) {
			s, created, current := preconditionStore(t, h)
			r := revision(t, s)
			mod := tc.modRevision(created, current)
			call := fmt.Sprintf("Delete(%q, %d)", tc.key, mod)
			prev, rev, err := s.Delete(ctx, tc.key, mod)
			wantErr(t, call, err, tc.want)
			if err != nil {
				if cur, _ := s.Get(ctx, "/p/k"); !cmp.Equal(cur, current, kvOpts) {
					t.Errorf("after failed %s, Get(/p/k) = %+v, want %+v", call, cur, current)
				}
				return
			}
			if diff := cmp.Diff(current, prev, kvOpts); diff != "" {
				t.Errorf("%s prev mismatch (-want +got):\n%s", call, diff)
			}
			if rev != r+1 {
				t.Errorf("%s rev = %d, want %d", call, rev, r+1)
			}
			if _, err := s.Get(ctx, tc.key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("after %s, Get error = %v, want %v", call, err, store.ErrNotFound)
			}
		})
	}
}
