package sieve

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/replicaset"
	"github.com/tinykube/tinykube/sim"
)

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
		Script: []Step{
			{At: 15 * time.Second, Do: update("default", "web", func(rs *api.ReplicaSet) { rs.Spec.Replicas = ptr(int32(5)) })},
			{At: 30 * time.Second, Do: update("default", "web", func(rs *api.ReplicaSet) { rs.Spec.Replicas = ptr(int32(2)) })},
		},
		Controller: func(w *sim.World, p *sim.Process) {
			rec := client.NewRecorder(p.Loop(), p.Client(), "replicaset-controller", "")
			replicaset.New(replicaset.Config{Loop: p.Loop(), Client: p.Client(), Recorder: rec}).Start()
		},
		Helpers:   func(w *sim.World, p *sim.Process) { (&PodDriver{}).Start(p) },
		Anonymous: []string{"pods"},
		Want:      want("pods/default/", 2, `"phase": "Running"`),
	}
}

func TestReplicaSet(t *testing.T) {
	t.Parallel()
	Check(t, replicaSetCase())
}
