package client

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/loop"
)

// Handlers are called by an informer, on its loop, as its cache changes.
// Objects passed to them belong to the cache: do not modify them (DeepCopy
// first). Any of the three may be nil.
type Handlers[T api.Object] struct {
	Add    func(obj T)
	Update func(old, obj T)
	Delete func(obj T)
}

// EnqueueKeys returns handlers that put the key of every object added,
// updated or deleted on q: what a controller of that kind wants from its
// own informer.
func EnqueueKeys[T api.Object](q *Queue) Handlers[T] {
	add := func(obj T) { q.Add(Key(obj)) }
	return Handlers[T]{Add: add, Update: func(_, obj T) { add(obj) }, Delete: add}
}

// Informer keeps a local copy of the objects of one kind: it lists them,
// then follows a watch from the list's resourceVersion, so its cache moves
// through exactly the states the API went through. When the watch ends it
// resumes from the last version it saw; when that version is gone (410) it
// lists again and tells its handlers what changed in between; when a call
// fails it retries with a growing delay. Components read the cache instead
// of the API, and react to its handlers.
//
// An Informer lives on one loop and is not safe for concurrent use.
type Informer[T api.Object] struct {
	loop    loop.Loop
	res     Resource[T]
	ns      string
	opts    ListOptions
	items   map[string]T
	indexes map[string]*index[T]

	handlers []Handlers[T]
	synced   bool
	started  bool
	stopped  bool

	rv       string
	watch    *Watch[T]
	unfollow func()
	retry    loop.Timer
	failures int
	onError  func(err error)

	// Relists counts the lists after the first, for tests and traces.
	Relists int
}

type index[T api.Object] struct {
	keys func(T) []string
	byv  map[string]map[string]bool // index value -> object keys
}

// NewInformer returns an informer of the kind T in namespace ns ("" for all
// namespaces and for cluster-scoped kinds), restricted by opts' selectors.
func NewInformer[T api.Object](l loop.Loop, c *Client, ns string, opts ListOptions) *Informer[T] {
	return NewInformerOf(l, For[T](c), ns, opts)
}

// NewInformerOf is NewInformer over a handle made by ForResource: the
// informer of a kind outside the built-in table (a custom resource with a
// Go type of its own).
func NewInformerOf[T api.Object](l loop.Loop, res Resource[T], ns string, opts ListOptions) *Informer[T] {
	return &Informer[T]{loop: l, res: res, ns: ns, opts: opts, items: map[string]T{}, indexes: map[string]*index[T]{}}
}

// AddHandlers registers handlers. Register before Start to see every
// object as an Add.
func (i *Informer[T]) AddHandlers(h Handlers[T]) { i.handlers = append(i.handlers, h) }

// AddIndex maintains a lookup from the values keys(obj) returns (for
// example a pod's node name) to objects, for ByIndex. Call before Start.
func (i *Informer[T]) AddIndex(name string, keys func(T) []string) {
	i.indexes[name] = &index[T]{keys: keys, byv: map[string]map[string]bool{}}
}

// SetWatchErrorHandler has f called, on the loop, with the error of
// every list or watch call that fails, as client-go's
// SharedInformer.SetWatchErrorHandler does: a component learns that its
// watch is refused (403) rather than seeing a cache that never fills.
// After f returns the informer retries with back-off as always, unless f
// stopped it. Call before Start.
func (i *Informer[T]) SetWatchErrorHandler(f func(err error)) { i.onError = f }

// Start makes the first list, on the loop.
func (i *Informer[T]) Start() {
	if i.started {
		return
	}
	i.started = true
	i.loop.After(0, i.list)
}

// Stop ends the watch; the cache stays as it was.
func (i *Informer[T]) Stop() {
	i.stopped = true
	i.stopWatch()
	if i.retry != nil {
		i.retry.Stop()
	}
}

// HasSynced reports whether the first list has been loaded.
func (i *Informer[T]) HasSynced() bool { return i.synced }

// Key is the cache key of an object: "namespace/name", or "name" for
// cluster-scoped kinds.
func Key(obj api.Object) string {
	m := obj.GetObjectMeta()
	return KeyFor(m.Namespace, m.Name)
}

// KeyFor is Key of the object named name in namespace ("" for a
// cluster-scoped one), for when only the names are at hand: an owner
// reference's, say.
func KeyFor(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

// SplitKey is the inverse of Key: "namespace/name" gives its two parts, and
// a key without a slash (a cluster-scoped object's) gives namespace "". A
// name cannot contain a slash (validation forbids it), so the first slash
// is the separator. The results go straight to Informer.Get.
func SplitKey(key string) (namespace, name string) {
	if i := strings.IndexByte(key, '/'); i >= 0 {
		return key[:i], key[i+1:]
	}
	return "", key
}

// Get returns the cached object, if any.
func (i *Informer[T]) Get(namespace, name string) (T, bool) {
	obj, ok := i.items[KeyFor(namespace, name)]
	return obj, ok
}

// List returns the cached objects that sel matches, ordered by key.
func (i *Informer[T]) List(sel api.Selector) []T {
	return i.ListNamespace("", sel)
}

// ListNamespace returns the cached objects of namespace ns ("" for all)
// that sel matches, ordered by key.
func (i *Informer[T]) ListNamespace(ns string, sel api.Selector) []T {
	keys := make([]string, 0, len(i.items))
	for k, obj := range i.items {
		if ns != "" && obj.GetObjectMeta().Namespace != ns {
			continue
		}
		if sel.Matches(obj.GetObjectMeta().Labels) {
			keys = append(keys, k)
		}
	}
	return i.byKey(keys)
}

// ByIndex returns the cached objects whose index name holds value, ordered
// by key.
func (i *Informer[T]) ByIndex(name, value string) []T {
	ix := i.indexes[name]
	if ix == nil {
		panic("client: no index " + name)
	}
	keys := make([]string, 0, len(ix.byv[value]))
	for k := range ix.byv[value] {
		keys = append(keys, k)
	}
	return i.byKey(keys)
}

// byKey returns the cached objects of keys, ordered by key (so that a
// caller iterating them does the same thing on every run). It sorts keys
// in place; every key must be in the cache.
func (i *Informer[T]) byKey(keys []string) []T {
	sort.Strings(keys)
	out := make([]T, len(keys))
	for n, k := range keys {
		out[n] = i.items[k]
	}
	return out
}

// list loads the whole collection and replaces the cache with it, telling
// handlers about every difference, then watches from the list's version.
func (i *Informer[T]) list() {
	if i.stopped {
		return
	}
	l, err := i.res.List(context.Background(), i.ns, i.opts)
	if err != nil {
		i.failed(err, i.list)
		return
	}
	i.failures = 0
	if i.synced {
		i.Relists++
	}
	fresh := make(map[string]T, len(l.Items))
	for _, obj := range l.Items {
		fresh[Key(obj)] = obj
	}
	// Deletions first, then additions and updates, each in key order, so a
	// relist tells the same story every run.
	for _, k := range slices.Sorted(maps.Keys(i.items)) {
		if _, still := fresh[k]; !still {
			i.remove(k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(fresh)) {
		i.upsert(fresh[k])
	}
	i.synced = true
	i.rv = l.ResourceVersion
	i.startWatch()
}

// startWatch watches from i.rv.
func (i *Informer[T]) startWatch() {
	if i.stopped {
		return
	}
	i.stopWatch()
	opts := i.opts
	opts.ResourceVersion = i.rv
	w, err := i.res.Watch(context.Background(), i.ns, opts)
	if api.IsExpired(err) {
		i.list()
		return
	}
	if err != nil {
		i.failed(err, i.startWatch)
		return
	}
	i.watch = w
	i.unfollow = i.loop.Follow(w, i.pump)
}

func (i *Informer[T]) stopWatch() {
	if i.unfollow != nil {
		i.unfollow()
		i.unfollow = nil
	}
	if i.watch != nil {
		i.watch.Stop()
		i.watch = nil
	}
}

// pump applies every event the watch has ready.
func (i *Informer[T]) pump() {
	w := i.watch
	if w == nil || i.stopped {
		return
	}
	for {
		ev, ok := w.Next()
		if !ok {
			break
		}
		if ev.Err != nil {
			i.stopWatch()
			if api.IsExpired(ev.Err) {
				i.list()
			} else {
				i.failed(ev.Err, i.startWatch)
			}
			return
		}
		i.failures = 0
		i.rv = ev.Object.GetObjectMeta().ResourceVersion
		switch ev.Type {
		case "ADDED", "MODIFIED":
			i.upsert(ev.Object)
		case "DELETED":
			i.remove(Key(ev.Object))
		}
	}
	if w.Done() {
		// The server or the network ended the watch: resume where we were.
		i.stopWatch()
		i.startWatch()
	}
}

func (i *Informer[T]) upsert(obj T) {
	k := Key(obj)
	old, had := i.items[k]
	if had && old.GetObjectMeta().ResourceVersion == obj.GetObjectMeta().ResourceVersion {
		return
	}
	if had {
		i.unindex(k, old)
	}
	i.items[k] = obj
	i.index(k, obj)
	for _, h := range i.handlers {
		if had && h.Update != nil {
			h.Update(old, obj)
		} else if !had && h.Add != nil {
			h.Add(obj)
		}
	}
}

func (i *Informer[T]) remove(k string) {
	old, had := i.items[k]
	if !had {
		return
	}
	i.unindex(k, old)
	delete(i.items, k)
	for _, h := range i.handlers {
		if h.Delete != nil {
			h.Delete(old)
		}
	}
}

func (i *Informer[T]) index(k string, obj T) {
	for _, ix := range i.indexes {
		for _, v := range ix.keys(obj) {
			if ix.byv[v] == nil {
				ix.byv[v] = map[string]bool{}
			}
			ix.byv[v][k] = true
		}
	}
}

func (i *Informer[T]) unindex(k string, obj T) {
	for _, ix := range i.indexes {
		for _, v := range ix.keys(obj) {
			delete(ix.byv[v], k)
			if len(ix.byv[v]) == 0 {
				delete(ix.byv, v)
			}
		}
	}
}

// failed tells the watch error handler about err, then retries with
// back-off unless the handler stopped the informer.
func (i *Informer[T]) failed(err error, retry func()) {
	if i.onError != nil {
		i.onError(err)
	}
	if !i.stopped {
		i.backoff(retry)
	}
}

// backoff retries f after a delay that doubles with each failure in a row,
// from 200ms up to 30s.
func (i *Informer[T]) backoff(f func()) {
	i.failures++
	d := 200 * time.Millisecond << min(i.failures-1, 8)
	if d > 30*time.Second {
		d = 30 * time.Second
	}
	i.retry = i.loop.After(d, f)
}
