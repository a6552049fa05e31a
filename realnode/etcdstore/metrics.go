package etcdstore

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/metrics"
	"github.com/tinykube/tinykube/core/store"
)

// etcd's request metrics, named and labelled as kube-apiserver's storage
// layer's.
var (
	etcdRequestDuration = &metrics.Desc{Name: "etcd_request_duration_seconds", Kind: metrics.Histogram,
		Help:   "Etcd request latency in seconds for each operation and object type.",
		Labels: []string{"operation", "group", "resource"},
		Buckets: []float64{0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3,
			4, 5, 6, 8, 10, 15, 20, 30, 45, 60}}
	etcdRequestErrors = &metrics.Desc{Name: "etcd_request_errors_total", Kind: metrics.Counter,
		Help:   "Etcd failed request counts for each operation and object type.",
		Labels: []string{"operation", "group", "resource"}}
)

// Measured returns s with every request timed (by the wall clock) into
// etcd_request_duration_seconds and every failure counted in
// etcd_request_errors_total, by operation and by the group and resource
// whose key it touches. An expected answer (not found, exists, conflict)
// is not a failure: the API server asked and etcd answered.
func Measured(s store.Store, rec metrics.Recorder) store.Store {
	if rec == nil || rec == metrics.Discard {
		return s
	}
	return &measured{Store: s, rec: rec}
}

type measured struct {
	store.Store
	rec metrics.Recorder
}

// observe records one request on key that began at start.
func (m *measured) observe(op, key string, start time.Time, err error) {
	group, resource := resourceOfKey(key)
	m.rec.Observe(etcdRequestDuration, time.Since(start).Seconds(), op, group, resource)
	if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrExists) && !errors.Is(err, store.ErrConflict) {
		m.rec.Add(etcdRequestErrors, 1, op, group, resource)
	}
}

func (m *measured) Get(ctx context.Context, key string) (store.KeyValue, error) {
	start := time.Now()
	kv, err := m.Store.Get(ctx, key)
	m.observe("get", key, start, err)
	return kv, err
}

func (m *measured) List(ctx context.Context, prefix string, opts store.ListOptions) (store.ListResult, error) {
	start := time.Now()
	l, err := m.Store.List(ctx, prefix, opts)
	m.observe("listWithCount", prefix, start, err)
	return l, err
}

func (m *measured) Create(ctx context.Context, key string, value []byte) (store.KeyValue, error) {
	start := time.Now()
	kv, err := m.Store.Create(ctx, key, value)
	m.observe("create", key, start, err)
	return kv, err
}

func (m *measured) Update(ctx context.Context, key string, value []byte, modRevision int64) (store.KeyValue, error) {
	start := time.Now()
	kv, err := m.Store.Update(ctx, key, value, modRevision)
	m.observe("update", key, start, err)
	return kv, err
}

func (m *measured) Delete(ctx context.Context, key string, modRevision int64) (store.KeyValue, int64, error) {
	start := time.Now()
	kv, rev, err := m.Store.Delete(ctx, key, modRevision)
	m.observe("delete", key, start, err)
	return kv, rev, err
}

func (m *measured) Watch(ctx context.Context, prefix string, fromRevision int64) (store.Watcher, error) {
	start := time.Now()
	w, err := m.Store.Watch(ctx, prefix, fromRevision)
	m.observe("watch", prefix, start, err)
	return w, err
}

func (m *measured) Compact(ctx context.Context, revision int64) error {
	start := time.Now()
	err := m.Store.Compact(ctx, revision)
	m.observe("compact", "", start, err)
	return err
}

func (m *measured) Revision(ctx context.Context) (int64, error) {
	start := time.Now()
	rev, err := m.Store.Revision(ctx)
	m.observe("revision", "", start, err)
	return rev, err
}

// builtinGroups maps a built-in resource's plural to its group (the first
// group of a plural served in two, such as events).
var builtinGroups = func() map[string]string {
	m := map[string]string{}
	for _, r := range api.Resources() {
		if _, ok := m[r.Plural]; !ok {
			m[r.Plural] = r.Group
		}
	}
	return m
}()

// resourceOfKey returns the group and resource a store key or prefix
// belongs to: /registry/pods/ns/name is ("", "pods"),
// /registry/example.com/widgets/... is ("example.com", "widgets"). Other
// keys are ("", "").
func resourceOfKey(key string) (group, resource string) {
	rest, ok := strings.CutPrefix(key, "/registry/")
	if !ok {
		return "", ""
	}
	parts := strings.SplitN(rest, "/", 3)
	if g, ok := builtinGroups[parts[0]]; ok {
		return g, parts[0]
	}
	if len(parts) >= 2 && strings.Contains(parts[0], ".") {
		return parts[0], parts[1]
	}
	return "", ""
}
