package cluster

import (
	"context"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/sim/scenario"
)

// lockedNamespace is a namespace that enforces restricted, and a
// Deployment in it whose pods set nothing: its ReplicaSet's creates are
// refused by Pod Security admission, so no pod ever exists.
const lockedNamespace = `name: pod-security-refuses
duration: 20s
cluster: {nodes: 1, capacity: {cpu: "4", memory: 8Gi, pods: "20"}}
objects:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: locked
    labels: {pod-security.kubernetes.io/enforce: restricted}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: locked}
  spec:
    replicas: 2
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec:
        containers:
        - {name: httpd, image: "busybox:1.36", securityContext: {privileged: true}}
expect:
- reason: FailedCreate
  messageContains: 'is forbidden: violates PodSecurity "restricted:latest": privileged (container "httpd" must not set securityContext.privileged=true)'
`

// A Deployment whose pods violate its namespace's enforced level gets
// FailedCreate events on its ReplicaSet, with Pod Security's message, and
// nothing runs — on every seed.
func TestPodSecurityRefusesADeploymentsPods(t *testing.T) {
	s, err := scenario.Parse([]byte(lockedNamespace))
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 2; seed++ {
		c, err := New(s, seed)
		if err != nil {
			t.Fatal(err)
		}
		if r := c.Run(); r.Violation != nil {
			t.Fatalf("seed %d: %v", seed, r.Violation)
		}
		ctx := context.Background()
		pods, err := client.For[*api.Pod](c.Admin).List(ctx, "locked", client.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(pods.Items); n != 0 {
			t.Errorf("seed %d: %d pods in namespace locked, want none", seed, n)
		}
		events, err := client.For[*api.Event](c.Admin).List(ctx, "locked", client.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range events.Items {
			if e.Reason == "FailedCreate" && e.InvolvedObject.Kind == "ReplicaSet" &&
				strings.Contains(e.Message, `pods "web-`) && strings.Contains(e.Message, `violates PodSecurity "restricted:latest"`) {
				found = true
			}
		}
		if seed == 1 && testing.Verbose() && len(events.Items) > 0 {
			t.Logf("%s: %s", events.Items[0].Reason, events.Items[0].Message)
		}
		if !found {
			t.Errorf("seed %d: no FailedCreate event on the ReplicaSet naming the pod and PodSecurity; events: %v", seed, events.Items)
		}
	}
}
