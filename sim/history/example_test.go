package history_test

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/sim"
	"github.com/tinykube/tinykube/sim/history"
)

// Record the calls of a process in a simulated world, then check them.
func Example() {
	w := sim.NewWorld(1)
	api := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: w.Loop, Rand: w.Rand(sim.APIServer), Version: "sim"})
	if err := api.Bootstrap(context.Background()); err != nil {
		panic(err)
	}
	w.Net.Handler = api.Handle
	rec := history.NewRecorder(w.Now)
	w.WrapTransport = rec.Wrap // before the processes start
	p := w.AddProcess("writer", func(*sim.Process) {})
	p.Start()

	ctx := context.Background()
	path := "/api/v1/namespaces/default/configmaps"
	p.Client().Do(ctx, &rest.Request{Method: "POST", Path: path, ContentType: rest.ContentJSON,
		Body: []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}`)})
	p.Client().Do(ctx, &rest.Request{Method: "GET", Path: path + "/a"})
	p.Client().Do(ctx, &rest.Request{Method: "GET", Path: path})

	fmt.Println(history.Check(rec.History(), history.Options{}))
	// Output:
	// linearizable: 2 operations on 1 objects (0 without an answer) [1 create, 1 get]; not judged: 1 list; 1 object versions compared across answers
}
