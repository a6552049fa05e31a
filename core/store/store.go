package store

import (
	"context"
	"errors"
)

// Store is a key-value store with etcd's semantics. It is the only state
// the control plane keeps: the API server turns every request into calls on
// a Store.
//
//   - Every successful write (create, update, delete) increases one global
//     revision by exactly one and is stamped with it (ModRevision).
//   - The revision of a fresh store is 1, as in etcd; the first write gets 2.
//   - Writes are conditional: Create only if the key is absent; Update and
//     Delete only if the key's ModRevision still equals the one the caller
//     read (or unconditionally when the caller passes 0).
//   - Reads may ask for an older revision; once that revision has been
//     compacted away the answer is ErrCompacted.
//   - A watch delivers every change under a prefix from a revision on, in
//     revision order, with no gaps and no duplicates.
//
// Implementations are safe for concurrent use. The in-memory one never
// blocks or starts goroutines, so the simulator can drive it on one thread.
type Store interface {
	// Get returns the current value of key, or ErrNotFound.
	Get(ctx context.Context, key string) (KeyValue, error)

	// List returns the keys under prefix, sorted, as of opts.Revision (the
	// current revision when 0). It fails with ErrCompacted for a revision
	// older than the compacted one and ErrFutureRevision for one newer than
	// the current one.
	List(ctx context.Context, prefix string, opts ListOptions) (ListResult, error)

	// Create stores value at key if the key does not exist and returns the
	// new entry; otherwise it fails with ErrExists.
	Create(ctx context.Context, key string, value []byte) (KeyValue, error)

	// Update replaces key's value if its ModRevision equals modRevision (any
	// revision when modRevision is 0). It fails with ErrNotFound when the key
	// is absent and ErrConflict when it was changed since.
	Update(ctx context.Context, key string, value []byte, modRevision int64) (KeyValue, error)

	// Delete removes key under the same precondition as Update and returns
	// the entry as it was just before, along with the revision of the delete.
	Delete(ctx context.Context, key string, modRevision int64) (prev KeyValue, rev int64, err error)

	// Watch starts delivering the changes under prefix whose revision is
	// fromRevision or later (the next change when fromRevision is 0). It
	// fails with ErrCompacted when fromRevision is older than the compacted
	// revision. The watch lasts until Stop, ctx ends or the store closes.
	Watch(ctx context.Context, prefix string, fromRevision int64) (Watcher, error)

	// Compact discards history older than revision: afterwards reads and
	// watches at revisions below it fail with ErrCompacted. Compacting to a
	// revision at or below the last compaction is a no-op; compacting beyond
	// the current revision fails with ErrFutureRevision.
	Compact(ctx context.Context, revision int64) error

	// Revision returns the current revision (the revision of the last write,
	// or 1 for an empty fresh store).
	Revision(ctx context.Context) (int64, error)

	// Close releases the store. Watches end with ErrClosed.
	Close() error
}

// KeyValue is one key at one revision.
type KeyValue struct {
	Key string
	// Value may be shared with the store and with every other reader
	// (the in-memory store hands out what it holds, as Kubernetes' watch
	// cache hands every watcher the same object): read it, never modify
	// it. Memory.VerifyValues detects a reader that did.
	Value          []byte
	CreateRevision int64 // revision of the write that created the key
	ModRevision    int64 // revision of the write that last changed the key
	// Stale reports that the value was stored in a form the store would
	// no longer write (encrypted with a key that is not the first one any
	// more, see package encryption): writing the same value back rewrites
	// it in the current form, so a no-op update must still write.
	Stale bool
}

// ListOptions select a page of a list.
type ListOptions struct {
	// Revision to read at; 0 reads the current revision.
	Revision int64
	// Limit caps the number of entries returned; 0 means no cap.
	Limit int64
	// StartKey, when set, starts the page at this key (inclusive) instead of
	// at the prefix. It must lie under the prefix. A continuation passes the
	// last key of the previous page with "\x00" appended.
	StartKey string
}

// ListResult is a page of a list.
type ListResult struct {
	KVs []KeyValue
	// Revision the list was read at: pass it as ListOptions.Revision to read
	// the next page consistently, and as the watch revision + 1 to follow
	// the list with every later change.
	Revision int64
	// More reports that entries remain after the last one returned.
	More bool
}

// EventType tells a put from a delete.
type EventType int

// The event types.
const (
	EventPut EventType = iota
	EventDelete
)

func (t EventType) String() string {
	if t == EventDelete {
		return "DELETE"
	}
	return "PUT"
}

// Event is one change seen by a watch.
type Event struct {
	Type EventType
	// KV is the key after the change. For a delete it holds the key and the
	// revision of the delete (ModRevision) and no value.
	KV KeyValue
	// Prev is the key before the change, nil when it was just created.
	Prev *KeyValue
}

// IsCreate reports whether the event created its key.
func (e Event) IsCreate() bool { return e.Type == EventPut && e.Prev == nil }

// Watcher is an ordered stream of events. It can be drained without
// blocking (Next), which is how the simulator's single thread reads it, and
// waited on (Ready), which is how a goroutine does.
type Watcher interface {
	// Next returns the next buffered event, or ok=false when none is
	// buffered right now.
	Next() (ev Event, ok bool)
	// Ready is signalled whenever events arrive or the watch ends. It has a
	// buffer of one: after a signal, drain Next until it reports false.
	Ready() <-chan struct{}
	// Err returns why the watch ended (ErrCompacted, ErrClosed, a context
	// error), or nil while it runs. Events buffered before the end are still
	// returned by Next first.
	Err() error
	// Stop ends the watch and releases it. It is safe to call twice.
	Stop()
}

// Errors returned by stores. Use errors.Is to test them.
var (
	ErrNotFound       = errors.New("key not found")
	ErrExists         = errors.New("key already exists")
	ErrConflict       = errors.New("key was modified since it was read")
	ErrCompacted      = errors.New("revision has been compacted")
	ErrFutureRevision = errors.New("revision is newer than the store's current revision")
	ErrClosed         = errors.New("store closed")
	ErrStopped        = errors.New("watch stopped")
	// ErrUnreadable wraps a value the store holds but cannot turn back
	// into what was written (encrypted with a key it was not given).
	ErrUnreadable = errors.New("stored value cannot be read")
)
