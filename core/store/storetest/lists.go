package storetest

import (
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/store"
)

// keysOf returns the keys of kvs, in order.
func keysOf(kvs []store.KeyValue) []string {
	keys := []string{}
	for _, kv := range kvs {
		keys = append(keys, kv.Key)
	}
	return keys
}

// testListSortedAndPrefixIsolated: a list returns exactly the keys that
// start with the prefix, in byte order, at the current revision.
func testListSortedAndPrefixIsolated(t *testing.T, h harness) {
	s, _ := h.open(t)
	for _, key := range []string{"/a/2", "/ab", "/a/1", "/a", "/a/3/x", "/b/1", "/a/10"} {
		mustCreate(t, s, key, "v"+key)
	}
	rev := revision(t, s)
	tests := []struct {
		prefix string
		want   []string
	}{
		{"/a/", []string{"/a/1", "/a/10", "/a/2", "/a/3/x"}},
		{"/a", []string{"/a", "/a/1", "/a/10", "/a/2", "/a/3/x", "/ab"}},
		{"/a/3/", []string{"/a/3/x"}},
		{"/b/", []string{"/b/1"}},
		{"/c/", []string{}},
		{"", []string{"/a", "/a/1", "/a/10", "/a/2", "/a/3/x", "/ab", "/b/1"}},
	}
	for _, tc := range tests {
		res := mustList(t, s, tc.prefix, store.ListOptions{})
		if diff := cmp.Diff(tc.want, keysOf(res.KVs)); diff != "" {
			t.Errorf("List(%q) keys mismatch (-want +got):\n%s", tc.prefix, diff)
		}
		if res.Revision != rev || res.More {
			t.Errorf("List(%q) Revision, More = %d, %v; want %d, false", tc.prefix, res.Revision, res.More, rev)
		}
		for _, kv := range res.KVs {
			if string(kv.Value) != "v"+kv.Key {
				t.Errorf("List(%q) value of %s = %q, want %q", tc.prefix, kv.Key, kv.Value, "v"+kv.Key)
			}
		}
	}
}

// model is the expected content of a store: key → entry.
type model map[string]store.KeyValue

func (m model) clone() model {
	c := model{}
	for k, v := range m {
		c[k] = v
	}
	return c
}

// list returns the entries under prefix, sorted.
func (m model) list(prefix string) []store.KeyValue {
	kvs := []store.KeyValue{}
	for k, v := range m {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			kvs = append(kvs, v)
		}
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].Key < kvs[j].Key })
	return kvs
}

// testListAtOldRevisions: a list at any earlier revision returns the keys
// as they were then, including keys since updated, deleted or re-created.
func testListAtOldRevisions(t *testing.T, h harness) {
	s, r0 := h.open(t)
	history := map[int64]model{r0: {}}
	cur := model{}
	record := func(kv store.KeyValue) {
		cur = cur.clone()
		cur[kv.Key] = kv
		history[kv.ModRevision] = cur
	}
	record(mustCreate(t, s, "/o/a", "a1"))
	record(mustCreate(t, s, "/o/b", "b1"))
	record(mustUpdate(t, s, "/o/a", "a2"))
	_, rev := mustDelete(t, s, "/o/b")
	cur = cur.clone()
	delete(cur, "/o/b")
	history[rev] = cur
	record(mustCreate(t, s, "/o/b", "b2"))
	record(mustCreate(t, s, "/o/c", "c1"))
	record(mustUpdate(t, s, "/o/a", "a3"))

	for rev := r0; rev <= revision(t, s); rev++ {
		res := mustList(t, s, "/o/", store.ListOptions{Revision: rev})
		if diff := cmp.Diff(history[rev].list("/o/"), res.KVs, kvOpts); diff != "" {
			t.Errorf("List(/o/, rev %d) mismatch (-want +got):\n%s", rev, diff)
		}
		if res.Revision != rev {
			t.Errorf("List(/o/, rev %d).Revision = %d, want %d", rev, res.Revision, rev)
		}
	}
}

// testListPages: limit and StartKey continuation at one revision give the
// same entries as one list at that revision, even while writes go on
// between the pages.
func testListPages(t *testing.T, h harness) {
	for _, limit := range []int64{1, 2, 3, 9, 10, 11} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			s, _ := h.open(t)
			for i := range 10 {
				mustCreate(t, s, fmt.Sprintf("/p/%02d", i), "v")
			}
			mustCreate(t, s, "/pz", "outside the prefix")
			want := mustList(t, s, "/p/", store.ListOptions{})

			var got []store.KeyValue
			opts := store.ListOptions{Revision: want.Revision, Limit: limit}
			for page := 0; ; page++ {
				res := mustList(t, s, "/p/", opts)
				if int64(len(res.KVs)) > limit || res.More && int64(len(res.KVs)) != limit {
					t.Fatalf("page %d: List(/p/, %+v) returned %d entries, More=%v; want %d with More, or fewer without", page, opts, len(res.KVs), res.More, limit)
				}
				if res.Revision != want.Revision {
					t.Errorf("page %d: Revision = %d, want %d", page, res.Revision, want.Revision)
				}
				got = append(got, res.KVs...)
				if !res.More {
					break
				}
				if page > 10 {
					t.Fatalf("List(/p/) did not end after %d pages", page)
				}
				opts.StartKey = res.KVs[len(res.KVs)-1].Key + "\x00"
				// Disturb the keys around the next page: the pages must
				// still read the old revision.
				mustUpdate(t, s, opts.StartKey[:len(opts.StartKey)-1], "changed")
				mustCreate(t, s, opts.StartKey, "inserted")
				mustDelete(t, s, "/p/09")
				mustCreate(t, s, "/p/09", "re-created")
			}
			if diff := cmp.Diff(want.KVs, got, kvOpts); diff != "" {
				t.Errorf("pages of %d mismatch the single list (-want +got):\n%s", limit, diff)
			}
		})
	}
}

// testListStartKey: StartKey is inclusive and may name a key that does not
// exist.
func testListStartKey(t *testing.T, h harness) {
	s, _ := h.open(t)
	for _, key := range []string{"/s/a", "/s/b", "/s/c", "/sx"} {
		mustCreate(t, s, key, "v")
	}
	tests := []struct {
		start string
		limit int64
		want  []string
		more  bool
	}{
		{"/s/b", 0, []string{"/s/b", "/s/c"}, false},
		{"/s/b\x00", 0, []string{"/s/c"}, false},
		{"/s/a", 2, []string{"/s/a", "/s/b"}, true},
		{"/s/bb", 0, []string{"/s/c"}, false},
		{"/s/d", 0, []string{}, false},
	}
	for _, tc := range tests {
		opts := store.ListOptions{StartKey: tc.start, Limit: tc.limit}
		res := mustList(t, s, "/s/", opts)
		if diff := cmp.Diff(tc.want, keysOf(res.KVs)); diff != "" || res.More != tc.more {
			t.Errorf("List(/s/, %+v) = %v, More=%v; want %v, More=%v", opts, keysOf(res.KVs), res.More, tc.want, tc.more)
		}
	}
}

func testListFutureRevision(t *testing.T, h harness) {
	s, _ := h.open(t)
	mustCreate(t, s, "/fr/a", "v")
	rev := revision(t, s)
	for _, r := range []int64{rev + 1, rev + 100} {
		_, err := s.List(ctx, "/fr/", store.ListOptions{Revision: r})
		wantErr(t, fmt.Sprintf("List(/fr/, rev %d) with current revision %d", r, rev), err, store.ErrFutureRevision)
	}
	mustList(t, s, "/fr/", store.ListOptions{Revision: rev})
}

// testListBadOptions: options no store can honour are errors, not silent
// surprises.
func testListBadOptions(t *testing.T, h harness) {
	s, _ := h.open(t)
	mustCreate(t, s, "/b/a", "v")
	for _, opts := range []store.ListOptions{
		{StartKey: "/a"}, // before the prefix
		{StartKey: "/c"}, // after the prefix
		{Limit: -1},      // negative limit
		{Revision: -1},   // negative revision
	} {
		if res, err := s.List(ctx, "/b/", opts); err == nil || errors.Is(err, store.ErrCompacted) {
			t.Errorf("List(/b/, %+v) = %v, %v; want an invalid-argument error", opts, keysOf(res.KVs), err)
		}
	}
}
