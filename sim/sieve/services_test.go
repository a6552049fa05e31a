package sieve

import (
	"context"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/endpoints"
	"github.com/tinykube/tinykube/core/controller/servicelb"
	"github.com/tinykube/tinykube/sim"
)

func endpointsCase() Case {
	return Case{
		Name: "endpoints",
		Objects: `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-a, labels: {app: web}}
spec: {containers: [{name: c, image: nginx:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-b, labels: {app: web}}
spec: {containers: [{name: c, image: nginx:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-c, labels: {app: web}, annotations: {sieve.tinykube.io/not-ready: "true"}}
spec: {containers: [{name: c, image: nginx:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, labels: {app: db}}
spec: {containers: [{name: c, image: postgres:1}]}
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
			{At: 30 * time.Second, Do: update("default", "web", func(s *api.Service) { s.Spec.Ports[0].TargetPort = api.IntOrString{IntVal: 9090} })},
			{At: 40 * time.Second, Do: remove[*api.Service]("default", "db", "")},
		},
		Controller: func(w *sim.World, p *sim.Process) {
			endpoints.New(endpoints.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "endpoint-controller")}).Start()
		},
		Helpers: func(w *sim.World, p *sim.Process) { (&PodDriver{}).Start(p) },
		Want: all(want("endpoints/default/web", 1, `"ip:pods/default/web-b"`, `"ip:pods/default/web-d"`, `"notReadyAddresses"`, `"port": 9090`),
			want("endpoints/default/web", 0, `"ip:pods/default/web-a"`), want("endpoints/default/db", 0)),
	}
}

func TestEndpoints(t *testing.T) {
	t.Parallel()
	Check(t, endpointsCase())
}

func serviceLBCase() Case {
	return Case{
		Name:  "servicelb",
		Setup: readyNodes("n1", "n2"),
		Objects: `
apiVersion: v1
kind: Service
metadata: {name: a}
spec: {type: LoadBalancer, selector: {app: a}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: b}
spec: {type: LoadBalancer, selector: {app: b}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: c}
spec: {selector: {app: c}, ports: [{port: 80}]}
`,
		Script: []Step{
			{At: 10 * time.Second, Do: update("default", "b", func(s *api.Service) {
				s.Spec.Type = "ClusterIP"
				for i := range s.Spec.Ports {
					s.Spec.Ports[i].NodePort = 0
				}
			})},
			{At: 20 * time.Second, Do: func(ctx context.Context, admin *client.Client) error {
				return createObjects(ctx, admin, `
apiVersion: v1
kind: Service
metadata: {name: d}
spec: {type: LoadBalancer, selector: {app: d}, ports: [{port: 80}]}`)
			}},
			{At: 30 * time.Second, Do: remove[*api.Service]("default", "a", "")},
		},
		Controller: func(w *sim.World, p *sim.Process) {
			// A new pool each start: a restarted controller relearns the
			// addresses in use from the services' status.
			pool, err := servicelb.NewPoolProvider("192.0.2.0/29")
			if err != nil {
				panic(err)
			}
			servicelb.New(servicelb.Config{Loop: p.Loop(), Client: p.Client(), Recorder: recorder(p, "service-lb-controller"), Provider: pool}).Start()
		},
		Relabel: []string{"ip"},
		Want:    all(want("services/default/d", 1, `"ingress"`), want("services/default/b", 0, `"ingress"`), want("services/default/a", 0)),
	}
}

func TestServiceLB(t *testing.T) {
	t.Parallel()
	Check(t, serviceLBCase())
}
