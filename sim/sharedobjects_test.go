package sim

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/store"
)

// sharedWorld is one API server and two processes, "reader" and "writer",
// each with an informer of ConfigMaps; the writer's Update handler runs
// mutate on the object it is handed (the rule says it must not).
func sharedWorld(t *testing.T, cfg ServerConfig, mutate func(cm *api.ConfigMap)) (w *World, reader, writer *client.Informer[*api.ConfigMap], put func(v string)) {
	t.Helper()
	w = NewWorld(1)
	st := store.NewMemory()
	adminAPI := apiserver.New(apiserver.Config{Store: st, Clock: w.Loop, Rand: w.Rand("admin")})
	if err := adminAPI.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	admin := client.For[*api.ConfigMap](client.New(client.Local(adminAPI.Handle)))
	w.AddServer("apiserver", st, cfg)
	informer := func(name string, h client.Handlers[*api.ConfigMap]) *client.Informer[*api.ConfigMap] {
		var inf *client.Informer[*api.ConfigMap]
		w.AddProcess(name, func(p *Process) {
			inf = client.NewInformer[*api.ConfigMap](p.Loop(), p.Client(), "default", client.ListOptions{})
			inf.AddHandlers(h)
			inf.Start()
		}).Start()
		return inf
	}
	reader = informer("reader", client.Handlers[*api.ConfigMap]{})
	writer = informer("writer", client.Handlers[*api.ConfigMap]{Update: func(_, cm *api.ConfigMap) { mutate(cm) }})
	n := 0
	put = func(v string) {
		n++
		ctx := context.Background()
		if n == 1 {
			cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: "cm", Namespace: "default"}, Data: map[string]string{"v": v}}
			if _, err := admin.Create(ctx, cm, client.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			return
		}
		patch := fmt.Sprintf(`{"data":{"v":%q}}`, v)
		if _, err := admin.Patch(ctx, "default", "cm", "application/merge-patch+json", []byte(patch), "", client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return w, reader, writer, put
}

// Receivers of one watch event share the object the API server decoded
// (unless DecodePerWatcher), and a receiver that modifies it is caught by
// VerifyShared, naming the object and the change.
func TestSharedObjects(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       ServerConfig
		mutate    func(cm *api.ConfigMap)
		wantSame  bool   // both informers hold the same *ConfigMap
		wantError string // VerifyShared's error contains it ("": nil)
	}{
		{name: "shared, read only", mutate: func(*api.ConfigMap) {}, wantSame: true},
		{name: "shared, a receiver writes a label", mutate: func(cm *api.ConfigMap) { cm.Labels = map[string]string{"touched": "yes"} },
			wantSame: true, wantError: `was modified after delivery`},
		{name: "shared, a receiver writes data", mutate: func(cm *api.ConfigMap) { cm.Data["v"] = "changed behind the API's back" },
			wantSame: true, wantError: `default/cm`},
		{name: "decoded per watcher", cfg: ServerConfig{DecodePerWatcher: true}, mutate: func(cm *api.ConfigMap) { cm.Data["v"] = "own copy" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, reader, writer, put := sharedWorld(t, tc.cfg, tc.mutate)
			w.Net.CheckShared = true
			w.RunFor(time.Second) // the informers list, then watch
			put("1")
			w.RunFor(time.Second)
			put("2")
			w.RunFor(time.Second)
			a, okA := reader.Get("default", "cm")
			b, okB := writer.Get("default", "cm")
			if !okA || !okB {
				t.Fatalf("informers have the ConfigMap: reader %v, writer %v, want both", okA, okB)
			}
			if same := a == b; same != tc.wantSame {
				t.Errorf("reader and writer hold the same *ConfigMap = %v, want %v", same, tc.wantSame)
			}
			err := w.Net.VerifyShared()
			switch {
			case tc.wantError == "" && err != nil:
				t.Errorf("VerifyShared() = %v, want nil", err)
			case tc.wantError != "" && (err == nil || !strings.Contains(err.Error(), tc.wantError)):
				t.Errorf("VerifyShared() = %v, want an error containing %q", err, tc.wantError)
			}
		})
	}
}
