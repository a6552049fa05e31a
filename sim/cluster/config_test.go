package cluster

import (
	"context"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// A Deployment whose pods name a ConfigMap that does not exist yet waits
// (FailedMount), starts once the ConfigMap is created, and becomes ready
// when a patch of the ConfigMap reaches the mounted file — on every seed,
// with a kubelet restart and cut watches on the way.
func TestDeploymentWaitsForItsConfigMap(t *testing.T) {
	s := load(t, "config-waits.yaml")
	for seed := uint64(1); seed <= 3; seed++ {
		c, err := New(s, seed)
		if err != nil {
			t.Fatal(err)
		}
		r := c.Run()
		if r.Violation != nil {
			t.Fatalf("seed %d: %v", seed, r.Violation)
		}
		pods, err := client.For[*api.Pod](c.Admin).List(context.Background(), "default", client.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ready := 0
		for _, p := range pods.Items {
			if api.IsPodReady(p) {
				ready++
				if n := p.Status.ContainerStatuses[0].RestartCount; n != 0 {
					t.Errorf("seed %d: pod %s restarted %d times; the ConfigMap's change must reach it without a restart", seed, p.Name, n)
				}
			}
		}
		if ready != 3 {
			t.Errorf("seed %d: %d ready pods at the end, want 3", seed, ready)
		}
	}
}
