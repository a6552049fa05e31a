package apiserver

import (
	"strings"
	"sync"

	"github.com/tinykube/tinykube/core/api"
)

// namespaceCache answers "does namespace X exist and accept new objects?"
// without a store read on every create. Kubernetes' NamespaceLifecycle
// admission does the same from an informer: a linearizable read costs
// about as much as the write it guards (see `tinykube bench`).
//
// The cache follows the namespaces prefix (followedPrefix), drained
// without blocking at each lookup, so it needs no goroutine. A name it has
// not seen is not trusted to be absent: the caller reads the store (the
// namespace may have been created a moment ago). A namespace deleted a
// moment ago may still be seen as open; that window is Kubernetes' too.
type namespaceCache struct {
	mu    sync.Mutex
	f     followedPrefix
	state map[string]namespaceEntry
}

// namespaceEntry is what the cache keeps of one namespace.
type namespaceEntry struct {
	open   bool              // exists, not being deleted
	labels map[string]string // read by Pod Security admission; never changed
}

// lookup reports whether the cache knows ns and, if so, whether it is open.
func (c *namespaceCache) lookup(s *Server, ns string) (known, open bool) {
	e, known := c.entry(s, ns)
	return known, e.open
}

// entry returns what the cache knows of ns, after catching up with the
// store; known is false when it has not seen ns (or cannot trust what it
// has seen).
func (c *namespaceCache) entry(s *Server, ns string) (e namespaceEntry, known bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f.res == nil {
		c.f.res = api.ResourceByPlural("", "namespaces")
	}
	ok, _ := c.f.sync(s.store, viewOf{
		reset: func() { c.state = map[string]namespaceEntry{} },
		put: func(_ string, obj api.Object) {
			m := obj.GetObjectMeta()
			c.state[m.Name] = namespaceEntry{open: m.DeletionTimestamp == nil, labels: m.Labels}
		},
		remove: func(key string) { delete(c.state, key[strings.LastIndex(key, "/")+1:]) },
	})
	if !ok {
		// The watch broke (compaction, store closed): trust nothing until
		// it is restarted on the next lookup.
		return namespaceEntry{}, false
	}
	e, known = c.state[ns]
	return e, known
}
