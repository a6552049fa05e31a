package httpapi

import (
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/realnode/runloop"
)

// replicas starts n API servers over one memory store, as n tinykube
// servers over one etcd cluster, each behind a counter of the requests it
// got and a switch that makes it answer 503.
type replica struct {
	hs          *httptest.Server
	hits        atomic.Int32
	unavailable atomic.Bool // 503 at the door, request unprocessed
	failing     atomic.Bool // 503 from a store failure: a write's fate unknown
}

func replicas(t *testing.T, n int) []*replica {
	t.Helper()
	st := store.NewMemory()
	srv := apiserver.New(apiserver.Config{Store: st, Clock: &clock.Fixed{T: time.Unix(1e9, 0)}, Rand: rand.New(rand.NewPCG(1, 1)), Version: "test"})
	if err := srv.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out []*replica
	for range n {
		r := &replica{}
		h := Handler(srv.Handle, Options{})
		r.hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			r.hits.Add(1)
			if r.unavailable.Load() {
				w.Header().Set(UnprocessedHeader, "no-quorum")
				http.Error(w, "no quorum", http.StatusServiceUnavailable)
				return
			}
			if r.failing.Load() {
				http.Error(w, "the store timed out", http.StatusServiceUnavailable)
				return
			}
			h.ServeHTTP(w, req)
		}))
		t.Cleanup(r.hs.Close)
		out = append(out, r)
	}
	return out
}

// deadURL is a loopback address nothing listens on.
func deadURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

func TestNewTransportSplitsServerLists(t *testing.T) {
	if got := NewTransport("http://a:1"); got.BaseURL != "http://a:1" || len(got.Servers) != 0 {
		t.Errorf("NewTransport(one URL) = %+v, want BaseURL only", got)
	}
	got := NewTransport(" http://a:1, http://b:2,,http://c:3 ")
	if strings.Join(got.Servers, " ") != "http://a:1 http://b:2 http://c:3" {
		t.Errorf("NewTransport(list).Servers = %q", got.Servers)
	}
}

func TestTransportSkipsAServerThatRefusesConnections(t *testing.T) {
	rs := replicas(t, 2)
	tr := &Transport{Servers: []string{deadURL(t), rs[0].hs.URL, rs[1].hs.URL}}
	c := client.For[*api.ConfigMap](client.New(tr))
	ctx := context.Background()
	// A write that never reached the dead server goes to the next one.
	if _, err := c.Create(ctx, cm("a"), client.WriteOptions{}); err != nil {
		t.Fatalf("Create with the first server dead: %v", err)
	}
	if _, err := c.Get(ctx, "default", "a"); err != nil {
		t.Fatalf("Get: %v", err)
	}
	// The transport stays with the server that answered.
	if h0, h1 := rs[0].hits.Load(), rs[1].hits.Load(); h0 != 2 || h1 != 0 {
		t.Errorf("requests to servers 2 and 3 = %d, %d; want 2, 0 (sticking to the first live one)", h0, h1)
	}
	// When it dies too, the next one takes over, and the data is there.
	rs[0].hs.Close()
	if _, err := c.Get(ctx, "default", "a"); err != nil {
		t.Fatalf("Get after server 2 died: %v", err)
	}
	if rs[1].hits.Load() != 1 {
		t.Errorf("server 3 got %d requests, want 1", rs[1].hits.Load())
	}
}

func TestTransportSkipsAServerAnswering503(t *testing.T) {
	rs := replicas(t, 3)
	rs[0].unavailable.Store(true)
	tr := &Transport{Servers: []string{rs[0].hs.URL, rs[1].hs.URL, rs[2].hs.URL}}
	c := client.For[*api.ConfigMap](client.New(tr))
	if _, err := c.Create(context.Background(), cm("a"), client.WriteOptions{}); err != nil {
		t.Fatalf("Create with server 1 answering 503: %v", err)
	}
	if rs[0].hits.Load() != 1 || rs[1].hits.Load() != 1 || rs[2].hits.Load() != 0 {
		t.Errorf("hits = %d %d %d, want 1 1 0", rs[0].hits.Load(), rs[1].hits.Load(), rs[2].hits.Load())
	}
	// A write answered 503 by a failing store may have been applied: it
	// is not resent; a read is.
	rs[1].failing.Store(true)
	if _, err := c.Create(context.Background(), cm("b"), client.WriteOptions{}); err == nil {
		t.Error("Create answered 503 by a failing store succeeded; want the 503")
	}
	if rs[2].hits.Load() != 0 {
		t.Errorf("a write answered 503 by a failing store was resent to server 3")
	}
	if _, err := c.Get(context.Background(), "default", "a"); err != nil || rs[2].hits.Load() != 1 {
		t.Errorf("Get with server 2 failing: err %v, server 3 hits %d; want the read resent to server 3", err, rs[2].hits.Load())
	}
	// Every server unavailable: the last 503 comes back as the answer.
	for _, r := range rs {
		r.unavailable.Store(true)
	}
	_, err := c.Get(context.Background(), "default", "a")
	if se, ok := err.(*api.StatusError); !ok || se.Status.Code != 503 {
		t.Errorf("Get with every server answering 503: err = %#v, want a 503", err)
	}
}

func TestTransportDoesNotResendAWriteWhoseConnectionBroke(t *testing.T) {
	rs := replicas(t, 1)
	var got atomic.Int32
	// A server that reads the request and dies before answering: the
	// write may or may not have been applied.
	dying := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer dying.Close()
	tr := &Transport{Servers: []string{dying.URL, rs[0].hs.URL}}
	c := client.For[*api.ConfigMap](client.New(tr))
	if _, err := c.Create(context.Background(), cm("a"), client.WriteOptions{}); err == nil {
		t.Fatal("Create through a server that died mid-request succeeded; want the error, as the write's fate is unknown")
	}
	if rs[0].hits.Load() != 0 {
		t.Errorf("the write was sent again to the next server (%d requests); a broken write must not be resent", rs[0].hits.Load())
	}
	// A read is safe to resend.
	if _, err := c.List(context.Background(), "default", client.ListOptions{}); err != nil {
		t.Errorf("List through a dying server then a live one: %v", err)
	}
	if rs[0].hits.Load() != 1 {
		t.Errorf("the read went to the live server %d times, want 1", rs[0].hits.Load())
	}
}

func TestInformerWatchMovesToTheNextServer(t *testing.T) {
	rs := replicas(t, 2)
	tr := &Transport{Servers: []string{rs[0].hs.URL, rs[1].hs.URL}}
	c := client.New(tr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := runloop.New()
	go l.Run(ctx)
	seen := make(chan string, 16)
	var inf *client.Informer[*api.ConfigMap]
	l.Do(func() {
		inf = client.NewInformer[*api.ConfigMap](l, c, "default", client.ListOptions{})
		inf.AddHandlers(client.Handlers[*api.ConfigMap]{Add: func(o *api.ConfigMap) { seen <- o.Name }})
		inf.Start()
	})
	defer l.Do(func() { inf.Stop() })
	other := client.For[*api.ConfigMap](client.New(&Transport{BaseURL: rs[1].hs.URL}))
	wait := func(name string) {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case got := <-seen:
				if got == name {
					return
				}
			case <-timeout:
				t.Fatalf("the informer did not see configmap %s within 10s", name)
			}
		}
	}
	if _, err := other.Create(ctx, cm("before"), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	wait("before")
	if rs[0].hits.Load() == 0 {
		t.Fatal("the informer did not start on the first server")
	}
	// The first server dies with the watch open: the stream breaks and
	// the informer watches again, through the second server, from where
	// it was.
	// Stop accepting first: closing the connections alone lets the
	// informer's retry reach this server again, and Close then waits
	// forever for that new watch (Close breaks only idle connections).
	rs[0].hs.Listener.Close()
	rs[0].hs.CloseClientConnections()
	if _, err := other.Create(ctx, cm("after"), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	wait("after")
	if n := rs[1].hits.Load(); n < 3 { // two creates and at least the new watch
		t.Errorf("server 2 got %d requests; want the informer's new watch among them", n)
	}
}
