package sim

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/store"
)

// smallWorld is an API server, a writer process that keeps changing
// ConfigMaps, and a watcher process whose informer follows them.
type smallWorld struct {
	w       *World
	store   *store.Memory
	watcher *client.Informer[*api.ConfigMap]
}

func newSmallWorld(t *testing.T, seed uint64, loss float64) *smallWorld {
	sw := &smallWorld{w: NewWorld(seed), store: store.NewMemory()}
	w := sw.w
	srv := apiserver.New(apiserver.Config{Store: sw.store, Clock: w.Loop, Rand: w.Rand(APIServer)})
	if err := srv.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.Net.Handler = srv.Handle
	w.Net.Loss, w.Net.LostResponse = loss, loss
	w.AddProcess("writer", func(p *Process) {
		r := w.Rand("writer")
		var tick func()
		tick = func() {
			name := fmt.Sprintf("cm-%d", r.IntN(5))
			cms := client.For[*api.ConfigMap](p.Client())
			switch r.IntN(3) {
			case 0, 1:
				cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Data: map[string]string{"v": fmt.Sprint(r.IntN(100))}}
				if _, err := cms.Create(context.Background(), cm, client.WriteOptions{}); api.IsAlreadyExists(err) {
					cms.Patch(context.Background(), "default", name, "application/merge-patch+json", []byte(fmt.Sprintf(`{"data":{"v":"%d"}}`, r.IntN(100))), "", client.WriteOptions{})
				}
			case 2:
				cms.Delete(context.Background(), "default", name, client.DeleteOptions{})
			}
			p.Loop().After(100*time.Millisecond, tick)
		}
		p.Loop().After(0, tick)
	}).Start()
	w.AddProcess("watcher", func(p *Process) {
		sw.watcher = client.NewInformer[*api.ConfigMap](p.Loop(), p.Client(), "", client.ListOptions{})
		sw.watcher.Start()
	}).Start()
	return sw
}

// truth lists the ConfigMaps in the store as name=value.
func (sw *smallWorld) truth(t *testing.T) []string {
	l, err := sw.store.List(context.Background(), "/registry/configmaps/", store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, kv := range l.KVs {
		out = append(out, kv.Key[len("/registry/configmaps/default/"):])
	}
	return out
}

func (sw *smallWorld) cached() []string {
	var out []string
	for _, cm := range sw.watcher.List(api.Everything()) {
		out = append(out, cm.Name)
	}
	return out
}

func TestSameSeedSameTrace(t *testing.T) {
	hashes := map[uint64]bool{}
	for _, seed := range []uint64{1, 1, 2} {
		sw := newSmallWorld(t, seed, 0.05)
		sw.w.RunFor(5 * time.Second)
		hashes[sw.w.Trace.Hash()] = true
		if sw.w.Trace.Len() < 50 {
			t.Fatalf("seed %d: only %d trace entries", seed, sw.w.Trace.Len())
		}
	}
	if len(hashes) != 2 {
		t.Errorf("distinct trace hashes over seeds 1, 1, 2 = %d, want 2 (same seed same trace, other seed other trace)", len(hashes))
	}
}

func TestInformerConvergesThroughFaults(t *testing.T) {
	sw := newSmallWorld(t, 7, 0.1)
	w := sw.w
	w.At(2*time.Second, func() { w.Net.Partition("watcher", APIServer, false) })
	w.At(4*time.Second, func() { w.Net.Heal("watcher", APIServer) })
	w.At(5*time.Second, func() { w.Process("watcher").Crash() })
	w.At(6*time.Second, func() { w.Process("watcher").Start() })
	w.At(7*time.Second, func() { w.Net.CutStreams("") })
	w.At(8*time.Second, func() { w.Process("writer").Crash() }) // stop writing
	w.RunFor(12 * time.Second)
	if diff := cmp.Diff(sw.truth(t), sw.cached()); diff != "" {
		t.Errorf("informer cache vs store after faults healed (-store +cache):\n%s", diff)
	}
	if w.Process("watcher").Crashes() != 1 {
		t.Errorf("watcher crashes = %d, want 1", w.Process("watcher").Crashes())
	}
}

func TestCrashDropsPendingCallbacks(t *testing.T) {
	w := NewWorld(1)
	ran := 0
	p := w.AddProcess("p", func(p *Process) {
		p.Loop().After(time.Second, func() { ran++ })
	})
	p.Start()
	w.At(500*time.Millisecond, p.Crash)
	w.RunFor(2 * time.Second)
	if ran != 0 {
		t.Errorf("a callback of a crashed process ran %d times", ran)
	}
	p.Start()
	w.RunFor(2 * time.Second)
	if ran != 1 {
		t.Errorf("after restart the new callback ran %d times, want 1", ran)
	}
}
