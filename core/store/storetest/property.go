package storetest

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/tinykube/tinykube/core/store"
)

// propertyKeys and propertyPrefixes are few and overlapping on purpose, so
// random operations collide: "/r/a" is a prefix of "/r/a/x" and "/r/ab".
var (
	propertyKeys     = []string{"/r/a", "/r/ab", "/r/a/x", "/r/b", "/r/b/c"}
	propertyPrefixes = []string{"", "/r/", "/r/a", "/r/a/", "/r/b"}
)

// propertyModel is what the store should hold: the live keys, a copy of
// them at every revision since the start, the revision counter, the
// lowest readable revision, and every change in order.
type propertyModel struct {
	kvs       model
	history   map[int64]model
	rev       int64
	compacted int64
	events    []store.Event
}

// apply records a successful write in the model.
func (m *propertyModel) apply(ev store.Event) {
	m.rev++
	m.kvs = m.kvs.clone()
	if ev.Type == store.EventDelete {
		delete(m.kvs, ev.KV.Key)
	} else {
		m.kvs[ev.KV.Key] = ev.KV
	}
	m.history[m.rev] = m.kvs
	m.events = append(m.events, ev)
}

// precondition returns the entry a conditional write on key needs, or the
// error the store must give.
func (m *propertyModel) precondition(key string, modRevision int64) (store.KeyValue, error) {
	cur, ok := m.kvs[key]
	if !ok {
		return store.KeyValue{}, store.ErrNotFound
	}
	if modRevision != 0 && modRevision != cur.ModRevision {
		return store.KeyValue{}, store.ErrConflict
	}
	return cur, nil
}

// testProperty runs random sequences of writes, reads and compactions
// against the store and the model side by side. A watch opened at the
// start must see exactly the model's changes, in order.
func testProperty(t *testing.T, h harness) {
	rapid.Check(t, func(rt *rapid.T) {
		s := h.newStore(t)
		defer s.Close()
		r0 := revision(rt, s)
		m := &propertyModel{kvs: model{}, history: map[int64]model{r0: {}}, rev: r0, compacted: r0}
		w, err := s.Watch(ctx, "", 0)
		if err != nil {
			rt.Fatalf("Watch(\"\", 0) error = %v", err)
		}
		defer w.Stop()
		seen := 0 // events of m already checked against w

		// checkWatch compares what w delivered with the model's changes.
		checkWatch := func() {
			got := h.nextEvents(rt, w, len(m.events)-seen)
			if diff := cmp.Diff(m.events[seen:], got, kvOpts); diff != "" {
				rt.Fatalf("watch events mismatch the model (-want +got):\n%s", diff)
			}
			seen = len(m.events)
		}
		// modRevision draws a precondition: none, the key's current one,
		// or any revision (usually a stale one).
		modRevision := func(rt *rapid.T, key string) int64 {
			switch rapid.IntRange(0, 2).Draw(rt, "precondition") {
			case 0:
				return 0
			case 1:
				return m.kvs[key].ModRevision // 0 if absent: unconditional
			default:
				return rapid.Int64Range(r0, m.rev+1).Draw(rt, "modRevision")
			}
		}

		rt.Repeat(map[string]func(*rapid.T){
			"create": func(rt *rapid.T) {
				key := rapid.SampledFrom(propertyKeys).Draw(rt, "key")
				value := rapid.StringN(0, 3, 3).Draw(rt, "value")
				got, err := s.Create(ctx, key, []byte(value))
				if _, exists := m.kvs[key]; exists {
					wantErr(rt, fmt.Sprintf("Create(%q)", key), err, store.ErrExists)
					return
				}
				want := store.KeyValue{Key: key, Value: []byte(value), CreateRevision: m.rev + 1, ModRevision: m.rev + 1}
				if err != nil || !cmp.Equal(got, want, kvOpts) {
					rt.Fatalf("Create(%q) = %+v, %v; want %+v, nil", key, got, err, want)
				}
				m.apply(putEvent(want, nil))
			},
			"update": func(rt *rapid.T) {
				key := rapid.SampledFrom(propertyKeys).Draw(rt, "key")
				value := rapid.StringN(0, 3, 3).Draw(rt, "value")
				mod := modRevision(rt, key)
				got, err := s.Update(ctx, key, []byte(value), mod)
				prev, wantErr0 := m.precondition(key, mod)
				if wantErr0 != nil {
					wantErr(rt, fmt.Sprintf("Update(%q, %d)", key, mod), err, wantErr0)
					return
				}
				want := store.KeyValue{Key: key, Value: []byte(value), CreateRevision: prev.CreateRevision, ModRevision: m.rev + 1}
				if err != nil || !cmp.Equal(got, want, kvOpts) {
					rt.Fatalf("Update(%q, %d) = %+v, %v; want %+v, nil", key, mod, got, err, want)
				}
				m.apply(putEvent(want, &prev))
			},
			"delete": func(rt *rapid.T) {
				key := rapid.SampledFrom(propertyKeys).Draw(rt, "key")
				mod := modRevision(rt, key)
				gotPrev, rev, err := s.Delete(ctx, key, mod)
				prev, wantErr0 := m.precondition(key, mod)
				if wantErr0 != nil {
					wantErr(rt, fmt.Sprintf("Delete(%q, %d)", key, mod), err, wantErr0)
					return
				}
				if err != nil || rev != m.rev+1 || !cmp.Equal(gotPrev, prev, kvOpts) {
					rt.Fatalf("Delete(%q, %d) = %+v, %d, %v; want %+v, %d, nil", key, mod, gotPrev, rev, err, prev, m.rev+1)
				}
				m.apply(deleteEvent(key, rev, prev))
			},
			"get": func(rt *rapid.T) {
				key := rapid.SampledFrom(propertyKeys).Draw(rt, "key")
				got, err := s.Get(ctx, key)
				want, ok := m.kvs[key]
				if !ok {
					wantErr(rt, fmt.Sprintf("Get(%q)", key), err, store.ErrNotFound)
				} else if err != nil || !cmp.Equal(got, want, kvOpts) {
					rt.Fatalf("Get(%q) = %+v, %v; want %+v, nil", key, got, err, want)
				}
			},
			"list": func(rt *rapid.T) {
				prefix := rapid.SampledFrom(propertyPrefixes).Draw(rt, "prefix")
				rev := rapid.Int64Range(m.compacted-1, m.rev+1).Draw(rt, "rev")
				limit := rapid.Int64Range(0, 3).Draw(rt, "limit")
				opts := store.ListOptions{Revision: rev, Limit: limit}
				switch {
				case rev == m.compacted-1 && m.compacted > r0:
					_, err := s.List(ctx, prefix, opts)
					wantErr(rt, fmt.Sprintf("List(%q, %+v) with compacted revision %d", prefix, opts, m.compacted), err, store.ErrCompacted)
					return
				case rev > m.rev:
					_, err := s.List(ctx, prefix, opts)
					wantErr(rt, fmt.Sprintf("List(%q, %+v) at revision %d", prefix, opts, m.rev), err, store.ErrFutureRevision)
					return
				case rev < m.compacted:
					opts.Revision = 0 // below the store's start: read the current revision instead
				}
				var got []store.KeyValue
				for page := 0; ; page++ {
					res, err := s.List(ctx, prefix, opts)
					if err != nil {
						rt.Fatalf("List(%q, %+v) error = %v", prefix, opts, err)
					}
					got = append(got, res.KVs...)
					if !res.More {
						break
					}
					if page > len(propertyKeys) {
						rt.Fatalf("List(%q, %+v) still has More after %d pages", prefix, opts, page)
					}
					opts.Revision = res.Revision
					opts.StartKey = res.KVs[len(res.KVs)-1].Key + "\x00"
				}
				at := opts.Revision
				if at == 0 {
					at = m.rev
				}
				if diff := cmp.Diff(m.history[at].list(prefix), got, kvOpts); diff != "" {
					rt.Fatalf("List(%q) at revision %d, pages of %d, mismatch the model (-want +got):\n%s", prefix, at, limit, diff)
				}
			},
			"compact": func(rt *rapid.T) {
				rev := rapid.Int64Range(m.compacted, m.rev).Draw(rt, "rev")
				// Let the watch catch up first: etcd looks up an event's
				// Prev when it sends the event, and fails once the
				// previous revision is compacted.
				checkWatch()
				if err := s.Compact(ctx, rev); err != nil {
					rt.Fatalf("Compact(%d) error = %v", rev, err)
				}
				m.compacted = rev
				for r := range m.history {
					if r < rev {
						delete(m.history, r)
					}
				}
			},
			"": func(rt *rapid.T) {
				if got, err := s.Revision(ctx); err != nil || got != m.rev {
					rt.Fatalf("Revision() = %d, %v; want %d, nil", got, err, m.rev)
				}
			},
		})
		checkWatch()
		if err := w.Err(); err != nil {
			rt.Fatalf("watch Err() = %v after the run, want nil", err)
		}
	})
}
