package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/core/store/storetest"
)

// The in-memory store delivers watch events before a write returns, so the
// suite runs with storetest.NoWait: an event that is not there at once is
// a bug, not a delay.
func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return store.NewMemory() }, storetest.Options{})
}

// The in-memory store hands out the values it holds without copying them;
// VerifyValues names a value some reader changed, whichever way it was
// read (Get, List, a watch event or its Prev), and nothing else.
func TestMemoryVerifyValuesFindsAChangedValue(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		change func(m *store.Memory) []byte // returns a slice the store handed out
	}{
		{"get", func(m *store.Memory) []byte { kv, _ := m.Get(ctx, "/k/b"); return kv.Value }},
		{"list", func(m *store.Memory) []byte { l, _ := m.List(ctx, "/k/", store.ListOptions{}); return l.KVs[1].Value }},
		{"create's result", func(m *store.Memory) []byte { kv, _ := m.Create(ctx, "/k/c", []byte("c")); return kv.Value }},
		{"watch event", func(m *store.Memory) []byte {
			w, _ := m.Watch(ctx, "/k/", 2)
			ev, _ := w.Next()
			return ev.KV.Value
		}},
		{"watch event's prev", func(m *store.Memory) []byte {
			w, _ := m.Watch(ctx, "/k/", 4)
			ev, _ := w.Next()
			return ev.Prev.Value
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := store.NewMemory()
			m.Create(ctx, "/k/a", []byte("a1"))    // revision 2
			m.Create(ctx, "/k/b", []byte("b1"))    // 3
			m.Update(ctx, "/k/a", []byte("a2"), 0) // 4
			if err := m.VerifyValues(); err != nil {
				t.Fatalf("VerifyValues() before any change = %v", err)
			}
			b := tc.change(m)
			if err := m.VerifyValues(); err != nil {
				t.Fatalf("VerifyValues() after only reading = %v", err)
			}
			b[0] = 'X'
			if err := m.VerifyValues(); err == nil || !strings.Contains(err.Error(), "was modified") {
				t.Errorf("VerifyValues() after changing a value read by %s = %v, want an error naming it", tc.name, err)
			}
		})
	}
}
