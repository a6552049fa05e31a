package sieve

import (
	"context"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/garbagecollector"
	"github.com/tinykube/tinykube/core/controller/statefulset"
	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/sim"
)

// databaseCase checks the database operator as Sieve checks an operator:
// two Databases; at 20s the primary pod of one is deleted (a failover),
// at 40s the other Database is deleted (its finalizer's cleanup). Crashes
// before and after every call, stale reads and late watches must not
// change where it ends: one primary per database, the catalog entry of
// the one left, nothing left of the deleted one.
func databaseCase() Case {
	return Case{
		Name: "database-operator",
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
			database.New(database.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "database-operator")}).Start()
		},
		Helpers: func(w *sim.World, p *sim.Process) {
			statefulset.New(statefulset.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "statefulset-controller")}).Start()
			garbagecollector.New(garbagecollector.Config{Loop: p.Loop(), Client: p.Client()}).Start()
			(&PodDriver{}).Start(p)
		},
		Want: all(want("pods/default/orders-", 3, `"phase": "Running"`), want("pods/default/users-", 0),
			want("configmaps/default/database-catalog", 1, `"orders": "orders-`),
			want("statefulsets/default/users", 0)),
	}
}

func TestDatabaseOperator(t *testing.T) {
	t.Parallel()
	Check(t, databaseCase())
}
