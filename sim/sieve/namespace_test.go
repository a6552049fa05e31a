package sieve

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/controller/namespace"
	"github.com/tinykube/tinykube/sim"
)

// namespaceCase deletes a namespace holding a running pod (its graceful
// deletion is finished by the pod driver, as a kubelet would), plain
// objects of several kinds and a ConfigMap held by a finalizer that a user
// removes later; a second namespace must keep its content. However the
// controller is crashed or fed stale reads, the first namespace ends
// emptied and removed, the second untouched.
func namespaceCase() Case {
	return Case{
		Name: "namespace",
		Objects: `
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: Namespace
metadata: {name: keep}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: team}
spec: {nodeName: n1, containers: [{name: c, image: nginx:1}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: team}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: held, namespace: team, finalizers: [example.com/hold]}
---
apiVersion: v1
kind: Secret
metadata: {name: token, namespace: team}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: team}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx:1}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: keep}
`,
		Script: []Step{
			{At: 5 * time.Second, Do: remove[*api.Namespace]("", "team", "")},
			{At: 30 * time.Second, Do: update("team", "held", func(cm *api.ConfigMap) { cm.Finalizers = nil })},
		},
		Controller: func(w *sim.World, p *sim.Process) {
			namespace.New(namespace.Config{Loop: p.Loop(), Client: p.Client()}).Start()
		},
		Helpers: func(w *sim.World, p *sim.Process) { (&PodDriver{}).Start(p) },
		Want: all(want("namespaces/team", 0), want("pods/team/", 0), want("configmaps/team/", 0), want("secrets/team/", 0),
			want("services/team/", 0), want("deployments/team/", 0),
			want("namespaces/keep", 1), want("configmaps/keep/settings", 1)),
	}
}

func TestNamespace(t *testing.T) {
	t.Parallel()
	Check(t, namespaceCase())
}
