package sieve

import (
	"context"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/disruption"
	"github.com/tinykube/tinykube/sim"
)

// disruptionCase: a budget over three pods (one never Ready) loses a pod,
// gains one, and is relaxed. Whatever the perturbation (a restart between
// two writes, a stale cache, a lost answer), the status must end counting
// the pods as they are: 2 healthy of 3, 1 desired, 1 allowed.
func disruptionCase() Case {
	return Case{
		Name: "disruption",
		Objects: `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
---
apiVersion: v1
kind: Pod
metadata: {name: web-a, labels: {app: web}}
spec: {containers: [{name: c, image: nginx:1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-b, labels: {app: web}}
spec: {containers: [{name: c, image: nginx:1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-c, labels: {app: web}, annotations: {sieve.tinykube.io/not-ready: "true"}}
spec: {containers: [{name: c, image: nginx:1}]}
`,
		Script: []Step{
			{At: 10 * time.Second, Do: remove[*api.Pod]("default", "web-a", "")},
			{At: 20 * time.Second, Do: func(ctx context.Context, admin *client.Client) error {
				return createObjects(ctx, admin, `
apiVersion: v1
kind: Pod
metadata: {name: web-d, labels: {app: web}}
spec: {containers: [{name: c, image: nginx:1}]}`)
			}},
			{At: 30 * time.Second, Do: update("default", "web", func(b *api.PodDisruptionBudget) {
				one := api.FromInt(1)
				b.Spec.MinAvailable = &one
			})},
		},
		Controller: func(w *sim.World, p *sim.Process) {
			disruption.New(disruption.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "controllermanager")}).Start()
		},
		Helpers: func(w *sim.World, p *sim.Process) { (&PodDriver{}).Start(p) },
		Want:    all(want("poddisruptionbudgets/default/web", 1, `"currentHealthy": 2`, `"desiredHealthy": 1`, `"disruptionsAllowed": 1`, `"expectedPods": 3`, `"observedGeneration": 2`)),
	}
}

func TestDisruption(t *testing.T) {
	t.Parallel()
	Check(t, disruptionCase())
}
