package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"sigs.k8s.io/yaml"
)

const exposeManifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web, tier: front}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: busybox:1.36, ports: [{containerPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: two}
spec:
  selector: {matchLabels: {app: two}}
  template:
    metadata: {labels: {app: two}}
    spec:
      containers:
      - {name: a, image: busybox:1.36, ports: [{containerPort: 80}]}
      - {name: b, image: busybox:1.36, ports: [{containerPort: 9090}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: expr}
spec:
  selector: {matchExpressions: [{key: app, operator: In, values: [expr]}]}
  template:
    metadata: {labels: {app: expr}}
    spec:
      containers:
      - {name: c, image: busybox:1.36}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast}
`

func TestExpose(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "app.yaml")
	if err := os.WriteFile(file, []byte(exposeManifests), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, filepath.Join(dir, "data"))
	defer s.Close()
	url := s.URL
	if code, out, errOut := tk(t, url, "", "apply", "-f", file); code != 0 {
		t.Fatalf("apply = %d, %q %q", code, out, errOut)
	}
	cl := client.New(client.Local(s.API.Handle))
	getSvc := func(name string) *api.Service {
		svc, err := client.For[*api.Service](cl).Get(context.Background(), "default", name)
		if err != nil {
			return nil
		}
		return svc
	}

	t.Run("deployment", func(t *testing.T) {
		code, out, errOut := tk(t, url, "", "expose", "deploy/web", "--port", "80", "--target-port", "8080", "--type", "LoadBalancer")
		if code != 0 || out != "service/web exposed\n" {
			t.Fatalf("expose deploy/web = %d, stdout %q, stderr %q; want service/web exposed", code, out, errOut)
		}
		svc := getSvc("web")
		if svc == nil {
			t.Fatal("no Service web after expose")
		}
		want := api.ServicePort{Port: 80, TargetPort: api.FromInt(8080), Protocol: api.ProtocolTCP}
		if svc.Spec.Type != api.ServiceLoadBalancer || len(svc.Spec.Selector) != 1 || svc.Spec.Selector["app"] != "web" ||
			len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != want.Port || svc.Spec.Ports[0].TargetPort != want.TargetPort || svc.Spec.Ports[0].Protocol != want.Protocol {
			t.Errorf("Service web = type %q selector %v ports %+v; want LoadBalancer, app=web, %+v", svc.Spec.Type, svc.Spec.Selector, svc.Spec.Ports, want)
		}
		if svc.Labels["tier"] != "front" {
			t.Errorf("Service web labels = %v, want the deployment's", svc.Labels)
		}
		// The server's load-balancer controller gives it an address from
		// the default pool, on loopback.
		deadline := time.Now().Add(10 * time.Second)
		for {
			svc = getSvc("web")
			if len(svc.Status.LoadBalancer.Ingress) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("Service web has no load-balancer address after 10s: %+v", svc.Status)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if ip := svc.Status.LoadBalancer.Ingress[0].IP; !strings.HasPrefix(ip, "127.0.100.") {
			t.Errorf("Service web ingress IP = %q, want one from 127.0.100.0/24", ip)
		}
	})

	t.Run("port from the one containerPort", func(t *testing.T) {
		code, out, errOut := tk(t, url, "", "expose", "deployment", "web", "--name", "web2")
		if code != 0 || out != "service/web2 exposed\n" {
			t.Fatalf("expose = %d, %q, %q", code, out, errOut)
		}
		if svc := getSvc("web2"); svc == nil || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 8080 || svc.Spec.Type != api.ServiceClusterIP {
			t.Errorf("Service web2 = %+v, want ClusterIP port 8080", svc)
		}
	})

	errs := []struct {
		args []string
		want string
	}{
		{[]string{"expose", "deploy/two"}, "declares 2 container ports (a:80, b:9090): choose the one to expose with --port"},
		{[]string{"expose", "configmap/settings", "--port", "80"}, "cannot expose configmap/settings: tinykube exposes deployments, replicasets, pods and services"},
		{[]string{"expose", "rs/expr", "--port", "80"}, "replicaset.apps/expr selects its pods with matchExpressions"},
		{[]string{"expose", "deploy/web", "--port", "80", "--type", "ExternalName"}, `--type "ExternalName": choose ClusterIP, NodePort or LoadBalancer`},
		{[]string{"expose", "deploy/nope", "--port", "80"}, `"nope" not found`},
	}
	for _, tt := range errs {
		code, out, errOut := tk(t, url, "", tt.args...)
		if code == 0 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v = %d, stdout %q, stderr %q; want a failure saying %q", tt.args, code, out, errOut, tt.want)
		}
	}

	t.Run("dry run", func(t *testing.T) {
		code, out, errOut := tk(t, url, "", "expose", "rs/expr", "--port", "80", "--selector", "app=expr", "--name", "dry", "-o", "yaml", "--dry-run=client")
		if code != 0 {
			t.Fatalf("expose --dry-run=client = %d, %q, %q", code, out, errOut)
		}
		var svc api.Service
		if err := yaml.Unmarshal([]byte(out), &svc); err != nil || svc.Kind != "Service" || svc.Name != "dry" || svc.Spec.Selector["app"] != "expr" || svc.Spec.Ports[0].Port != 80 {
			t.Errorf("expose -o yaml printed %q (%v), want Service dry selecting app=expr on port 80", out, err)
		}
		if getSvc("dry") != nil {
			t.Errorf("--dry-run=client created Service dry")
		}
	})
}

func TestGetServicesAndEndpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	s := startServer(t, t.TempDir())
	defer s.Close()
	url := s.URL
	// No selector: the Endpoints are the user's own (with a selector the
	// endpoints controller would rewrite them from the pods, of which there
	// are none).
	svc := `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: web}
subsets:
- addresses: [{ip: 10.0.0.5}]
  ports: [{port: 8080}]
`
	if code, out, errOut := tk(t, url, svc, "apply", "-f", "-"); code != 0 {
		t.Fatalf("apply = %d, %q %q", code, out, errOut)
	}
	code, out, errOut := tk(t, url, "", "get", "svc,endpoints")
	if code != 0 {
		t.Fatalf("get svc,endpoints = %d, %q", code, errOut)
	}
	t.Logf("get svc,endpoints:\n%s", out)
	for _, want := range []string{"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "service/web", "ClusterIP", "80/TCP", "ENDPOINTS", "endpoints/web", "10.0.0.5:8080"} {
		if !strings.Contains(out, want) {
			t.Errorf("get svc,endpoints printed\n%s\nwant it to contain %q", out, want)
		}
	}
}
