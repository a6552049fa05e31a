package history

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/store"
)

// The simulator makes every call atomic, so its histories overlap only
// through lost answers. Here clients call one API server from goroutines,
// as on real machines: calls overlap for real, and the history must still
// be linearizable.
func TestConcurrentClientsHistoryIsLinearizable(t *testing.T) {
	const workers, each = 6, 300
	if testing.Short() {
		t.Skip("runs goroutines against a real-time API server")
	}
	st := store.NewMemory()
	api := apiserver.New(apiserver.Config{Store: st, Clock: wallClock{}, Rand: rand.New(rand.NewPCG(1, 2)), Version: "test"})
	if err := api.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(time.Now)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := client.New(rec.Wrap(fmt.Sprintf("w%d", w), client.Local(api.Handle)))
			choose := randChooser{rand.New(rand.NewPCG(uint64(w), 7))}
			seen := map[string]string{}
			for k := range each {
				obj, req := drawOp(choose, seen, fmt.Sprint(k))
				resp, err := c.Do(context.Background(), req)
				if err != nil {
					continue
				}
				var m answerMeta
				if json.Unmarshal(resp.Body, &m) == nil && m.Metadata.ResourceVersion != "" {
					seen[obj] = m.Metadata.ResourceVersion
				}
			}
		}()
	}
	wg.Wait()
	h := rec.History()
	start := time.Now()
	r := Check(h, Options{})
	if !r.Ok {
		t.Fatalf("%s", r)
	}
	t.Logf("check %v: %s", time.Since(start).Round(time.Millisecond), r)
}

// wallClock is the real time, for an API server called from goroutines.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }
