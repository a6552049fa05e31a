package encryption

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/tinykube/tinykube/core/store"
)

// Store is a store.Store that keeps values encrypted in the store it
// wraps, as its Transformers say, and hands out plaintext: callers never
// see ciphertext. Revisions, conditions, watches and compaction are the
// wrapped store's. A value no provider can read fails the read (Get,
// List) or ends the watch with an error wrapping store.ErrUnreadable; the
// API server answers those with 500 InternalError.
type Store struct {
	inner store.Store
	t     *Transformers
}

var _ store.Store = (*Store)(nil)

// NewStore wraps inner. The caller keeps owning inner only through the
// wrapper: Close closes it.
func NewStore(inner store.Store, t *Transformers) *Store {
	return &Store{inner: inner, t: t}
}

// Transformers returns what the store encrypts with.
func (s *Store) Transformers() *Transformers { return s.t }

// decrypt turns kv's stored value into plaintext in place, setting Stale.
func (s *Store) decrypt(kv *store.KeyValue) error {
	if kv.Value == nil {
		return nil
	}
	plain, stale, err := s.t.Decrypt(kv.Key, kv.Value)
	if err != nil {
		return err
	}
	kv.Value, kv.Stale = plain, stale
	return nil
}

// Get returns key's value decrypted.
func (s *Store) Get(ctx context.Context, key string) (store.KeyValue, error) {
	kv, err := s.inner.Get(ctx, key)
	if err != nil {
		return kv, err
	}
	if err := s.decrypt(&kv); err != nil {
		return store.KeyValue{}, err
	}
	return kv, nil
}

// List returns a page with every value decrypted; one unreadable value
// fails the whole page, naming its key.
func (s *Store) List(ctx context.Context, prefix string, opts store.ListOptions) (store.ListResult, error) {
	r, err := s.inner.List(ctx, prefix, opts)
	if err != nil {
		return r, err
	}
	for i := range r.KVs {
		if err := s.decrypt(&r.KVs[i]); err != nil {
			return store.ListResult{}, err
		}
	}
	return r, nil
}

// Create stores value encrypted and returns the entry with the plaintext.
func (s *Store) Create(ctx context.Context, key string, value []byte) (store.KeyValue, error) {
	enc, err := s.t.Encrypt(key, value)
	if err != nil {
		return store.KeyValue{}, err
	}
	kv, err := s.inner.Create(ctx, key, enc)
	if err != nil {
		return kv, err
	}
	kv.Value = slices.Clone(value)
	return kv, nil
}

// Update stores value encrypted under the same precondition as the
// wrapped store's, and returns the entry with the plaintext.
func (s *Store) Update(ctx context.Context, key string, value []byte, modRevision int64) (store.KeyValue, error) {
	enc, err := s.t.Encrypt(key, value)
	if err != nil {
		return store.KeyValue{}, err
	}
	kv, err := s.inner.Update(ctx, key, enc, modRevision)
	if err != nil {
		return kv, err
	}
	kv.Value = slices.Clone(value)
	return kv, nil
}

// Delete removes key and returns its last value decrypted. If that value
// cannot be decrypted the delete has still happened: the error says so.
func (s *Store) Delete(ctx context.Context, key string, modRevision int64) (store.KeyValue, int64, error) {
	prev, rev, err := s.inner.Delete(ctx, key, modRevision)
	if err != nil {
		return prev, rev, err
	}
	if err := s.decrypt(&prev); err != nil {
		return store.KeyValue{}, rev, fmt.Errorf("%s was deleted, but its last value cannot be shown: %w", key, err)
	}
	return prev, rev, nil
}

// Watch follows the wrapped store's watch, decrypting each event's value
// and previous value.
func (s *Store) Watch(ctx context.Context, prefix string, fromRevision int64) (store.Watcher, error) {
	w, err := s.inner.Watch(ctx, prefix, fromRevision)
	if err != nil {
		return nil, err
	}
	dw := &watcher{inner: w, s: s}
	if n, ok := w.(notifier); ok {
		return notifyingWatcher{dw, n}, nil
	}
	return dw, nil
}

// Compact forwards to the wrapped store.
func (s *Store) Compact(ctx context.Context, revision int64) error {
	return s.inner.Compact(ctx, revision)
}

// Revision forwards to the wrapped store.
func (s *Store) Revision(ctx context.Context) (int64, error) { return s.inner.Revision(ctx) }

// Close closes the wrapped store.
func (s *Store) Close() error { return s.inner.Close() }

// watcher decrypts the events of a wrapped watch. The first event it
// cannot decrypt ends the watch with that error: skipping it would be a
// gap, and passing ciphertext on would break the promise above.
type watcher struct {
	inner store.Watcher
	s     *Store
	mu    sync.Mutex
	err   error // set once an event could not be decrypted
}

// Next returns the next event with its values decrypted.
func (w *watcher) Next() (store.Event, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return store.Event{}, false
	}
	ev, ok := w.inner.Next()
	if !ok {
		return ev, false
	}
	err := w.s.decrypt(&ev.KV)
	if err == nil && ev.Prev != nil {
		prev := *ev.Prev
		err = w.s.decrypt(&prev)
		ev.Prev = &prev
	}
	if err != nil {
		w.err = fmt.Errorf("watch event at revision %d: %w", ev.KV.ModRevision, err)
		w.inner.Stop()
		return store.Event{}, false
	}
	return ev, true
}

// Ready forwards to the wrapped watch.
func (w *watcher) Ready() <-chan struct{} { return w.inner.Ready() }

// Err is the decryption error that ended the watch, else the wrapped
// watch's.
func (w *watcher) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	return w.inner.Err()
}

// Stop stops the wrapped watch.
func (w *watcher) Stop() { w.inner.Stop() }

// notifier is the callback interface of the in-memory store's watchers,
// which the simulator's loops follow (see loop.Notifier).
type notifier interface {
	OnReady(f func()) (cancel func())
}

// notifyingWatcher is a watcher over a watch that notifies by callback;
// it keeps that ability visible to type assertions.
type notifyingWatcher struct {
	*watcher
	n notifier
}

// OnReady forwards to the wrapped watch.
func (w notifyingWatcher) OnReady(f func()) (cancel func()) { return w.n.OnReady(f) }
