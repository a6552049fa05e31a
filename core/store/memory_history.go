package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// List returns the keys under prefix as of opts.Revision (the current
// revision when 0), sorted, starting at opts.StartKey and at most
// opts.Limit of them. It fails with ErrCompacted below the compacted
// revision and ErrFutureRevision above the current one. The compacted
// revision itself can still be read, as in etcd.
func (m *Memory) List(ctx context.Context, prefix string, opts ListOptions) (ListResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return ListResult{}, err
	}
	if err := checkListOptions(prefix, opts); err != nil {
		return ListResult{}, err
	}
	rev := opts.Revision
	if rev == 0 {
		rev = m.rev
	}
	if err := m.readable(rev); err != nil {
		return ListResult{}, err
	}

	kvs := m.snapshot(prefix, rev)
	start := sort.Search(len(kvs), func(i int) bool { return kvs[i].Key >= opts.StartKey })
	kvs = kvs[start:]
	more := false
	if opts.Limit > 0 && int64(len(kvs)) > opts.Limit {
		kvs, more = kvs[:opts.Limit], true
	}
	return ListResult{KVs: kvs, Revision: rev, More: more}, nil
}

// Compact discards the history older than revision. Afterwards reads and
// watches below revision fail with ErrCompacted; revision itself stays
// readable, and a watch from it still gets the change made at it, without
// Prev (etcd behaves the same way: the previous value lived at an older
// revision, which is gone). Compacting at or below the last compaction is a
// no-op; beyond the current revision it fails with ErrFutureRevision.
// Running watches are not affected: they already hold their events.
func (m *Memory) Compact(ctx context.Context, revision int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return err
	}
	if revision > m.rev {
		return ErrFutureRevision
	}
	if revision <= m.compacted {
		return nil
	}
	m.compacted = revision
	drop := m.logIndex(revision)
	m.log = append([]Event(nil), m.log[drop:]...) // copy, so the dropped events can be freed
	m.sums = append([]uint32(nil), m.sums[drop:]...)
	return nil
}

// checkListOptions rejects options no store can serve.
func checkListOptions(prefix string, opts ListOptions) error {
	if opts.Revision < 0 || opts.Limit < 0 {
		return fmt.Errorf("store: list %q: negative revision %d or limit %d", prefix, opts.Revision, opts.Limit)
	}
	if opts.StartKey != "" && !strings.HasPrefix(opts.StartKey, prefix) {
		return fmt.Errorf("store: list %q: start key %q is not under the prefix", prefix, opts.StartKey)
	}
	return nil
}

// readable returns ErrCompacted or ErrFutureRevision when rev cannot be
// read. Caller holds m.mu.
func (m *Memory) readable(rev int64) error {
	if rev < m.compacted {
		return ErrCompacted
	}
	if rev > m.rev {
		return ErrFutureRevision
	}
	return nil
}

// snapshot returns the entries under prefix as they were at rev, sorted by
// key. It starts from the current entries and undoes the logged changes
// newer than rev, newest first. Precondition: m.readable(rev) is nil.
// Caller holds m.mu. The values are shared with the store.
func (m *Memory) snapshot(prefix string, rev int64) []KeyValue {
	view := make(map[string]KeyValue)
	for key, kv := range m.current {
		if strings.HasPrefix(key, prefix) {
			view[key] = kv
		}
	}
	for i := len(m.log) - 1; i >= 0 && m.log[i].KV.ModRevision > rev; i-- {
		ev := m.log[i]
		if !strings.HasPrefix(ev.KV.Key, prefix) {
			continue
		}
		if ev.Prev == nil {
			delete(view, ev.KV.Key) // undo a create
		} else {
			view[ev.KV.Key] = *ev.Prev // undo an update or a delete
		}
	}
	kvs := make([]KeyValue, 0, len(view))
	for _, kv := range view {
		kvs = append(kvs, kv)
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].Key < kvs[j].Key })
	return kvs
}

// logIndex returns the index in m.log of the first event with revision rev
// or later (len(m.log) when there is none). Caller holds m.mu.
func (m *Memory) logIndex(rev int64) int {
	return sort.Search(len(m.log), func(i int) bool { return m.log[i].KV.ModRevision >= rev })
}
