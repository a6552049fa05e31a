package sieve

import (
	"context"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/garbagecollector"
	"github.com/tinykube/tinykube/core/controller/statefulset"
	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/sim"
)

// DatabaseCase is the database operator (chapter 17), with hooks plugged
// in (the zero Hooks is the real operator), as a Sieve case: two
// Databases; at 20s the primary pod of one is deleted (a failover), at
// 40s the other Database is deleted (its finalizer's cleanup). The
// StatefulSet controller, the garbage collector and a pod driver run
// unperturbed beside it. Name and Want are the caller's: this test and
// lab 17 state differently what the unperturbed run must reach.
func DatabaseCase(hooks database.Hooks) Case {
	recorder := func(p *sim.Process, component string) *client.Recorder {
		return client.NewRecorder(p.Loop(), p.Client(), component, "")
	}
	return Case{
		Objects: string(database.CRDYAML()) + `
---
apiVersion: demo.tinykube.dev/v1
kind: Database
metadata: {name: orders}
spec: {replicas: 3, image: busybox}
---
apiVersion: demo.tinykube.dev/v1
kind: Database
metadata: {name: users}
spec: {replicas: 2, image: busybox}
`,
		Script: []Step{
			{At: 20 * time.Second, Do: func(ctx context.Context, admin *client.Client) error {
				_, err := client.For[*api.Pod](admin).Delete(ctx, "default", "orders-0", client.DeleteOptions{})
				return err
			}},
			{At: 40 * time.Second, Do: func(ctx context.Context, admin *client.Client) error {
				_, err := client.ForResource[*database.Database](admin, database.Resource()).Delete(ctx, "default", "users", client.DeleteOptions{})
				return err
			}},
		},
		Controller: func(w *sim.World, p *sim.Process) {
			database.New(database.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "database-operator"), Hooks: hooks}).Start()
		},
		Helpers: func(w *sim.World, p *sim.Process) {
			statefulset.New(statefulset.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "statefulset-controller")}).Start()
			garbagecollector.New(garbagecollector.Config{Loop: p.Loop(), Client: p.Client()}).Start()
			(&PodDriver{}).Start(p)
		},
	}
}
