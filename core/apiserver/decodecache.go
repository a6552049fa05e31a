package apiserver

import (
	"encoding/json"
	"strconv"
	"sync"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
)

// decodeCache remembers the decoded and re-encoded form of recently
// written objects, keyed by store key and revision. One write reaches every
// watcher of its prefix — each kubelet watches all pods to pick out its
// own — and without the cache each of them would decode and encode the same
// bytes again. Kubernetes' watch cache shares decoded objects for the same
// reason. A (key, revision) pair names one immutable value, so a hit is
// exactly what a decode would produce; entries are shared and must not be
// modified.
type decodeCache struct {
	mu      sync.Mutex
	entries map[string]decoded
	order   []string // insertion order, for eviction
}

type decoded struct {
	obj    api.Object
	json   []byte
	fields map[string]string // for field selectors
	// wire is json decoded again, once, for watch events that carry their
	// object decoded (Config.ShareDecoded). It is not obj: obj is what the
	// server built or read, wire what a client decoding json gets (times
	// cut to seconds, empty lists gone), and receivers must see the latter.
	wire *wireObject
}

// wireObject is an entry's encoding decoded on first use, shared by every
// watch event that carries it.
type wireObject struct {
	once sync.Once
	obj  api.Object // nil when json does not decode as the kind
}

// shared returns e's encoding decoded as an object of res, decoded on the
// first call and the same object on every later one: it is handed to every
// receiver of the event and must never be modified. It returns nil when
// the encoding does not decode (the receiver then decodes the bytes and
// reports the error itself).
func (e decoded) shared(res *api.Resource) api.Object {
	e.wire.once.Do(func() {
		obj := res.New()
		if json.Unmarshal(e.json, obj) == nil {
			e.wire.obj = obj
		}
	})
	return e.wire.obj
}

// decodeCacheSize bounds the cache: enough for the writes in flight to
// every watcher, small enough not to matter.
const decodeCacheSize = 4096

// put records what a write just stored, so the watchers it reaches need
// not decode it: obj (with its resourceVersion set, and not modified from
// here on) and its encoding.
func (c *decodeCache) put(key string, rev int64, obj api.Object, b []byte) {
	c.insert(cacheKey(key, rev, obj.GetTypeMeta().APIVersion, isCustom(obj) || isConverted(obj)), decoded{obj: obj, json: b, fields: api.ObjectFields(obj), wire: &wireObject{}})
}

// insert adds an entry unless one is there, evicting the oldest beyond
// decodeCacheSize.
func (c *decodeCache) insert(k string, e decoded) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]decoded{}
	}
	if _, ok := c.entries[k]; ok {
		return
	}
	c.entries[k] = e
	c.order = append(c.order, k)
	if len(c.order) > decodeCacheSize {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
}

// entry returns the cache entry for kv, decoding it on a miss.
func (c *decodeCache) entry(res *api.Resource, kv store.KeyValue) (decoded, error) {
	k := cacheKey(kv.Key, kv.ModRevision, res.APIVersion(), res.Custom != nil || res.Storage != nil)
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if ok {
		return e, nil
	}
	obj, err := decodeKV(res, kv)
	if err != nil {
		return decoded{}, err
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return decoded{}, err
	}
	e = decoded{obj: obj, json: b, fields: api.ObjectFields(obj), wire: &wireObject{}}
	c.insert(k, e)
	return e, nil
}

// cacheKey names one decoded value: a store key at a revision, and for a
// custom resource or a version served by conversion (versioned: one stored
// value is read at several versions) the version it is read as.
func cacheKey(key string, rev int64, apiVersion string, versioned bool) string {
	k := key + "@" + strconv.FormatInt(rev, 10)
	if versioned {
		k += "@" + apiVersion
	}
	return k
}

func isCustom(obj api.Object) bool {
	_, ok := obj.(*api.Unstructured)
	return ok
}

// isConverted reports whether obj is of a version served by conversion
// (see api.Resource.Storage).
func isConverted(obj api.Object) bool {
	r := api.ResourceOf(obj)
	return r != nil && r.Storage != nil
}
