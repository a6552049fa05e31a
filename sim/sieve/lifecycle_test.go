package sieve

import (
	"context"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/garbagecollector"
	"github.com/tinykube/tinykube/core/controller/node"
	"github.com/tinykube/tinykube/sim"
)

// owners creates ReplicaSets (with no controller to act on them) each
// owning two pods NAME-1 and NAME-2.
func owners(names ...string) func(ctx context.Context, admin *client.Client) error {
	return func(ctx context.Context, admin *client.Client) error {
		for _, n := range names {
			zero := int32(0)
			rs, err := client.For[*api.ReplicaSet](admin).Create(ctx, &api.ReplicaSet{
				ObjectMeta: api.ObjectMeta{Name: n, Namespace: "default"},
				Spec: api.ReplicaSetSpec{Replicas: &zero, Selector: &api.LabelSelector{MatchLabels: map[string]string{"rs": n}},
					Template: api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: map[string]string{"rs": n}},
						Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox:1"}}}}},
			}, client.WriteOptions{})
			if err != nil {
				return err
			}
			for _, p := range []string{n + "-1", n + "-2"} {
				if err := boundPod(p, "", map[string]string{"rs": n}, rs)(ctx, admin); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

func garbageCollectorCase() Case {
	return Case{
		Name: "garbagecollector",
		Setup: setups(owners("gone", "fg", "orph", "kept"),
			// gone's pods are orphans from the start.
			remove[*api.ReplicaSet]("default", "gone", "")),
		Script: []Step{
			{At: 10 * time.Second, Do: remove[*api.ReplicaSet]("default", "fg", "Foreground")},
			{At: 20 * time.Second, Do: remove[*api.ReplicaSet]("default", "orph", "Orphan")},
			{At: 30 * time.Second, Do: remove[*api.ReplicaSet]("default", "kept", "")},
		},
		Controller: func(w *sim.World, p *sim.Process) {
			garbagecollector.New(garbagecollector.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "garbage-collector")}).Start()
		},
		Want: all(want("pods/default/gone-", 0), want("pods/default/fg-", 0), want("replicasets/default/fg", 0),
			want("pods/default/orph-", 2), want("pods/default/orph-", 0, `"ownerReferences"`), want("replicasets/default/orph", 0),
			want("pods/default/kept-", 0)),
	}
}

func TestGarbageCollector(t *testing.T) {
	t.Parallel()
	Check(t, garbageCollectorCase())
}

func nodeCase() Case {
	return Case{
		Name: "node",
		Setup: setups(readyNodes("n1", "n2", "n3"),
			boundPod("p1", "n1", nil, nil), boundPod("p2", "n2", nil, nil), boundPod("p4", "n3", nil, nil),
			func(ctx context.Context, admin *client.Client) error {
				// p3 tolerates its node's loss for ever: never evicted.
				return createObjects(ctx, admin, `
apiVersion: v1
kind: Pod
metadata: {name: p3}
spec:
  nodeName: n2
  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute}]
  containers: [{name: c, image: busybox:1}]`)
			}),
		Script: []Step{{At: 20 * time.Second, Do: remove[*api.Node]("", "n3", "")}},
		Controller: func(w *sim.World, p *sim.Process) {
			node.New(node.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "node-controller")}).Start()
		},
		Helpers: func(w *sim.World, p *sim.Process) {
			Heartbeats{Nodes: []string{"n1", "n2", "n3"}, Stop: map[string]time.Duration{"n2": 5 * time.Second, "n3": 20 * time.Second}}.Start(w, p)
			(&PodDriver{Dead: map[string]bool{"n2": true, "n3": true}}).Start(p)
		},
		Want: all(want("nodes/n2", 1, `"status": "Unknown"`, `"node.kubernetes.io/unreachable"`), want("nodes/n1", 1, `"status": "True"`),
			want("pods/default/p2", 1, `"deletionTimestamp"`), want("pods/default/p3", 0, `"deletionTimestamp"`),
			want("pods/default/p4", 0), want("pods/default/p1", 1, `"phase": "Running"`)),
	}
}

func TestNodeLifecycle(t *testing.T) {
	t.Parallel()
	Check(t, nodeCase())
}
