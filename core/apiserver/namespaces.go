package apiserver

import (
	"context"
	"sync"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
)

// namespaceCache answers "does namespace X exist and accept new objects?"
// without a store read on every create. Kubernetes' NamespaceLifecycle
// admission does the same from an informer: a linearizable read costs
// about as much as the write it guards (see `tinykube bench`).
//
// The cache follows a store watch of the namespaces prefix, drained without
// blocking at each lookup, so it needs no goroutine. It is exact on a store
// whose watches are fed synchronously (the in-memory one) and trails etcd
// by the watch's delay. A name it has not seen is not trusted to be absent:
// the caller reads the store (the namespace may have been created a moment
// ago). A namespace deleted a moment ago may still be seen as open; that
// window is Kubernetes' too.
type namespaceCache struct {
	mu    sync.Mutex
	w     store.Watcher
	state map[string]bool // name -> open (exists, not being deleted)
}

// lookup reports whether the cache knows ns and, if so, whether it is open.
func (c *namespaceCache) lookup(s *Server, ns string) (known, open bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.w == nil || c.w.Err() != nil {
		if !c.restart(s) {
			return false, false
		}
	}
	for {
		ev, ok := c.w.Next()
		if !ok {
			break
		}
		c.apply(ev)
	}
	if c.w.Err() != nil {
		// The watch broke (compaction, store closed): trust nothing until
		// it is restarted on the next lookup.
		return false, false
	}
	open, known = c.state[ns]
	return known, open
}

// restart lists the namespaces and watches from the list's revision.
func (c *namespaceCache) restart(s *Server) bool {
	if c.w != nil {
		c.w.Stop()
		c.w = nil
	}
	ctx := context.Background()
	res := api.ResourceByPlural("", "namespaces")
	pfx := prefix(res, "")
	l, err := s.store.List(ctx, pfx, store.ListOptions{})
	if err != nil {
		return false
	}
	state := map[string]bool{}
	for _, kv := range l.KVs {
		if obj, err := decodeKV(res, kv); err == nil {
			state[obj.GetObjectMeta().Name] = obj.GetObjectMeta().DeletionTimestamp == nil
		}
	}
	w, err := s.store.Watch(ctx, pfx, l.Revision+1)
	if err != nil {
		return false
	}
	c.w, c.state = w, state
	return true
}

func (c *namespaceCache) apply(ev store.Event) {
	res := api.ResourceByPlural("", "namespaces")
	if ev.Type == store.EventDelete {
		if ev.Prev != nil {
			if obj, err := decodeKV(res, *ev.Prev); err == nil {
				delete(c.state, obj.GetObjectMeta().Name)
			}
		}
		return
	}
	if obj, err := decodeKV(res, ev.KV); err == nil {
		c.state[obj.GetObjectMeta().Name] = obj.GetObjectMeta().DeletionTimestamp == nil
	}
}
