package apiserver

import (
	"context"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
)

// followedPrefix keeps a view of one kind's objects up to date from a
// store watch of its prefix, without a goroutine: each sync drains what
// the watch holds right now. The namespace cache and the RBAC cache are
// built on it. It is exact on a store whose watches are fed synchronously
// (the in-memory one) and trails etcd by the watch's delay.
//
// The caller serializes calls (it holds its own lock).
type followedPrefix struct {
	res *api.Resource
	w   store.Watcher
}

// viewOf is how a cache keeps its view: reset empties it before a fresh
// list, put stores an object under its store key, remove forgets a key.
type viewOf struct {
	reset  func()
	put    func(key string, obj api.Object)
	remove func(key string)
}

// sync brings v up to date and reports whether it may be trusted. On the
// first call, or when the watch broke (compaction, a closed store), it
// lists the prefix into a reset view and watches from the list's
// revision; then it applies every event the watch holds. It returns false
// when the store could not be listed or the watch broke while draining:
// the view is stale until a later sync restarts it. changed says whether
// v was touched.
func (f *followedPrefix) sync(st store.Store, v viewOf) (ok, changed bool) {
	if f.w == nil || f.w.Err() != nil {
		if !f.restart(st, v) {
			return false, false
		}
		changed = true
	}
	for {
		ev, more := f.w.Next()
		if !more {
			break
		}
		changed = true
		if ev.Type == store.EventDelete {
			v.remove(ev.KV.Key)
			continue
		}
		if obj, err := decodeKV(f.res, ev.KV); err == nil {
			v.put(ev.KV.Key, obj)
		}
	}
	return f.w.Err() == nil, changed
}

// restart lists the prefix into v and watches from the list's revision.
func (f *followedPrefix) restart(st store.Store, v viewOf) bool {
	if f.w != nil {
		f.w.Stop()
		f.w = nil
	}
	ctx := context.Background()
	pfx := prefix(f.res, "")
	l, err := st.List(ctx, pfx, store.ListOptions{})
	if err != nil {
		return false
	}
	w, err := st.Watch(ctx, pfx, l.Revision+1)
	if err != nil {
		return false
	}
	v.reset()
	for _, kv := range l.KVs {
		if obj, err := decodeKV(f.res, kv); err == nil {
			v.put(kv.Key, obj)
		}
	}
	f.w = w
	return true
}
