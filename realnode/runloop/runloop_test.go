package runloop

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/realnode/wallclock"
)

func TestCallbacksRunOneAtATimeInOrder(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := New()
	go l.Run(ctx)
	var running, overlap atomic.Int32
	var order []int
	for i := 0; i < 100; i++ {
		i := i
		go l.Post(func() {
			if running.Add(1) > 1 {
				overlap.Add(1)
			}
			order = append(order, i)
			running.Add(-1)
		})
	}
	fired := make(chan struct{})
	l.After(20*time.Millisecond, func() { close(fired) })
	stopped := l.After(10*time.Millisecond, func() { t.Error("a stopped timer fired") })
	if !stopped.Stop() {
		t.Error("Stop of a waiting timer = false")
	}
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("timer did not fire")
	}
	l.Do(func() {})
	if overlap.Load() != 0 {
		t.Errorf("%d callbacks overlapped", overlap.Load())
	}
	l.Do(func() {
		if len(order) != 100 {
			t.Errorf("ran %d posted callbacks, want 100", len(order))
		}
	})
}

// The same informer code that runs in virtual time runs here on real
// goroutines, following an HTTP-free but channel-signalled watch.
func TestInformerRunsOnRealLoop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: wallclock.Clock{}, Rand: rand.New(rand.NewPCG(1, 2))})
	srv.Bootstrap(ctx)
	c := client.New(client.Local(srv.Handle))
	l := New()
	go l.Run(ctx)
	var inf *client.Informer[*api.ConfigMap]
	added := make(chan string, 10)
	l.Do(func() {
		inf = client.NewInformer[*api.ConfigMap](l, c, "default", client.ListOptions{})
		inf.AddHandlers(client.Handlers[*api.ConfigMap]{Add: func(cm *api.ConfigMap) { added <- cm.Name }})
		inf.Start()
	})
	for _, n := range []string{"a", "b"} {
		if _, err := client.For[*api.ConfigMap](c).Create(ctx, &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: n, Namespace: "default"}}, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"a", "b"} {
		select {
		case got := <-added:
			if got != want {
				t.Errorf("added %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("informer did not see %q", want)
		}
	}
}

// TestLockedExcludesCallbacksExceptWhileUnlocked: functions run through
// Locked on other goroutines never overlap callbacks or each other (a
// plain counter they all bump stays exact, and -race stays quiet), while
// a Locked function inside Unlocked lets callbacks run.
func TestLockedExcludesCallbacksExceptWhileUnlocked(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := New()
	go l.Run(ctx)
	var running, overlap atomic.Int32
	counter := 0
	bump := func() {
		if running.Add(1) > 1 {
			overlap.Add(1)
		}
		counter++
		running.Add(-1)
	}
	done := make(chan struct{})
	const n = 200
	for range n {
		go func() { l.Post(bump); done <- struct{}{} }()
		go func() { l.Locked(bump); done <- struct{}{} }()
	}
	for range 2 * n { // every callback posted (it runs before Do's), every Locked function returned
		<-done
	}
	l.Do(func() {
		if counter != 2*n {
			t.Errorf("counter = %d after %d callbacks and %d Locked functions, want %d", counter, n, n, 2*n)
		}
	})
	if overlap.Load() != 0 {
		t.Errorf("%d callbacks and Locked functions overlapped", overlap.Load())
	}

	// A callback posted from a Locked function runs while that function
	// waits inside Unlocked.
	ran := make(chan struct{})
	var waited bool
	l.Locked(func() {
		l.Post(func() { close(ran) })
		l.Unlocked(func() {
			select {
			case <-ran:
				waited = true
			case <-time.After(5 * time.Second):
			}
		})
	})
	if !waited {
		t.Error("a callback did not run while a Locked function waited in Unlocked")
	}
}
