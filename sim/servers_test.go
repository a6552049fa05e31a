package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// serversWorld is n API servers over one store, an admin client straight
// on the store (no network, no cache), and a client process "p".
type serversWorld struct {
	w       *World
	st      *store.Memory
	servers []*Server
	admin   *client.Client
	p       *Process
}

func newServersWorld(t *testing.T, n int, lag time.Duration) *serversWorld {
	t.Helper()
	sw := &serversWorld{w: NewWorld(1), st: store.NewMemory()}
	adminAPI := apiserver.New(apiserver.Config{Store: sw.st, Clock: sw.w.Loop, Rand: sw.w.Rand("admin")})
	if err := adminAPI.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	sw.admin = client.New(client.Local(adminAPI.Handle))
	for i := 1; i <= n; i++ {
		sw.servers = append(sw.servers, sw.w.AddServer(fmt.Sprintf("apiserver-%d", i), sw.st, ServerConfig{CacheLag: lag}))
	}
	sw.p = sw.w.AddProcess("p", func(*Process) {})
	sw.p.Start()
	return sw
}

// put creates or replaces ConfigMap name with value v through the admin.
func (sw *serversWorld) put(t *testing.T, name, v string) {
	t.Helper()
	cms := client.For[*api.ConfigMap](sw.admin)
	cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Data: map[string]string{"v": v}}
	if _, err := cms.Create(context.Background(), cm, client.WriteOptions{}); api.IsAlreadyExists(err) {
		patch := fmt.Sprintf(`{"data":{"v":%q}}`, v)
		_, err = cms.Patch(context.Background(), "default", name, rest.ContentMergePatch, []byte(patch), "", client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
}

// get asks server s for ConfigMap name at resourceVersion rv and returns
// its code and value.
func get(s *Server, name, rv string) (int, string) {
	q := url.Values{}
	if rv != "" {
		q.Set("resourceVersion", rv)
	}
	resp := s.handle(context.Background(), &rest.Request{Method: http.MethodGet, Path: "/api/v1/namespaces/default/configmaps/" + name, Query: q})
	if resp.Code != http.StatusOK {
		return resp.Code, ""
	}
	var cm api.ConfigMap
	if err := json.Unmarshal(resp.Body, &cm); err != nil {
		return -1, err.Error()
	}
	return resp.Code, cm.Data["v"]
}

func watch(t *testing.T, s *Server, rv int64) rest.Stream {
	t.Helper()
	q := url.Values{"watch": {"true"}, "resourceVersion": {fmt.Sprint(rv)}}
	resp := s.handle(context.Background(), &rest.Request{Method: http.MethodGet, Path: "/api/v1/namespaces/default/configmaps", Query: q})
	if resp.Stream == nil {
		t.Fatalf("watch from %d: %d %s", rv, resp.Code, resp.Body)
	}
	return resp.Stream
}

func drain(s rest.Stream) []string {
	var out []string
	for {
		ev, ok := s.Next()
		if !ok {
			return out
		}
		out = append(out, ev.Type)
	}
}

func (sw *serversWorld) rev(t *testing.T) int64 {
	t.Helper()
	r, err := sw.st.Revision(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A server's cache trails the store by its lag: watches and reads at
// resourceVersion "0" see a write only lag later, reads at "" at once.
func TestCacheViewLags(t *testing.T) {
	sw := newServersWorld(t, 1, time.Second)
	s := sw.servers[0]
	before := sw.rev(t)
	st := watch(t, s, before)
	sw.put(t, "a", "1")
	if code, v := get(s, "a", ""); code != 200 || v != "1" {
		t.Fatalf("consistent read right after the write = %d %q, want 200 \"1\"", code, v)
	}
	if code, _ := get(s, "a", "0"); code != 404 {
		t.Fatalf("cached read right after the write = %d, want 404 (the cache has not reached it)", code)
	}
	if evs := drain(st); len(evs) != 0 {
		t.Fatalf("watch delivered %v before the cache reached the write", evs)
	}
	sw.w.RunFor(500 * time.Millisecond)
	if code, _ := get(s, "a", "0"); code != 404 {
		t.Fatalf("cached read half a lag later = %d, want 404", code)
	}
	sw.w.RunFor(600 * time.Millisecond)
	if code, v := get(s, "a", "0"); code != 200 || v != "1" {
		t.Fatalf("cached read after the lag = %d %q, want 200 \"1\"", code, v)
	}
	if evs := drain(st); len(evs) != 1 || evs[0] != rest.Added {
		t.Fatalf("watch after the lag delivered %v, want [ADDED]", evs)
	}
	if got, want := s.CacheRevision(), sw.rev(t); got != want {
		t.Fatalf("CacheRevision() = %d, want the store's %d", got, want)
	}
}

// A frozen cache stands still until released; extra lag slows it down.
func TestCacheViewFreezeAndExtraLag(t *testing.T) {
	sw := newServersWorld(t, 1, 0)
	s := sw.servers[0]
	sw.put(t, "a", "1")
	if code, v := get(s, "a", "0"); code != 200 || v != "1" {
		t.Fatalf("cached read with no lag = %d %q, want 200 \"1\"", code, v)
	}
	s.FreezeCache(true)
	sw.put(t, "a", "2")
	sw.w.RunFor(10 * time.Second)
	if _, v := get(s, "a", "0"); v != "1" {
		t.Fatalf("frozen cache read = %q, want the old \"1\"", v)
	}
	if _, v := get(s, "a", ""); v != "2" {
		t.Fatalf("consistent read from a server with a frozen cache = %q, want \"2\"", v)
	}
	s.FreezeCache(false)
	if _, v := get(s, "a", "0"); v != "2" {
		t.Fatalf("cache read once unfrozen (no lag) = %q, want \"2\"", v)
	}
	s.LagCache(2 * time.Second)
	sw.put(t, "a", "3")
	sw.w.RunFor(time.Second)
	if _, v := get(s, "a", "0"); v != "2" {
		t.Fatalf("cache read 1s into a 2s lag = %q, want \"2\"", v)
	}
	sw.w.RunFor(1100 * time.Millisecond)
	if _, v := get(s, "a", "0"); v != "3" {
		t.Fatalf("cache read after the 2s lag = %q, want \"3\"", v)
	}
}

// A server cut off from the store answers 503 to writes and consistent
// reads (the write does not happen), still serves its stale cache, and
// ends its watches; reconnected, it catches up. A store outage does the
// same to every server.
func TestServerCutFromStore(t *testing.T) {
	sw := newServersWorld(t, 2, 0)
	s, other := sw.servers[0], sw.servers[1]
	sw.put(t, "a", "1")
	st := watch(t, s, sw.rev(t))
	s.SetStoreCut(true)
	sw.w.RunFor(time.Millisecond)
	evs := drain(st)
	if len(evs) != 1 || evs[0] != rest.Error || !st.Done() {
		t.Fatalf("the open watch of a cut server delivered %v (done %v), want [ERROR] and the end", evs, st.Done())
	}
	sw.put(t, "a", "2")
	if code, _ := get(s, "a", ""); code != 503 {
		t.Fatalf("consistent read from a cut server = %d, want 503", code)
	}
	if code, v := get(s, "a", "0"); code != 200 || v != "1" {
		t.Fatalf("cached read from a cut server = %d %q, want 200 and the stale \"1\"", code, v)
	}
	resp := s.handle(context.Background(), &rest.Request{Method: http.MethodPost, Path: "/api/v1/namespaces/default/configmaps",
		Body: []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}`)})
	if resp.Code != 503 {
		t.Fatalf("create through a cut server = %d, want 503", resp.Code)
	}
	if _, err := sw.st.Get(context.Background(), "/registry/configmaps/default/b"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the create a cut server refused is in the store (err %v)", err)
	}
	if code, v := get(other, "a", ""); code != 200 || v != "2" {
		t.Fatalf("the other server = %d %q, want 200 \"2\"", code, v)
	}
	s.SetStoreCut(false)
	if code, v := get(s, "a", "0"); code != 200 || v != "2" {
		t.Fatalf("cached read once reconnected = %d %q, want 200 \"2\"", code, v)
	}

	sw.w.Net.StoreOutage(true)
	for _, srv := range sw.servers {
		if code, _ := get(srv, "a", ""); code != 503 {
			t.Fatalf("%s during a store outage = %d, want 503", srv.Name, code)
		}
	}
	sw.w.Net.StoreOutage(false)
	if code, _ := get(other, "a", ""); code != 200 {
		t.Fatalf("after the outage = %d, want 200", code)
	}
}

// The broken server answers resourceVersion "" reads from its cache.
func TestBrokenServerServesConsistentReadsFromCache(t *testing.T) {
	sw := newServersWorld(t, 1, time.Second)
	s := sw.servers[0]
	sw.put(t, "a", "1")
	sw.w.RunFor(2 * time.Second)
	sw.put(t, "a", "2")
	if _, v := get(s, "a", ""); v != "2" {
		t.Fatalf("correct server: consistent read = %q, want \"2\"", v)
	}
	s.CacheServesConsistentReads = true
	if _, v := get(s, "a", ""); v != "1" {
		t.Fatalf("broken server: consistent read = %q, want the stale \"1\" it is built to return", v)
	}
}

// lastCall returns the text of the last API call in the trace.
func lastCall(w *World) string {
	for i := len(w.Trace.entries) - 1; i >= 0; i-- {
		if w.Trace.entries[i].isCall {
			return w.Trace.entries[i].text
		}
	}
	return ""
}

// A client fails over to the next server in its order after each failed
// call: a server down, a partition, a 503.
func TestClientFailsOver(t *testing.T) {
	sw := newServersWorld(t, 3, 0)
	w := sw.w
	order := w.Net.serverOrder("p")
	cms := client.For[*api.ConfigMap](sw.p.Client())
	ctx := context.Background()
	call := func() error {
		_, err := cms.List(ctx, "default", client.ListOptions{})
		return err
	}
	at := func(s *Server) {
		t.Helper()
		if err := call(); err != nil {
			t.Fatalf("call: %v, want it answered by %s", err, s.Name)
		}
		if c := lastCall(w); !strings.HasSuffix(c, "("+s.Name+")") {
			t.Fatalf("call went %q, want to %s", c, s.Name)
		}
	}
	at(order[0])
	order[0].Proc.Crash()
	if err := call(); err == nil {
		t.Fatalf("a call to the crashed %s succeeded", order[0].Name)
	}
	at(order[1])
	w.Net.Partition("p", order[1].Name, false)
	if err := call(); !errors.Is(err, ErrTimeout) {
		t.Fatalf("a call across a partition = %v, want a timeout", err)
	}
	at(order[2])
	order[2].SetStoreCut(true)
	if err := call(); api.ReasonOf(err) != api.ReasonServiceUnavailable {
		t.Fatalf("a call to a server cut from the store = %v, want 503", err)
	}
	order[0].Proc.Start()
	at(order[0])
	// A partition with APIServer cuts the process off from every server.
	w.Net.Partition("p", APIServer, false)
	if !w.Net.Cut("p") {
		t.Fatalf("Cut(p) = false after a partition from every server")
	}
	for i := 0; i < 3; i++ {
		if err := call(); !errors.Is(err, ErrTimeout) {
			t.Fatalf("call %d while cut off = %v, want a timeout", i, err)
		}
	}
	w.Net.Heal("p", APIServer)
	if w.Net.Cut("p") {
		t.Fatalf("Cut(p) = true though only %s is partitioned", order[1].Name)
	}
}

// Clients spread over the servers: not every process starts at the same.
func TestServerOrderSpreads(t *testing.T) {
	sw := newServersWorld(t, 3, 0)
	first := map[string]bool{}
	for _, p := range []string{"scheduler", "controller-manager", "kubelet/node-1", "kubelet/node-2", "kubelet/node-3", "proxy/node-1", "proxy/node-2", "proxy/node-3"} {
		order := sw.w.Net.serverOrder(p)
		if len(order) != 3 {
			t.Fatalf("%s tries %d servers, want 3", p, len(order))
		}
		first[order[0].Name] = true
	}
	if len(first) < 2 {
		t.Fatalf("8 processes all start at %v", first)
	}
}

// A crashed server ends the watch streams it served; the watcher's
// informer re-watches on another server and keeps up; restarted, the
// server's cache is rebuilt at the store's revision.
func TestServerCrashEndsItsStreams(t *testing.T) {
	sw := newServersWorld(t, 2, 100*time.Millisecond)
	w := sw.w
	var inf *client.Informer[*api.ConfigMap]
	w.AddProcess("watcher", func(p *Process) {
		inf = client.NewInformer[*api.ConfigMap](p.Loop(), p.Client(), "default", client.ListOptions{})
		inf.Start()
	}).Start()
	w.RunFor(time.Second)
	if w.Net.OpenStreams("watcher") != 1 {
		t.Fatalf("watcher has %d streams, want 1", w.Net.OpenStreams("watcher"))
	}
	serving := w.Net.streams[0].via
	srv := w.Net.Server(serving)
	srv.Proc.Crash()
	sw.put(t, "x", "1")
	w.RunFor(2 * time.Second)
	if len(w.Net.streams) != 1 || w.Net.streams[0].via == serving {
		t.Fatalf("after %s crashed the watcher's streams are %v, want one on the other server", serving, w.Net.streams)
	}
	if got := inf.List(api.Everything()); len(got) != 1 || got[0].Data["v"] != "1" {
		t.Fatalf("the watcher's cache holds %v, want x=1", got)
	}
	var b strings.Builder
	w.Trace.WriteTimeline(&b)
	if !strings.Contains(b.String(), "watch stream cut ("+serving+" crashed)") {
		t.Fatalf("the timeline does not say the stream was cut by the crash:\n%s", b.String())
	}
	srv.Proc.Start()
	if got, want := srv.CacheRevision(), sw.rev(t); got != want {
		t.Fatalf("restarted server's cache at %d, want the store's %d", got, want)
	}
}

// crash-at-call: the process crashes at its k-th call, before it leaves
// (no effect) or after the server acted (the effect stays, the answer is
// lost); its leftover calls go nowhere.
func TestCrashAtCall(t *testing.T) {
	for _, after := range []bool{false, true} {
		t.Run(fmt.Sprintf("after=%v", after), func(t *testing.T) {
			sw := newServersWorld(t, 1, 0)
			w := sw.w
			crashed := false
			w.Net.CrashAtCall("p", 2, after, func() { crashed = true })
			cms := client.For[*api.ConfigMap](sw.p.Client())
			create := func(name string) error {
				_, err := cms.Create(context.Background(), &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}}, client.WriteOptions{})
				return err
			}
			exists := func(name string) bool {
				_, err := sw.st.Get(context.Background(), "/registry/configmaps/default/"+name)
				return err == nil
			}
			if err := create("one"); err != nil {
				t.Fatalf("first call: %v", err)
			}
			if err := create("two"); !errors.Is(err, ErrTimeout) {
				t.Fatalf("the crashing call = %v, want a timeout", err)
			}
			if sw.p.Up() || !crashed {
				t.Fatalf("p up %v, then ran %v: want crashed", sw.p.Up(), crashed)
			}
			if exists("two") != after {
				t.Fatalf("the crashing call's object exists = %v, want %v", exists("two"), after)
			}
			if err := create("three"); err == nil || exists("three") {
				t.Fatalf("a call from the crashed incarnation = %v (object exists %v), want it to go nowhere", err, exists("three"))
			}
			sw.p.Start()
			if _, err := client.For[*api.ConfigMap](sw.p.Client()).Delete(context.Background(), "default", "one", client.DeleteOptions{}); err != nil {
				t.Fatalf("the restarted process's first call: %v", err)
			}
		})
	}
}
