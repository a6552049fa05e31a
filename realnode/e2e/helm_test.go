package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// helmChart is a small chart of busybox web servers behind a Service, with
// a pre-install hook Job; cmd/tinykube/helmtest runs a fuller one on
// simulated nodes.
var helmChart = map[string]string{
	"Chart.yaml":  "apiVersion: v2\nname: web\nversion: 0.1.0\nkubeVersion: \">=1.25.0-0\"\n",
	"values.yaml": "replicaCount: 1\n",
	"templates/web.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}-web}
spec:
  replicas: {{ .Values.replicaCount }}
  selector: {matchLabels: {app: {{ .Release.Name }}}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: busybox
        imagePullPolicy: IfNotPresent
        command: [sh, -c]
        args: ["mkdir /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /, port: http}
          periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata: {name: {{ .Release.Name }}-web}
spec:
  selector: {app: {{ .Release.Name }}}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    helm.sh/hook: pre-install
    helm.sh/hook-delete-policy: hook-succeeded
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: migrate, image: busybox, imagePullPolicy: IfNotPresent, command: ["true"]}
`,
}

// TestHelmOnContainerd: Helm 4 (client-side apply; server-side waits for
// tinykube's apply) installs the chart with --wait on a containerd node,
// so its hook Job really ran and its pods really answer, then upgrades,
// rolls back and uninstalls it.
func TestHelmOnContainerd(t *testing.T) {
	c := newCluster(t)
	c.startAgent(nodeA)
	helm := filepath.Join(t.TempDir(), "helm")
	if out, err := exec.Command("go", "build", "-o", helm, "helm.sh/helm/v4/cmd/helm").CombinedOutput(); err != nil {
		t.Fatalf("go build helm.sh/helm/v4/cmd/helm: %v\n%s", err, out)
	}
	chart := filepath.Join(t.TempDir(), "web")
	for name, text := range helmChart {
		p := filepath.Join(chart, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	home := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"KUBECONFIG=" + filepath.Join(c.state, "server", "kubeconfig"),
		"HELM_CACHE_HOME=" + filepath.Join(home, "cache"), "HELM_CONFIG_HOME=" + filepath.Join(home, "config"), "HELM_DATA_HOME=" + filepath.Join(home, "data")}
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(helm, args...)
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("helm %s: %v\n%s\n%s", strings.Join(args, " "), err, out.String(), c.events())
		}
	}
	replicas := func(want int32) {
		t.Helper()
		d, err := client.For[*api.Deployment](c.client).Get(context.Background(), "default", "shop-web")
		if err != nil {
			t.Fatalf("getting the Deployment: %v", err)
		}
		if *d.Spec.Replicas != want || d.Status.AvailableReplicas != want {
			t.Errorf("after helm returned from --wait: Deployment replicas %d, available %d; want %d", *d.Spec.Replicas, d.Status.AvailableReplicas, want)
		}
	}

	run("install", "shop", chart, "--server-side=false", "--wait", "--timeout", "90s")
	replicas(1)
	for _, p := range c.running("app=shop", 1) {
		if body, err := get("http://" + p.Status.PodIP + ":8080/"); err != nil || strings.TrimSpace(body) != p.Name {
			t.Errorf("GET pod %s = %q, %v; want its hostname", p.Name, body, err)
		}
	}
	run("upgrade", "shop", chart, "--set", "replicaCount=2", "--wait", "--timeout", "90s")
	replicas(2)
	run("rollback", "shop", "1", "--wait", "--timeout", "90s")
	replicas(1)
	run("uninstall", "shop", "--wait", "--timeout", "90s")
	if _, err := client.For[*api.Deployment](c.client).Get(context.Background(), "default", "shop-web"); !api.IsNotFound(err) {
		t.Errorf("after helm uninstall, getting the Deployment: %v, want NotFound", err)
	}
	c.eventually("the release's pods to be gone", 60*time.Second, func() (bool, string) {
		left := c.pods("app=shop")
		return len(left) == 0, strings.Repeat("pod ", len(left))
	})
}
