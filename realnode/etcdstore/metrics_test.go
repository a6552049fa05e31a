package etcdstore

import (
	"context"
	"testing"

	"github.com/tinykube/tinykube/core/metrics"
	"github.com/tinykube/tinykube/core/store"
)

func TestResourceOfKey(t *testing.T) {
	for _, tc := range []struct{ key, group, resource string }{
		{"/registry/pods/default/web", "", "pods"},
		{"/registry/pods/", "", "pods"},
		{"/registry/deployments/default/web", "apps", "deployments"},
		{"/registry/horizontalpodautoscalers/default/web", "autoscaling", "horizontalpodautoscalers"},
		{"/registry/example.com/widgets/default/w", "example.com", "widgets"},
		{"/registry/nonsense", "", ""},
		{"/elsewhere/pods", "", ""},
	} {
		if g, r := resourceOfKey(tc.key); g != tc.group || r != tc.resource {
			t.Errorf("resourceOfKey(%q) = (%q, %q), want (%q, %q)", tc.key, g, r, tc.group, tc.resource)
		}
	}
}

// Measured is a decorator: the memory store stands in for etcd.
func TestMeasured(t *testing.T) {
	rec := metrics.NewMemory()
	s := Measured(store.NewMemory(), rec)
	ctx := context.Background()
	kv, err := s.Create(ctx, "/registry/pods/default/web", []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	s.Create(ctx, "/registry/pods/default/web", []byte("{}")) // exists: answered, not an error
	s.Update(ctx, "/registry/pods/default/web", []byte("{}"), kv.ModRevision)
	s.Get(ctx, "/registry/pods/default/web")
	s.List(ctx, "/registry/pods/", store.ListOptions{})
	s.Compact(ctx, 1<<40) // a future revision: an error
	for _, tc := range []struct {
		name string
		got  int
		want int
	}{
		{"create pods", rec.Count(etcdRequestDuration, "create", "", "pods"), 2},
		{"update pods", rec.Count(etcdRequestDuration, "update", "", "pods"), 1},
		{"get pods", rec.Count(etcdRequestDuration, "get", "", "pods"), 1},
		{"listWithCount pods", rec.Count(etcdRequestDuration, "listWithCount", "", "pods"), 1},
	} {
		if tc.got != tc.want {
			t.Errorf("etcd_request_duration_seconds count of %s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	if got := rec.Value(etcdRequestErrors, "create", "", "pods"); got != 0 {
		t.Errorf("etcd_request_errors_total{create,pods} = %v, want 0 (exists is an answer)", got)
	}
	if got := rec.Value(etcdRequestErrors, "compact", "", ""); got != 1 {
		t.Errorf("etcd_request_errors_total{compact} = %v, want 1", got)
	}
	if Measured(store.NewMemory(), metrics.Discard) == nil {
		t.Errorf("Measured(s, Discard) = nil, want s")
	}
}
