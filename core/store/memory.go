package store

import (
	"context"
	"fmt"
	"hash/crc32"
	"slices"
	"sync"
)

// Memory is the in-memory Store: the one the simulator and unit tests use,
// and the reference for how a Store behaves.
//
// Representation. current maps each live key to its latest KeyValue. log
// holds every change, oldest first, from the last compaction on: one Event
// per revision, so log[i] has revision log[0].KV.ModRevision + i. Each
// event keeps the key's previous value (Prev), which is what lets a read at
// an older revision start from current and undo the log backwards
// (memory_history.go), and lets a watch replay the log from any revision it still
// holds (memory_watch.go). Compact just drops the front of the log.
//
// We keep an event log rather than a per-key version list because a watch
// must replay changes in revision order across keys, which is exactly the
// log; reads at old revisions pay for it by undoing the newer events, which
// is cheap while lists mostly read recent revisions.
//
// Concurrency. One mutex guards everything, including the watchers' buffers.
// Nothing blocks and no goroutine is started: a write appends to the
// buffers of the matching watchers and signals their Ready channels without
// waiting, before it returns.
type Memory struct {
	mu        sync.Mutex
	rev       int64               // current revision; 1 when fresh
	compacted int64               // revision of the last compaction; 0 when none
	current   map[string]KeyValue // live keys at rev
	log       []Event             // changes with revision >= max(compacted, 2), in order
	sums      []uint32            // the checksum of each log entry's value, for VerifyValues
	watchers  []*memoryWatcher    // running watches, in the order they started
	closed    bool
}

// NewMemory returns an empty store at revision 1.
func NewMemory() *Memory {
	return &Memory{rev: 1, current: make(map[string]KeyValue)}
}

// CompactedRevision returns the revision of the last compaction, or 0 if
// the store was never compacted. Reads and watches below it fail with
// ErrCompacted.
func (m *Memory) CompactedRevision() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.compacted
}

// Get returns the current value of key, or ErrNotFound.
func (m *Memory) Get(ctx context.Context, key string) (KeyValue, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return KeyValue{}, err
	}
	kv, ok := m.current[key]
	if !ok {
		return KeyValue{}, ErrNotFound
	}
	return kv, nil
}

// Create stores value at key if key is absent, as a new revision, and
// returns the new entry; otherwise it fails with ErrExists (or, for a value
// larger than MaxValueBytes, ErrTooLarge) and the revision does not move.
func (m *Memory) Create(ctx context.Context, key string, value []byte) (KeyValue, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return KeyValue{}, err
	}
	if _, ok := m.current[key]; ok {
		return KeyValue{}, ErrExists
	}
	if err := CheckValueSize(key, value); err != nil {
		return KeyValue{}, err
	}
	rev := m.rev + 1
	kv := KeyValue{Key: key, Value: slices.Clip(slices.Clone(value)), CreateRevision: rev, ModRevision: rev}
	m.commit(Event{Type: EventPut, KV: kv})
	return kv, nil
}

// Update replaces key's value if key exists and its ModRevision equals
// modRevision (any ModRevision when modRevision is 0). It fails with
// ErrNotFound or ErrConflict otherwise, or ErrTooLarge for a value larger
// than MaxValueBytes, without moving the revision.
func (m *Memory) Update(ctx context.Context, key string, value []byte, modRevision int64) (KeyValue, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return KeyValue{}, err
	}
	prev, err := m.precondition(key, modRevision)
	if err != nil {
		return KeyValue{}, err
	}
	if err := CheckValueSize(key, value); err != nil {
		return KeyValue{}, err
	}
	rev := m.rev + 1
	kv := KeyValue{Key: key, Value: slices.Clip(slices.Clone(value)), CreateRevision: prev.CreateRevision, ModRevision: rev}
	m.commit(Event{Type: EventPut, KV: kv, Prev: &prev})
	return kv, nil
}

// Delete removes key under the same precondition as Update. It returns the
// entry as it was just before and the revision of the delete.
func (m *Memory) Delete(ctx context.Context, key string, modRevision int64) (KeyValue, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return KeyValue{}, 0, err
	}
	prev, err := m.precondition(key, modRevision)
	if err != nil {
		return KeyValue{}, 0, err
	}
	rev := m.rev + 1
	// Like etcd's tombstone: the key and the revision of the delete, no
	// value and no CreateRevision.
	m.commit(Event{Type: EventDelete, KV: KeyValue{Key: key, ModRevision: rev}, Prev: &prev})
	return prev, rev, nil
}

// Revision returns the current revision.
func (m *Memory) Revision(ctx context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return 0, err
	}
	return m.rev, nil
}

// Close ends every watch with ErrClosed; later calls on the store fail with
// ErrClosed. Closing twice is harmless. It always returns nil.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	for _, w := range slices.Clone(m.watchers) {
		w.end(ErrClosed)
	}
	return nil
}

// usable returns why the store cannot serve a call: it is closed or ctx is
// done. Caller holds m.mu.
func (m *Memory) usable(ctx context.Context) error {
	if m.closed {
		return ErrClosed
	}
	return ctx.Err()
}

// precondition returns key's current entry if key exists and modRevision
// is 0 or its ModRevision; otherwise ErrNotFound or ErrConflict. Caller
// holds m.mu.
func (m *Memory) precondition(key string, modRevision int64) (KeyValue, error) {
	cur, ok := m.current[key]
	if !ok {
		return KeyValue{}, ErrNotFound
	}
	if modRevision != 0 && modRevision != cur.ModRevision {
		return KeyValue{}, ErrConflict
	}
	return cur, nil
}

// commit applies ev, whose revision must be m.rev+1: it updates current,
// appends ev to the log and hands it to the watchers. Caller holds m.mu.
func (m *Memory) commit(ev Event) {
	m.rev = ev.KV.ModRevision
	if ev.Type == EventDelete {
		delete(m.current, ev.KV.Key)
	} else {
		m.current[ev.KV.Key] = ev.KV
	}
	m.log = append(m.log, ev)
	m.sums = append(m.sums, checksum(ev.KV.Value))
	m.notify(ev)
}

// Values are stored clipped (capacity = length), so that a reader's
// append copies instead of writing past the end into memory that another
// reader's append also uses.

// checksum is what VerifyValues compares a value with.
func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// VerifyValues checks that no value in the store's history was modified
// since it was written. The store hands its values out without copying them
// (KeyValue.Value), so a reader that wrote into one would change what
// every later reader sees; this names the first such key and revision.
func (m *Memory) VerifyValues() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, ev := range m.log {
		if checksum(ev.KV.Value) != m.sums[i] {
			return fmt.Errorf("store: the value of %s at revision %d was modified after it was written: a reader must copy a KeyValue's Value before changing it", ev.KV.Key, ev.KV.ModRevision)
		}
	}
	return nil
}
