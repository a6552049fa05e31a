package httpapi

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/store"
)

// serve starts an API server over a memory store on a loopback port.
func serve(t *testing.T) (*client.Client, *httptest.Server, store.Store) {
	t.Helper()
	st := store.NewMemory()
	srv := apiserver.New(apiserver.Config{Store: st, Clock: &clock.Fixed{T: time.Unix(1e9, 0)}, Rand: rand.New(rand.NewPCG(1, 1)), Version: "test"})
	if err := srv.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(Handler(srv.Handle, Options{}))
	t.Cleanup(hs.Close)
	return client.New(&Transport{BaseURL: hs.URL}), hs, st
}

func cm(name string) *api.ConfigMap {
	return &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Data: map[string]string{"k": "v"}}
}

func TestCRUDOverHTTP(t *testing.T) {
	c, _, _ := serve(t)
	ctx := context.Background()
	r := client.For[*api.ConfigMap](c)
	created, err := r.Create(ctx, cm("a"), client.WriteOptions{})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := r.Create(ctx, cm("a"), client.WriteOptions{}); !api.IsAlreadyExists(err) {
		t.Errorf("second Create: err = %v, want AlreadyExists", err)
	}
	stale := api.DeepCopy(created)
	created.Data["k"] = "v2"
	if _, err := r.Update(ctx, created, client.WriteOptions{}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	_, err = r.Update(ctx, stale, client.WriteOptions{})
	se, ok := err.(*api.StatusError)
	if !ok || se.Status.Code != 409 || se.Status.Reason != api.ReasonConflict {
		t.Errorf("stale Update over HTTP: err = %#v, want a 409 Conflict Status", err)
	}
	if _, err := r.Delete(ctx, "default", "a", client.DeleteOptions{}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := r.Get(ctx, "default", "a"); !api.IsNotFound(err) {
		t.Errorf("Get after Delete: err = %v, want NotFound", err)
	}
}

func TestWarningsTravelAsHeaders(t *testing.T) {
	_, hs, _ := serve(t)
	body := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w","bogus":1},"data":{"a":"b"}}`
	resp, err := http.Post(hs.URL+"/api/v1/namespaces/default/configmaps", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("POST = %d, want 201", resp.StatusCode)
	}
	got := resp.Header.Values("Warning")
	if len(got) != 1 || !strings.Contains(got[0], `metadata.bogus`) || !strings.HasPrefix(got[0], "299 - ") {
		t.Errorf("Warning headers = %q, want one 299 warning naming metadata.bogus", got)
	}
	var warnings []string
	c := client.New(&Transport{BaseURL: hs.URL})
	c.OnWarning = func(w string) { warnings = append(warnings, w) }
	if _, err := client.Dynamic(c, api.ResourceByPlural("", "configmaps")).CreateRaw(context.Background(), "default",
		[]byte(strings.Replace(body, `"w"`, `"w2"`, 1)), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], `unknown field "metadata.bogus"`) {
		t.Errorf("client warnings = %q, want the unknown field", warnings)
	}
}

func TestWatchStreamsOverHTTP(t *testing.T) {
	c, _, _ := serve(t)
	ctx := context.Background()
	r := client.For[*api.ConfigMap](c)
	l, err := r.List(ctx, "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.Watch(ctx, "default", client.ListOptions{ResourceVersion: l.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	for i := 0; i < 3; i++ {
		if _, err := r.Create(ctx, cm(fmt.Sprint("w", i)), client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Delete(ctx, "default", "w1", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	want := []string{"ADDED w0", "ADDED w1", "ADDED w2", "DELETED w1"}
	var got []string
	deadline := time.After(10 * time.Second)
	for len(got) < len(want) {
		ev, ok := w.Next()
		if ok {
			if ev.Err != nil {
				t.Fatalf("watch error: %v", ev.Err)
			}
			got = append(got, ev.Type+" "+ev.Object.Name)
			continue
		}
		select {
		case <-w.Ready():
		case <-deadline:
			t.Fatalf("after 10s the watch delivered %q, want %q", got, want)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events = %q, want %q", got, want)
	}
}

func TestWatchTimeoutEndsStream(t *testing.T) {
	_, hs, _ := serve(t)
	start := time.Now()
	resp, err := http.Get(hs.URL + "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1)
	for {
		if _, err := resp.Body.Read(buf); err != nil {
			break
		}
	}
	resp.Body.Close()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a watch with timeoutSeconds=1 lasted %v", d)
	}
}

func TestCompactedWatchIsGoneOverHTTP(t *testing.T) {
	_, hs, st := serve(t)
	ctx := context.Background()
	c := client.New(&Transport{BaseURL: hs.URL})
	r := client.For[*api.ConfigMap](c)
	first, _ := r.Create(ctx, cm("x"), client.WriteOptions{})
	// Watching from first's version asks for the changes after it; compact
	// two writes past it so they are gone.
	r.Create(ctx, cm("y"), client.WriteOptions{})
	r.Create(ctx, cm("z"), client.WriteOptions{})
	rev, _ := st.Revision(ctx)
	if err := st.Compact(ctx, rev); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(hs.URL + "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=" + first.ResourceVersion)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone {
		t.Errorf("watch from a compacted revision = %d, want 410", resp.StatusCode)
	}
	w, err := r.Watch(ctx, "default", client.ListOptions{ResourceVersion: first.ResourceVersion})
	if err == nil {
		w.Stop()
	}
	if !api.IsExpired(err) {
		t.Errorf("client Watch from a compacted revision: err = %v, want Expired", err)
	}
}
