package apiserver

import (
	"math/rand/v2"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/metrics"
	"github.com/tinykube/tinykube/core/rest"
)

func TestRequestMetrics(t *testing.T) {
	f := newFixture(t)
	rec := metrics.NewMemory()
	f.server = New(Config{Store: f.store, Clock: f.clock, Rand: rand.New(rand.NewPCG(1, 2)), Version: "test", Recorder: rec})
	send := func(method, path, contentType, body string, query url.Values) *rest.Response {
		resp := f.server.Handle(f.ctx, &rest.Request{Method: method, Path: path, Query: query, ContentType: contentType, Body: []byte(body)})
		f.clock.T = f.clock.T.Add(100 * time.Millisecond)
		return resp
	}
	pod := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`
	send("POST", "/api/v1/namespaces/default/pods", rest.ContentJSON, pod, nil)
	send("POST", "/api/v1/namespaces/default/pods", rest.ContentJSON, pod, nil) // 409
	send("POST", "/api/v1/namespaces/default/pods", rest.ContentJSON, pod, url.Values{"dryRun": {"All"}})
	send("GET", "/api/v1/namespaces/default/pods/web", "", "", nil)
	send("GET", "/api/v1/namespaces/default/pods", "", "", nil)
	send("GET", "/api/v1/pods", "", "", nil)
	send("GET", "/apis/apps/v1/deployments", "", "", nil)
	send("PATCH", "/api/v1/namespaces/default/pods/web", rest.ContentApplyPatch, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{"a":"b"}}}`, url.Values{"fieldManager": {"me"}})
	send("PATCH", "/api/v1/namespaces/default/pods/web/status", rest.ContentMergePatch, `{}`, nil)
	send("GET", "/healthz", "", "", nil)
	send("GET", "/apis/apps/v1", "", "", nil)
	send("GET", "/no/such/thing", "", "", nil)

	for _, tc := range []struct {
		labels []string
		want   float64
	}{
		{[]string{"POST", "", "", "v1", "pods", "", "resource", "apiserver", "201"}, 1},
		{[]string{"POST", "", "", "v1", "pods", "", "resource", "apiserver", "409"}, 1},
		{[]string{"POST", "All", "", "v1", "pods", "", "resource", "apiserver", "409"}, 1},
		{[]string{"GET", "", "", "v1", "pods", "", "resource", "apiserver", "200"}, 1},
		{[]string{"LIST", "", "", "v1", "pods", "", "namespace", "apiserver", "200"}, 1},
		{[]string{"LIST", "", "", "v1", "pods", "", "cluster", "apiserver", "200"}, 1},
		{[]string{"LIST", "", "apps", "v1", "deployments", "", "cluster", "apiserver", "200"}, 1},
		{[]string{"APPLY", "", "", "v1", "pods", "", "resource", "apiserver", "200"}, 1},
		{[]string{"PATCH", "", "", "v1", "pods", "status", "resource", "apiserver", "200"}, 1},
		{[]string{"GET", "", "", "", "", "/healthz", "", "", "200"}, 1},
		{[]string{"GET", "", "", "", "", "/apis/apps/v1", "", "", "200"}, 1},
		{[]string{"GET", "", "", "", "", "", "", "", "404"}, 1},
	} {
		if got := rec.Value(requestTotal, tc.labels...); got != tc.want {
			t.Errorf("apiserver_request_total%q = %v, want %v", tc.labels, got, tc.want)
		}
	}
	// The fixed clock stands still while a request is served: each
	// takes 0s, and is observed once.
	if got := rec.Count(requestDuration, "LIST", "", "", "v1", "pods", "", "cluster", "apiserver"); got != 1 {
		t.Errorf("apiserver_request_duration_seconds count of LIST pods = %d, want 1", got)
	}
}

func TestWatchMetrics(t *testing.T) {
	f := newFixture(t)
	rec := metrics.NewMemory()
	f.server = New(Config{Store: f.store, Clock: f.clock, Rand: rand.New(rand.NewPCG(1, 2)), Version: "test", Recorder: rec})
	long := []string{"WATCH", "", "v1", "configmaps", "", "namespace", "apiserver"}
	resp := f.server.Handle(f.ctx, &rest.Request{Method: http.MethodGet, Path: "/api/v1/namespaces/default/configmaps", Query: url.Values{"watch": {"true"}}})
	if resp.Stream == nil {
		t.Fatalf("watch answered %d %s, want a stream", resp.Code, resp.Body)
	}
	if got := rec.Value(longRunning, long...); got != 1 {
		t.Errorf("apiserver_longrunning_requests%q = %v during the watch, want 1", long, got)
	}
	f.do("POST", "/api/v1/namespaces/default/configmaps", rest.ContentJSON, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}`)
	deadline := time.Now().Add(5 * time.Second)
	for n := 0; n == 0 && time.Now().Before(deadline); {
		if _, ok := resp.Stream.Next(); ok {
			n++
			break
		}
		select {
		case <-resp.Stream.Ready():
		case <-time.After(10 * time.Millisecond):
		}
	}
	if got := rec.Value(watchEvents, "", "v1", "configmaps"); got != 1 {
		t.Errorf("apiserver_watch_events_total{configmaps} = %v, want 1", got)
	}
	f.clock.T = f.clock.T.Add(3 * time.Second)
	resp.Stream.Stop()
	resp.Stream.Stop()
	if got := rec.Value(longRunning, long...); got != 0 {
		t.Errorf("apiserver_longrunning_requests%q after the watch = %v, want 0", long, got)
	}
	total := append(append([]string{"WATCH", ""}, long[1:]...), "200")
	if got := rec.Value(requestTotal, total...); got != 1 {
		t.Errorf("apiserver_request_total%q = %v, want 1 (counted once, when it ends)", total, got)
	}
	if got := rec.Value(requestDuration, append([]string{"WATCH", ""}, long[1:]...)...); got != 3 {
		t.Errorf("apiserver_request_duration_seconds sum of the watch = %v, want 3 (its whole life)", got)
	}
}
