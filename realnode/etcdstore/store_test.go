package etcdstore

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/core/store/storetest"
)

// shared is the embedded etcd every test in this binary uses unless it
// needs its own; TestMain starts it.
var shared *Embedded

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "etcdstore-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg, err := loopbackConfig(filepath.Join(dir, "etcd"))
	if err == nil {
		shared, err = StartEmbedded(cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "start the test etcd:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	shared.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

// loopbackConfig returns an EmbedConfig in dataDir listening on two free
// ports of 127.0.0.1. The ports are found by listening on port 0 and
// closing; another process could take one in between, which StartEmbedded
// would then report.
func loopbackConfig(dataDir string) (EmbedConfig, error) {
	var urls []string
	for range 2 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return EmbedConfig{}, err
		}
		urls = append(urls, "http://"+l.Addr().String())
		l.Close()
	}
	return EmbedConfig{DataDir: dataDir, ClientURL: urls[0], PeerURL: urls[1]}, nil
}

// prefixes numbers the key prefixes handed to stores, so every store in the
// binary starts empty.
var prefixes atomic.Int64

func newPrefix() string { return fmt.Sprintf("/test/%d/", prefixes.Add(1)) }

// waitReady waits for a watch event with a deadline far above what a
// loopback etcd needs.
func waitReady(w store.Watcher) bool {
	select {
	case <-w.Ready():
		return true
	case <-time.After(10 * time.Second):
		return false
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return New(shared.Client(), newPrefix())
	}, storetest.Options{Wait: waitReady, SharedRevision: true})
}

// TestFreshRevision checks the clause the shared etcd cannot: a fresh etcd
// is at revision 1 and its first write gets revision 2.
func TestFreshRevision(t *testing.T) {
	cfg, err := loopbackConfig(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e, err := StartEmbedded(cfg)
	if err != nil {
		t.Fatalf("StartEmbedded(%+v) error = %v", cfg, err)
	}
	defer e.Close()
	s := New(e.Client(), "")
	ctx := context.Background()
	if rev, err := s.Revision(ctx); err != nil || rev != 1 {
		t.Errorf("Revision() of a fresh etcd = %d, %v; want 1, nil", rev, err)
	}
	kv, err := s.Create(ctx, "/a", []byte("v"))
	if err != nil || kv.CreateRevision != 2 || kv.ModRevision != 2 {
		t.Errorf("first Create(/a) = %+v, %v; want revisions 2, 2", kv, err)
	}
	// With the empty prefix, the store sees the whole keyspace.
	res, err := s.List(ctx, "", store.ListOptions{})
	if err != nil || len(res.KVs) != 1 || res.KVs[0].Key != "/a" {
		t.Errorf("List(\"\") on the empty prefix = %+v, %v; want just /a", res.KVs, err)
	}
}

// TestRestartKeepsData writes, stops etcd, starts it again on the same
// data directory and reads everything back, revisions and compaction
// included.
func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	start := func() (*Embedded, *Store) {
		t.Helper()
		cfg, err := loopbackConfig(dir)
		if err != nil {
			t.Fatal(err)
		}
		e, err := StartEmbedded(cfg)
		if err != nil {
			t.Fatalf("StartEmbedded(%+v) error = %v", cfg, err)
		}
		return e, New(e.Client(), "/tinykube/")
	}

	e, s := start()
	a, err := s.Create(ctx, "/a", []byte("a1"))
	if err != nil {
		t.Fatalf("Create(/a) error = %v", err)
	}
	if _, err := s.Update(ctx, "/a", []byte("a2"), a.ModRevision); err != nil {
		t.Fatalf("Update(/a) error = %v", err)
	}
	b, err := s.Create(ctx, "/b", []byte("b1"))
	if err != nil {
		t.Fatalf("Create(/b) error = %v", err)
	}
	if err := s.Compact(ctx, a.ModRevision+1); err != nil {
		t.Fatalf("Compact error = %v", err)
	}
	before, err := s.List(ctx, "", store.ListOptions{})
	if err != nil {
		t.Fatalf("List before restart error = %v", err)
	}
	s.Close()
	if err := e.Close(); err != nil {
		t.Fatalf("Close error = %v", err)
	}

	e, s = start()
	defer e.Close()
	after, err := s.List(ctx, "", store.ListOptions{})
	if err != nil {
		t.Fatalf("List after restart error = %v", err)
	}
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("List after restart = %+v, want %+v", after, before)
	}
	if rev, err := s.Revision(ctx); err != nil || rev != b.ModRevision {
		t.Errorf("Revision() after restart = %d, %v; want %d", rev, err, b.ModRevision)
	}
	if _, err := s.List(ctx, "", store.ListOptions{Revision: a.ModRevision}); err != store.ErrCompacted {
		t.Errorf("List at revision %d after restart error = %v, want %v (compacted before the restart)", a.ModRevision, err, store.ErrCompacted)
	}
	if log, err := os.Stat(filepath.Join(dir, "etcd.log")); err != nil {
		t.Errorf("etcd log file: %v", err)
	} else {
		t.Logf("etcd.log: %d bytes at error level", log.Size())
	}
}

// TestDialLoopback connects a second client to the shared etcd through
// Dial, as an external cluster would be reached.
func TestDialLoopback(t *testing.T) {
	c, err := Dial(shared.Client().Endpoints(), nil)
	if err != nil {
		t.Fatalf("Dial(%v) error = %v", shared.Client().Endpoints(), err)
	}
	defer c.Close()
	ctx := context.Background()
	prefix := newPrefix()
	if _, err := New(shared.Client(), prefix).Create(ctx, "/k", []byte("v")); err != nil {
		t.Fatalf("Create(/k) error = %v", err)
	}
	got, err := New(c, prefix).Get(ctx, "/k")
	if err != nil || string(got.Value) != "v" {
		t.Errorf("Get(/k) through the dialled client = %q, %v; want \"v\", nil", got.Value, err)
	}
	if _, err := Dial(nil, nil); err == nil {
		t.Errorf("Dial(nil) error = nil, want an error")
	}
}

// TestWatchCompactedMidStream: a watch that falls behind a compaction ends
// with store.ErrCompacted. etcd only notices for watchers that are not
// caught up, so this starts one far in the past of a long history and
// compacts before it can have read it all.
func TestWatchCompactedMidStream(t *testing.T) {
	ctx := context.Background()
	s := New(shared.Client(), newPrefix())
	defer s.Close()
	r0, err := s.Revision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ops []clientv3.Op
	for i := range 1000 {
		ops = append(ops, clientv3.OpPut(fmt.Sprintf("%sk%d", s.prefix, i%10), "v"))
	}
	for _, op := range ops { // one revision each
		if _, err := shared.Client().Do(ctx, op); err != nil {
			t.Fatal(err)
		}
	}
	w, err := s.Watch(ctx, "", r0+1)
	if err != nil {
		t.Fatalf("Watch from %d error = %v", r0+1, err)
	}
	defer w.Stop()
	cur, _ := s.Revision(ctx)
	if err := s.Compact(ctx, cur); err != nil {
		t.Fatal(err)
	}
	// Either etcd delivered everything before the compaction (the watch
	// runs on) or it ends with ErrCompacted; nothing else is allowed.
	n := 0
	for {
		if _, ok := w.Next(); ok {
			n++
			continue
		}
		if err := w.Err(); err != nil {
			if err != store.ErrCompacted {
				t.Fatalf("watch Err() = %v after %d events, want %v", err, n, store.ErrCompacted)
			}
			t.Logf("watch compacted after %d of 1000 events", n)
			return
		}
		if n == 1000 {
			t.Logf("watch got all 1000 events before the compaction")
			return
		}
		if !waitReady(w) {
			t.Fatalf("watch stalled after %d events, Err() = nil", n)
		}
	}
}
