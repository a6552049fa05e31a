package client_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/rest"
)

func podOn(name, node string) *api.Pod {
	return &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.PodSpec{NodeName: node, Containers: []api.Container{{Name: "c", Image: "i"}}}}
}

func TestInformerFollowsListWatchAndRelists(t *testing.T) {
	ctx := context.Background()
	e := clienttest.New(t, 1, 1)
	st, tr, v := e.Store, e.Transport, e.Loop
	c := client.New(tr)
	pods := client.For[*api.Pod](c)
	for _, n := range []string{"a", "b"} {
		if _, err := pods.Create(ctx, podOn(n, "n1"), client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	zero := int64(0)
	now := client.DeleteOptions{GracePeriodSeconds: &zero} // bound pods are otherwise deleted gracefully
	inf := client.NewInformer[*api.Pod](v, c, "", client.ListOptions{})
	inf.AddIndex("node", func(p *api.Pod) []string { return []string{p.Spec.NodeName} })
	var log []string
	inf.AddHandlers(client.Handlers[*api.Pod]{
		Add:    func(p *api.Pod) { log = append(log, "add "+p.Name) },
		Update: func(_, p *api.Pod) { log = append(log, "update "+p.Name) },
		Delete: func(p *api.Pod) { log = append(log, "delete "+p.Name) },
	})
	inf.Start()
	for v.Step() {
	}
	if !inf.HasSynced() {
		t.Fatal("not synced after the first list")
	}
	c1, _ := pods.Create(ctx, podOn("c", "n2"), client.WriteOptions{})
	c1.Labels = map[string]string{"x": "y"}
	pods.Update(ctx, c1, client.WriteOptions{})
	pods.Delete(ctx, "default", "a", now)
	for v.Step() {
	}
	want := []string{"add a", "add b", "add c", "update c", "delete a"}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("handler calls (-want +got):\n%s", diff)
	}
	names := func(ps []*api.Pod) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	if diff := cmp.Diff([]string{"c"}, names(inf.ByIndex("node", "n2"))); diff != "" {
		t.Errorf("ByIndex(node, n2) (-want +got):\n%s", diff)
	}

	// Cut the watch, change things, and compact past the informer's
	// version: it must relist and report exactly what it missed.
	log = nil
	tr.Cut()
	pods.Delete(ctx, "default", "b", now)
	pods.Create(ctx, podOn("d", "n1"), client.WriteOptions{})
	rev, _ := st.Revision(ctx)
	st.Compact(ctx, rev)
	for v.Step() {
	}
	if diff := cmp.Diff([]string{"delete b", "add d"}, log); diff != "" {
		t.Errorf("after a cut and compaction (-want +got):\n%s", diff)
	}
	if inf.Relists != 1 {
		t.Errorf("relists = %d, want 1", inf.Relists)
	}
	if diff := cmp.Diff([]string{"c", "d"}, names(inf.List(api.Everything()))); diff != "" {
		t.Errorf("cache after relist (-want +got):\n%s", diff)
	}
	// A cut without compaction resumes without relisting.
	tr.Cut()
	pods.Create(ctx, podOn("e", "n1"), client.WriteOptions{})
	for v.Step() {
	}
	if inf.Relists != 1 || fmt.Sprint(log[len(log)-1]) != "add e" {
		t.Errorf("after a plain cut: relists=%d last=%q, want 1 and add e", inf.Relists, log[len(log)-1])
	}
}

// TestInformerWatchErrorHandler: every failed list is told to the handler
// and retried with back-off; a handler that stops the informer ends the
// retries.
func TestInformerWatchErrorHandler(t *testing.T) {
	e := clienttest.New(t, 1, 1)
	failing := true
	c := client.New(client.Local(func(ctx context.Context, req *rest.Request) *rest.Response {
		if failing {
			return &rest.Response{Code: 403, Body: []byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,"message":"pods is forbidden"}`)}
		}
		return e.Server.Handle(ctx, req)
	}))
	tests := []struct {
		name      string
		stop      bool
		wantCalls int
	}{
		// 200ms, 400ms, 800ms, 1.6s after the first try: five tries in 3s.
		{"retries with back-off", false, 5},
		{"a handler that stops the informer ends it", true, 1},
	}
	for _, tt := range tests {
		failing = true
		inf := client.NewInformer[*api.Pod](e.Loop, c, "", client.ListOptions{})
		var errs []string
		inf.SetWatchErrorHandler(func(err error) {
			errs = append(errs, fmt.Sprintf("%s: %v", api.ReasonOf(err), err))
			if tt.stop {
				inf.Stop()
			}
		})
		inf.Start()
		e.RunFor(3 * time.Second)
		if len(errs) != tt.wantCalls || errs[0] != "Forbidden: pods is forbidden" {
			t.Errorf("%s: handler calls = %q, want %d of %q", tt.name, errs, tt.wantCalls, "Forbidden: pods is forbidden")
		}
		failing = false
		e.RunFor(time.Minute)
		if got := inf.HasSynced(); got == tt.stop {
			t.Errorf("%s: HasSynced() = %v once lists succeed, want %v", tt.name, got, !tt.stop)
		}
		inf.Stop()
	}
}
