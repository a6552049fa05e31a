package etcdstore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tinykube/tinykube/core/store"
)

// Watch starts an etcd watch of the keys under prefix from fromRevision,
// asking for previous values. When fromRevision is 0 it first reads the
// current revision R and watches from R+1, so that every write made after
// Watch returns is seen (an etcd watch otherwise starts wherever the server
// happens to register it). It fails with store.ErrCompacted at once when
// fromRevision is already compacted (checked with a read at fromRevision);
// a compaction that overtakes the watch later ends it with
// store.ErrCompacted.
//
// One goroutine per watch copies etcd's responses into the watcher's
// buffer and signals Ready. The watch ends, and the goroutine exits, on
// Stop, Close of the store, ctx ending, or an etcd error.
//
// At the compacted revision itself, etcd sends the change made there
// without its previous value (it looks Prev up one revision earlier, which
// is compacted); Prev is then nil.
func (s *Store) Watch(ctx context.Context, prefix string, fromRevision int64) (store.Watcher, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	if fromRevision < 0 {
		return nil, fmt.Errorf("etcdstore: watch %q: negative revision %d", prefix, fromRevision)
	}
	from, end := s.rangeOf(prefix)
	if fromRevision == 0 {
		rev, err := s.Revision(ctx)
		if err != nil {
			return nil, err
		}
		fromRevision = rev + 1
	} else {
		_, err := s.client.Get(ctx, from, clientv3.WithRange(end), clientv3.WithRev(fromRevision), clientv3.WithCountOnly())
		if err != nil && !errors.Is(err, rpctypes.ErrFutureRev) { // watching the future is fine
			return nil, s.mapErr("watch", prefix, err)
		}
	}

	wctx, cancel := context.WithCancel(ctx)
	w := &watcher{
		store:  s,
		ctx:    ctx,
		cancel: cancel,
		ready:  make(chan struct{}, 1),
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel()
		return nil, store.ErrClosed
	}
	s.watchers[w] = struct{}{}
	s.mu.Unlock()

	ch := s.client.Watch(wctx, from, clientv3.WithRange(end), clientv3.WithRev(fromRevision), clientv3.WithPrevKV())
	go w.run(ch)
	return w, nil
}

// watcher is a watch on a Store.
type watcher struct {
	store  *Store
	ctx    context.Context // the caller's
	cancel context.CancelFunc
	ready  chan struct{}

	mu  sync.Mutex
	buf []store.Event // received, not yet returned by Next
	err error         // why the watch ended; nil while it runs
}

// run copies ch into the buffer until the watch ends or ch closes. It is
// the watch's one goroutine.
func (w *watcher) run(ch clientv3.WatchChan) {
	for resp := range ch {
		switch {
		case resp.CompactRevision != 0:
			w.end(store.ErrCompacted)
		case resp.Err() != nil:
			w.end(w.store.mapErr("watch", "", resp.Err()))
		default:
			w.deliver(resp.Events)
		}
	}
	// ch closes when the watch context ends: by Stop, Close, or the
	// caller's ctx. The first two have set err already.
	err := w.ctx.Err()
	if err == nil {
		err = errors.New("etcdstore: watch channel closed by the etcd client")
	}
	w.end(err)
}

// deliver buffers evs, unless the watch has ended, and signals Ready.
func (w *watcher) deliver(evs []*clientv3.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return
	}
	for _, ev := range evs {
		out := store.Event{Type: store.EventPut, KV: w.store.fromEtcd(ev.Kv)}
		if ev.Type == clientv3.EventTypeDelete {
			out.Type = store.EventDelete
			out.KV.Value = nil
		}
		if ev.PrevKv != nil {
			prev := w.store.fromEtcd(ev.PrevKv)
			out.Prev = &prev
		}
		w.buf = append(w.buf, out)
	}
	w.signal()
}

// Next returns the oldest buffered event, or ok=false when none is.
func (w *watcher) Next() (store.Event, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 {
		return store.Event{}, false
	}
	ev := w.buf[0]
	w.buf[0] = store.Event{}
	w.buf = w.buf[1:]
	return ev, true
}

// Ready returns the channel signalled when events arrive or the watch ends.
func (w *watcher) Ready() <-chan struct{} { return w.ready }

// Err returns why the watch ended, or nil while it runs.
func (w *watcher) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Stop ends the watch with store.ErrStopped (unless it already ended) and
// drops the buffered events. Safe to call more than once.
func (w *watcher) Stop() {
	w.end(store.ErrStopped)
	w.mu.Lock()
	w.buf = nil
	w.mu.Unlock()
}

// end records why the watch ended (only the first reason counts), cancels
// the etcd watch, unregisters from the store and signals Ready.
func (w *watcher) end(err error) {
	w.mu.Lock()
	if w.err != nil {
		w.mu.Unlock()
		return
	}
	w.err = err
	w.mu.Unlock()
	w.cancel()
	w.store.mu.Lock()
	delete(w.store.watchers, w)
	w.store.mu.Unlock()
	w.signal()
}

// signal wakes a waiter on Ready without blocking.
func (w *watcher) signal() {
	select {
	case w.ready <- struct{}{}:
	default:
	}
}
