package sim

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/store"
)

// ErrStoreUnreachable is what an API server's store calls fail with while
// it is cut off from the store (a partition, a store outage). The API
// server answers 503 ServiceUnavailable.
var ErrStoreUnreachable = errors.New("the store is unreachable from this API server")

// errCacheRestarted ends the watches of a cache that stopped following the
// store, as Kubernetes' watch cache ends its watchers when it must relist.
var errCacheRestarted = errors.New("the API server's watch cache lost the store and ends its watches")

// readMode tells a cacheView how to serve one request's reads.
type readMode int

const (
	readConsistent readMode = iota // from the store (resourceVersion "")
	readCache                      // from the watch cache (resourceVersion "0")
)

type readModeKey struct{}

func withReadMode(ctx context.Context, m readMode) context.Context {
	return context.WithValue(ctx, readModeKey{}, m)
}

func readModeOf(ctx context.Context) readMode {
	m, _ := ctx.Value(readModeKey{}).(readMode)
	return m
}

// cacheView is one API server's view of the shared store: the store itself
// for writes and consistent reads, and a watch cache that follows the
// store's revisions some time late for watches and for reads that allow
// staleness (resourceVersion "0"). It is a store.Store, so the API server
// in core runs over it unchanged.
//
// The cache is a revision, not a copy: the store keeps its history, so
// "the cache as of revision r" is the store read at r, and a watch served
// from the cache is a store watch whose events are held back until the
// cache has reached their revision. That keeps every watch gapless and in
// order (the same events, only later) and costs no copy of the data.
//
// A lagging cache follows the store through a watch of every key: each
// batch of changes becomes visible lag later. With lag 0 the cache is the
// store's current revision, and costs nothing: no follow watch, no extra
// callback. A frozen cache (a fault) or one cut off from the store stops
// moving until it is released; then it catches up after lag.
type cacheView struct {
	w  *World
	st store.Store

	lag, extra time.Duration // the scenario's lag, and a fault's on top
	frozen     bool          // a fault stopped the cache
	cut        bool          // the server cannot reach the store
	ready      bool          // the cache was loaded from the store once
	down       bool          // the server crashed: this view is gone
	rev        int64         // the revision the cache has reached

	follow   store.Watcher
	pending  bool
	watchers []*cacheWatcher
}

func newCacheView(w *World, st store.Store, lag time.Duration, cut bool) *cacheView {
	c := &cacheView{w: w, st: st, lag: lag, cut: cut}
	c.load()
	return c
}

// load fills the cache from the store (at start, and when the store can
// be reached again) and starts following it.
func (c *cacheView) load() {
	if c.cut || c.down {
		return
	}
	ctx := context.Background()
	c.followIfLagging()
	rev, err := c.st.Revision(ctx)
	if err != nil {
		return
	}
	if rev > c.rev {
		c.rev = rev
	}
	c.ready = true
	c.notify()
}

// followIfLagging starts the follow watch when the cache lags, and stops
// it when it no longer does.
func (c *cacheView) followIfLagging() {
	lagging := c.lag+c.extra > 0 && !c.down
	switch {
	case lagging && c.follow == nil:
		fw, err := c.st.Watch(context.Background(), "/", 0)
		if err != nil {
			return
		}
		c.follow = fw
		fw.(interface{ OnReady(func()) func() }).OnReady(c.schedule)
	case !lagging && c.follow != nil:
		c.follow.Stop()
		c.follow = nil
	}
}

// schedule runs inside the store's write (its lock held): it only
// arranges for observe to run.
func (c *cacheView) schedule() {
	if c.pending || c.down {
		return
	}
	c.pending = true
	c.w.Loop.After(0, c.observe)
}

// observe notes the store's revision after a batch of writes and makes it
// visible lag later.
func (c *cacheView) observe() {
	c.pending = false
	if c.down || c.follow == nil {
		return
	}
	for {
		if _, ok := c.follow.Next(); !ok {
			break
		}
	}
	c.catchUp()
}

// advance makes the store up to rev visible.
func (c *cacheView) advance(rev int64) {
	if c.down || c.frozen || c.cut || rev <= c.rev {
		return
	}
	c.rev = rev
	c.notify()
}

// visible is the last revision the cache shows.
func (c *cacheView) visible() int64 {
	if !c.frozen && !c.cut && c.lag+c.extra == 0 {
		if rev, err := c.st.Revision(context.Background()); err == nil && rev > c.rev {
			c.rev = rev
		}
	}
	return c.rev
}

// notify wakes the watchers that hold events back.
func (c *cacheView) notify() {
	for _, cw := range slices.Clone(c.watchers) {
		if cw.waiting {
			cw.waiting = false
			cw.notify()
		}
	}
}

// setExtraLag adds lag on top of the scenario's (0 ends it).
func (c *cacheView) setExtraLag(d time.Duration) {
	c.visible() // pin the revision reached before the mode changes
	c.extra = d
	if c.ready && !c.cut {
		c.followIfLagging()
	}
	c.catchUp()
}

// setFrozen stops (or restarts) the cache's following of the store.
func (c *cacheView) setFrozen(frozen bool) {
	c.visible()
	c.frozen = frozen
	if !frozen {
		c.catchUp()
	}
}

// setCut cuts the server off from the store (or reconnects it). While cut
// every store call fails and the cache stands still; its watches end, as
// Kubernetes' watch cache ends its watchers when it loses etcd, so that
// their clients go elsewhere.
func (c *cacheView) setCut(cut bool) {
	c.visible()
	c.cut = cut
	if cut {
		for _, cw := range slices.Clone(c.watchers) {
			cw.fail(errCacheRestarted)
		}
		return
	}
	if !c.ready {
		c.load()
		return
	}
	c.catchUp()
}

// catchUp makes the cache reach the store's current revision after lag.
func (c *cacheView) catchUp() {
	if c.down || c.frozen || c.cut {
		return
	}
	rev, err := c.st.Revision(context.Background())
	if err != nil {
		return
	}
	if d := c.lag + c.extra; d > 0 {
		c.w.Loop.After(d, func() { c.advance(rev) })
		return
	}
	c.advance(rev)
}

// stop ends the view with its server: every watch it serves stops.
func (c *cacheView) stop() {
	c.down = true
	if c.follow != nil {
		c.follow.Stop()
		c.follow = nil
	}
	for _, cw := range slices.Clone(c.watchers) {
		cw.Stop()
	}
}

// fromCache reports whether a read should be served from the cache.
func (c *cacheView) fromCache(ctx context.Context) bool { return readModeOf(ctx) == readCache }

// usable fails a call the server cannot make: it is cut off from the
// store, or (for a cache read) its cache was never loaded.
func (c *cacheView) usable(ctx context.Context) error {
	if c.fromCache(ctx) {
		if !c.ready {
			return ErrStoreUnreachable
		}
		return nil
	}
	if c.cut {
		return ErrStoreUnreachable
	}
	return nil
}

// Get reads key from the store, or from the cache for a cache read.
func (c *cacheView) Get(ctx context.Context, key string) (store.KeyValue, error) {
	if err := c.usable(ctx); err != nil {
		return store.KeyValue{}, err
	}
	if !c.fromCache(ctx) {
		return c.st.Get(ctx, key)
	}
	r, err := c.st.List(ctx, key, store.ListOptions{Revision: c.visible()})
	if err != nil {
		return store.KeyValue{}, err
	}
	for _, kv := range r.KVs {
		if kv.Key == key {
			return kv, nil
		}
	}
	return store.KeyValue{}, store.ErrNotFound
}

// List lists from the store, or from the cache for a cache read that names
// no revision.
func (c *cacheView) List(ctx context.Context, prefix string, opts store.ListOptions) (store.ListResult, error) {
	if err := c.usable(ctx); err != nil {
		return store.ListResult{}, err
	}
	if c.fromCache(ctx) && opts.Revision == 0 {
		opts.Revision = c.visible()
	}
	return c.st.List(ctx, prefix, opts)
}

func (c *cacheView) Create(ctx context.Context, key string, value []byte) (store.KeyValue, error) {
	if c.cut {
		return store.KeyValue{}, ErrStoreUnreachable
	}
	return c.st.Create(ctx, key, value)
}

func (c *cacheView) Update(ctx context.Context, key string, value []byte, modRevision int64) (store.KeyValue, error) {
	if c.cut {
		return store.KeyValue{}, ErrStoreUnreachable
	}
	return c.st.Update(ctx, key, value, modRevision)
}

func (c *cacheView) Delete(ctx context.Context, key string, modRevision int64) (store.KeyValue, int64, error) {
	if c.cut {
		return store.KeyValue{}, 0, ErrStoreUnreachable
	}
	return c.st.Delete(ctx, key, modRevision)
}

// Watch serves a watch from the cache: the store's events under prefix
// from fromRevision on, each released once the cache has reached it.
func (c *cacheView) Watch(ctx context.Context, prefix string, fromRevision int64) (store.Watcher, error) {
	if c.cut {
		return nil, ErrStoreUnreachable
	}
	inner, err := c.st.Watch(ctx, prefix, fromRevision)
	if err != nil {
		return nil, err
	}
	cw := &cacheWatcher{c: c, inner: inner}
	cw.cancel = inner.(interface{ OnReady(func()) func() }).OnReady(cw.notify)
	c.watchers = append(c.watchers, cw)
	return cw, nil
}

func (c *cacheView) Compact(ctx context.Context, revision int64) error {
	if c.cut {
		return ErrStoreUnreachable
	}
	return c.st.Compact(ctx, revision)
}

// Revision is the store's, or the cache's for a cache read.
func (c *cacheView) Revision(ctx context.Context) (int64, error) {
	if err := c.usable(ctx); err != nil {
		return 0, err
	}
	if c.fromCache(ctx) {
		return c.visible(), nil
	}
	return c.st.Revision(ctx)
}

// Close does nothing: the store is shared.
func (c *cacheView) Close() error { return nil }

// cacheWatcher is a store watch seen through a cache: events wait until
// the cache has reached their revision.
type cacheWatcher struct {
	c         *cacheView
	inner     store.Watcher
	cancel    func()
	held      []store.Event
	waiting   bool  // Next held an event back: wake the client when the cache moves
	err       error // set when the cache ends the watch
	stopped   bool
	callbacks []*func()
}

// Next returns the next event the cache has reached.
func (cw *cacheWatcher) Next() (store.Event, bool) {
	if cw.stopped || cw.err != nil {
		return store.Event{}, false
	}
	for {
		ev, ok := cw.inner.Next()
		if !ok {
			break
		}
		cw.held = append(cw.held, ev)
	}
	if len(cw.held) == 0 {
		return store.Event{}, false
	}
	if cw.held[0].KV.ModRevision > cw.c.visible() {
		cw.waiting = true
		return store.Event{}, false
	}
	ev := cw.held[0]
	cw.held[0] = store.Event{}
	cw.held = cw.held[1:]
	return ev, true
}

// Ready is never signalled: in the simulator watches notify by callback.
func (cw *cacheWatcher) Ready() <-chan struct{} { return nil }

// Err reports why the watch ended, once every event the cache released
// has been returned.
func (cw *cacheWatcher) Err() error {
	if cw.stopped {
		return store.ErrStopped
	}
	if cw.err != nil {
		return cw.err
	}
	if err := cw.inner.Err(); err != nil && (len(cw.held) == 0 || cw.held[0].KV.ModRevision > cw.c.visible()) {
		return err
	}
	return nil
}

// Stop ends the watch.
func (cw *cacheWatcher) Stop() {
	if cw.stopped {
		return
	}
	cw.stopped = true
	cw.end()
}

// fail ends the watch with err (reported to the client).
func (cw *cacheWatcher) fail(err error) {
	if cw.stopped || cw.err != nil {
		return
	}
	cw.err = err
	cw.end()
	cw.notify()
}

func (cw *cacheWatcher) end() {
	cw.held = nil
	cw.cancel()
	cw.inner.Stop()
	cw.c.watchers = slices.DeleteFunc(cw.c.watchers, func(x *cacheWatcher) bool { return x == cw })
}

// OnReady registers f to run when events may be ready or the watch ends.
// f may run inside a store write: it must only schedule work.
func (cw *cacheWatcher) OnReady(f func()) (cancel func()) {
	p := &f
	cw.callbacks = append(cw.callbacks, p)
	return func() { cw.callbacks = slices.DeleteFunc(cw.callbacks, func(x *func()) bool { return x == p }) }
}

func (cw *cacheWatcher) notify() {
	for _, f := range cw.callbacks {
		(*f)()
	}
}
