package sieve

import (
	"context"
	"fmt"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/replicaset"
	"github.com/tinykube/tinykube/sim"
)

// scale sets spec.replicas of a ReplicaSet, a Deployment or a StatefulSet
// through the admin client.
func scaleRS(name string, replicas int32) func(ctx context.Context, admin *client.Client) error {
	return func(ctx context.Context, admin *client.Client) error {
		rsets := client.For[*api.ReplicaSet](admin)
		rs, err := rsets.Get(ctx, "default", name)
		if err != nil {
			return err
		}
		rs.Spec.Replicas = &replicas
		_, err = rsets.Update(ctx, rs, client.WriteOptions{})
		return err
	}
}

func want(prefix string, n int, fragments ...string) func(o Outcome) error {
	return func(o Outcome) error {
		if got := len(o.Find(prefix, fragments...)); got != n {
			return fmt.Errorf("%d objects under %s with %q, want %d", got, prefix, fragments, n)
		}
		return nil
	}
}

func replicaSetCase() Case {
	return Case{
		Name: "replicaset",
		Objects: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx:1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: orphan, labels: {app: web}}
spec: {containers: [{name: c, image: nginx:1}]}
`,
		Script: []Step{{At: 15e9, Do: scaleRS("web", 5)}, {At: 30e9, Do: scaleRS("web", 2)}},
		Controller: func(w *sim.World, p *sim.Process) {
			rec := client.NewRecorder(p.Loop(), p.Client(), "replicaset-controller", "")
			replicaset.New(replicaset.Config{Loop: p.Loop(), Client: p.Client(), Recorder: rec}).Start()
		},
		Helpers:   func(w *sim.World, p *sim.Process) { (&PodDriver{}).Start(p) },
		Anonymous: []string{"pods"},
		Want:      want("pods/default/", 2, `"phase": "Running"`),
	}
}

func TestReplicaSet(t *testing.T) { Check(t, replicaSetCase()) }
