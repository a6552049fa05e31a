package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Watch starts a watch of the keys under prefix from fromRevision (the
// next change when 0). Changes still in the log from fromRevision on are
// buffered at once (a replay); every later matching write is appended by
// the write itself, so the stream has no gap and no duplicate. It fails
// with ErrCompacted when fromRevision is below the compacted revision.
//
// A watch from exactly the compacted revision gets the change made at that
// revision without Prev, as etcd does (see Compact).
//
// The watch ends when Stop is called, the store closes, or ctx is done.
// Because core starts no goroutines, a done ctx is noticed by the next call
// to Next or Err, or the next write: a goroutine waiting on Ready should
// also wait on ctx.Done().
func (m *Memory) Watch(ctx context.Context, prefix string, fromRevision int64) (Watcher, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return nil, err
	}
	if fromRevision < 0 {
		return nil, fmt.Errorf("store: watch %q: negative revision %d", prefix, fromRevision)
	}
	if fromRevision == 0 {
		fromRevision = m.rev + 1
	}
	if fromRevision < m.compacted {
		return nil, ErrCompacted
	}
	w := &memoryWatcher{
		store:  m,
		ctx:    ctx,
		prefix: prefix,
		from:   fromRevision,
		ready:  make(chan struct{}, 1),
	}
	for _, ev := range m.log[m.logIndex(fromRevision):] {
		if ev.KV.ModRevision == m.compacted {
			ev.Prev = nil
		}
		w.offer(ev)
	}
	m.watchers = append(m.watchers, w)
	return w, nil
}

// notify offers ev to every running watcher. Caller holds m.mu.
func (m *Memory) notify(ev Event) {
	// offer may end a watcher and remove it from m.watchers: walk a copy.
	for _, w := range slices.Clone(m.watchers) {
		w.offer(ev)
	}
}

// memoryWatcher is a watch on a Memory. All fields after ready are guarded
// by store.mu.
type memoryWatcher struct {
	store  *Memory
	ctx    context.Context
	prefix string
	from   int64 // first revision the watch delivers
	ready  chan struct{}

	buf       []Event // delivered by the store, not yet returned by Next
	err       error   // why the watch ended; nil while it runs
	callbacks []*func()
}

// OnReady registers f to be called whenever Ready is signalled, so a
// single-threaded loop (which cannot wait on a channel) can follow the
// watch. f runs at once, on the writer's thread, with the store's lock
// held: it must not call the store, only schedule work (loop.Virtual's
// Follow does exactly that). The returned func unregisters f.
func (w *memoryWatcher) OnReady(f func()) (cancel func()) {
	w.store.mu.Lock()
	defer w.store.mu.Unlock()
	p := &f
	w.callbacks = append(w.callbacks, p)
	return func() {
		w.store.mu.Lock()
		defer w.store.mu.Unlock()
		w.callbacks = slices.DeleteFunc(w.callbacks, func(x *func()) bool { return x == p })
	}
}

// offer buffers ev if the watch runs and wants it, and signals Ready.
// Caller holds store.mu.
func (w *memoryWatcher) offer(ev Event) {
	if w.checkContext() != nil {
		return
	}
	if ev.KV.ModRevision < w.from || !strings.HasPrefix(ev.KV.Key, w.prefix) {
		return
	}
	w.buf = append(w.buf, ev)
	w.signal()
}

// Next returns the oldest buffered event, or ok=false when none is buffered.
func (w *memoryWatcher) Next() (Event, bool) {
	w.store.mu.Lock()
	defer w.store.mu.Unlock()
	w.checkContext()
	if len(w.buf) == 0 {
		return Event{}, false
	}
	ev := w.buf[0]
	w.buf[0] = Event{} // let the values be freed
	w.buf = w.buf[1:]
	if ev.Prev != nil { // the event's own Prev: a reader may keep the pointer
		prev := *ev.Prev
		ev.Prev = &prev
	}
	return ev, true
}

// Ready returns the channel signalled when events arrive or the watch ends.
func (w *memoryWatcher) Ready() <-chan struct{} { return w.ready }

// Err returns why the watch ended, or nil while it runs.
func (w *memoryWatcher) Err() error {
	w.store.mu.Lock()
	defer w.store.mu.Unlock()
	return w.checkContext()
}

// Stop ends the watch with ErrStopped (unless it already ended) and drops
// the buffered events. Safe to call more than once.
func (w *memoryWatcher) Stop() {
	w.store.mu.Lock()
	defer w.store.mu.Unlock()
	w.end(ErrStopped)
	w.buf = nil
}

// checkContext ends the watch if its context is done, and returns w.err.
// Caller holds store.mu.
func (w *memoryWatcher) checkContext() error {
	if w.err == nil && w.ctx.Err() != nil {
		w.end(w.ctx.Err())
	}
	return w.err
}

// end records why the watch ended, unregisters it from the store and
// signals Ready. Only the first reason counts. Caller holds store.mu.
func (w *memoryWatcher) end(err error) {
	if w.err != nil {
		return
	}
	w.err = err
	w.store.watchers = slices.DeleteFunc(w.store.watchers, func(x *memoryWatcher) bool { return x == w })
	w.signal()
}

// signal wakes a waiter on Ready without ever blocking: the channel holds
// one signal, and one is enough to make the waiter drain Next.
func (w *memoryWatcher) signal() {
	select {
	case w.ready <- struct{}{}:
	default:
	}
	for _, f := range w.callbacks {
		(*f)()
	}
}
