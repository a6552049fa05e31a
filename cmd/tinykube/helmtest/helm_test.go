package helmtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/realnode/controlplane"
	"github.com/tinykube/tinykube/realnode/runloop"
	simruntime "github.com/tinykube/tinykube/sim/runtime"
)

// The chart: a Deployment, a Service and a ConfigMap, with the replica
// count and image as values, as `helm create` would write them (smaller).
var chart = map[string]string{
	"Chart.yaml": `apiVersion: v2
name: web
description: a web server and its settings
type: application
version: 0.1.0
appVersion: "1.36"
# Helm compares this with the server's /version before it installs.
kubeVersion: ">=1.25.0-0"
`,
	"values.yaml": `replicaCount: 2
image: busybox:1.36
mode: fast
`,
	"templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  labels:
    app.kubernetes.io/name: web
    app.kubernetes.io/instance: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      app.kubernetes.io/instance: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/instance: {{ .Release.Name }}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: {{ .Values.image }}
        command: ["httpd", "-f", "-p", "8080"]
        ports:
        - name: http
          containerPort: 8080
        envFrom:
        - configMapRef:
            name: {{ .Release.Name }}-settings
`,
	"templates/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector:
    app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
  - name: http
    port: 80
    targetPort: http
`,
	// As 'helm create' writes it.
	"templates/serviceaccount.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .Release.Name }}-web
automountServiceAccountToken: true
`,
	// Hooks: a Job before install and upgrade, deleted once it succeeds,
	// and a test Pod for 'helm test'. Simulated containers run until told
	// to exit (sim/runtime/behavior.go); these exit after a second, as a
	// migration or a smoke test would.
	"templates/hooks.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: 1
  template:
    metadata:
      annotations: {sim.tinykube.io/behavior: "exit=1s"}
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: {{ .Values.image }}
        command: ["true"]
---
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-smoke
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation
    sim.tinykube.io/behavior: "exit=1s"
spec:
  restartPolicy: Never
  containers:
  - name: smoke
    image: {{ .Values.image }}
    command: ["wget", "-q", "-O-", "http://{{ .Release.Name }}-web"]
`,
	"templates/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  MODE: {{ .Values.mode | quote }}
  {{- /* what charts do to choose an apiVersion: ask the server's version and groups */}}
  {{- if and (semverCompare ">=1.25-0" .Capabilities.KubeVersion.GitVersion) (.Capabilities.APIVersions.Has "apps/v1/Deployment") }}
  SERVER: modern
  {{- end }}
`,
}

// TestHelm installs, upgrades, rolls back and uninstalls the chart with
// Helm's client-side apply and with its default, server-side apply, each
// in a namespace of its own that Helm creates.
func TestHelm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds helm and starts etcd")
	}
	helm := buildHelm(t)
	kubeconfig, cl := startSimCluster(t, 2)
	chartDir := writeChart(t)

	for _, mode := range []struct {
		name, serverSide string
		// rollback are the extra flags of the rollback: client-side, it
		// replaces the objects (PUT, strict field validation), which
		// Helm refuses together with server-side apply.
		rollback []string
	}{
		{"client-side-apply", "false", []string{"--force-replace"}},
		{"server-side-apply", "true", nil},
	} {
		t.Run(mode.name, func(t *testing.T) {
			h := &helmRunner{t: t, bin: helm, env: helmEnv(t, kubeconfig), ns: "helm-" + mode.serverSide}
			testLifecycle(t, h, cl, chartDir, mode.serverSide, mode.rollback)
		})
	}
	// A release installed client-side (as every Helm 3 release was) and
	// upgraded server-side: Helm first moves the objects' client-side
	// field ownership to its apply manager (a JSON patch of
	// metadata.managedFields, client-go's csaupgrade), then applies.
	t.Run("client-side-then-server-side", func(t *testing.T) {
		h := &helmRunner{t: t, bin: helm, env: helmEnv(t, kubeconfig), ns: "helm-switch"}
		const rel = "shop"
		h.run("install", rel, chartDir, "--create-namespace", "--server-side=false", "--wait", "--timeout", "60s")
		h.run("upgrade", rel, chartDir, "--server-side=true", "--set", "replicaCount=3", "--wait", "--timeout", "60s")
		checkApp(t, cl, h.ns, rel, 3, "fast", true)
		h.run("uninstall", rel, "--wait", "--timeout", "60s")
	})
}

// testLifecycle walks one release through install, list, status, upgrade,
// rollback, history and uninstall, checking after each what the API holds.
func testLifecycle(t *testing.T, h *helmRunner, cl *client.Client, chartDir, serverSide string, rollback []string) {
	ctx := context.Background()
	const rel = "shop"
	ns := h.ns
	wait := []string{"--wait", "--timeout", "60s"}

	h.run(append([]string{"install", rel, chartDir, "--create-namespace", "--server-side=" + serverSide}, wait...)...)
	checkApp(t, cl, ns, rel, 2, "fast", true)
	// Helm waited for the pre-install Job to complete, then deleted it.
	if _, err := client.For[*api.Job](cl).Get(ctx, ns, rel+"-migrate"); !api.IsNotFound(err) {
		t.Errorf("after install, getting the hook Job: %v, want NotFound (hook-succeeded)", err)
	}
	h.run("test", rel, "--timeout", "60s")
	if p, err := client.For[*api.Pod](cl).Get(ctx, ns, rel+"-smoke"); err != nil || p.Status.Phase != api.PodSucceeded {
		t.Errorf("after helm test, the test Pod: %v, err %v; want Succeeded", p, err)
	}

	var list []struct {
		Name, Namespace, Status, Chart, Revision string
	}
	h.json(&list, "list")
	want := []struct{ Name, Namespace, Status, Chart, Revision string }{{rel, ns, "deployed", "web-0.1.0", "1"}}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("helm list (-want +got):\n%s", diff)
	}
	var status struct {
		Name    string
		Version int
		Info    struct{ Status string }
	}
	h.json(&status, "status", rel)
	if status.Name != rel || status.Version != 1 || status.Info.Status != "deployed" {
		t.Errorf("helm status = %+v, want %s revision 1 deployed", status, rel)
	}

	h.run(append([]string{"upgrade", rel, chartDir, "--set", "replicaCount=3", "--set", "mode=slow"}, wait...)...)
	checkApp(t, cl, ns, rel, 3, "slow", true)

	h.run(append(append([]string{"rollback", rel, "1"}, rollback...), wait...)...)
	checkApp(t, cl, ns, rel, 2, "fast", true)

	var history []struct {
		Revision    int
		Status      string
		Description string
	}
	h.json(&history, "history", rel)
	var got []string
	for _, r := range history {
		got = append(got, fmt.Sprintf("%d %s", r.Revision, r.Status))
	}
	if diff := cmp.Diff([]string{"1 superseded", "2 superseded", "3 deployed"}, got); diff != "" {
		t.Errorf("helm history (-want +got):\n%s", diff)
	}
	// Helm keeps each revision in a Secret of type helm.sh/release.v1,
	// labelled owner=helm, name=<release>.
	releases := func() []string {
		l, err := client.For[*api.Secret](cl).List(ctx, ns, client.ListOptions{LabelSelector: "owner=helm,name=" + rel})
		if err != nil {
			t.Fatalf("listing the release Secrets: %v", err)
		}
		var names []string
		for _, s := range l.Items {
			names = append(names, s.Name+" "+string(s.Type))
		}
		return names
	}
	wantReleases := []string{
		"sh.helm.release.v1." + rel + ".v1 helm.sh/release.v1",
		"sh.helm.release.v1." + rel + ".v2 helm.sh/release.v1",
		"sh.helm.release.v1." + rel + ".v3 helm.sh/release.v1",
	}
	if diff := cmp.Diff(wantReleases, releases()); diff != "" {
		t.Errorf("release Secrets (-want +got):\n%s", diff)
	}

	// Foreground: each object goes only once what it owns is gone.
	// Helm's --wait counts an object whose watch has not reported yet
	// (status Unknown) as deleted (helm pkg/kube statusObserver); if that
	// watch reports the Deployment still Terminating just after, helm
	// says so and fails although the uninstall went through. The loop
	// below checks the deletion itself.
	h.runTolerating("still exists. status: Terminating", "uninstall", rel, "--cascade=foreground", "--wait", "--timeout", "60s")
	for _, obj := range []struct {
		kind string
		get  func() error
	}{
		{"Deployment", func() error { _, err := client.For[*api.Deployment](cl).Get(ctx, ns, rel+"-web"); return err }},
		{"Service", func() error { _, err := client.For[*api.Service](cl).Get(ctx, ns, rel+"-web"); return err }},
		{"ConfigMap", func() error { _, err := client.For[*api.ConfigMap](cl).Get(ctx, ns, rel+"-settings"); return err }},
	} {
		// On a busy machine uninstall can return (see above) while a
		// foreground deletion is still working through the Deployment's
		// ReplicaSets: give it a bounded time to finish.
		err := obj.get()
		for deadline := time.Now().Add(30 * time.Second); !api.IsNotFound(err) && time.Now().Before(deadline); err = obj.get() {
			time.Sleep(100 * time.Millisecond)
		}
		if !api.IsNotFound(err) {
			t.Errorf("30s after helm uninstall, getting the %s: %v, want NotFound", obj.kind, err)
		}
	}
	rs, err := client.For[*api.ReplicaSet](cl).List(ctx, ns, client.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + rel})
	if err != nil || len(rs.Items) != 0 {
		t.Errorf("after helm uninstall --cascade=foreground, ReplicaSets: %v (err %v), want none", rs, err)
	}
	if got := releases(); len(got) != 0 {
		t.Errorf("after helm uninstall, release Secrets %q remain", got)
	}
	var after []struct{ Name string }
	h.json(&after, "list")
	if len(after) != 0 {
		t.Errorf("after helm uninstall, helm list = %+v, want none", after)
	}
}

// checkApp checks what the API holds for release rel in ns: the
// Deployment's replicas (and, with ready, that --wait waited for them all
// to be available), and the ConfigMap's MODE.
func checkApp(t *testing.T, cl *client.Client, ns, rel string, replicas int32, mode string, ready bool) {
	t.Helper()
	ctx := context.Background()
	d, err := client.For[*api.Deployment](cl).Get(ctx, ns, rel+"-web")
	if err != nil {
		t.Fatalf("getting the Deployment: %v", err)
	}
	if d.Spec.Replicas == nil || *d.Spec.Replicas != replicas {
		t.Errorf("Deployment %s/%s spec.replicas = %v, want %d", ns, d.Name, d.Spec.Replicas, replicas)
	}
	if ready && d.Status.AvailableReplicas < replicas {
		t.Errorf("helm returned from --wait with Deployment %s/%s at %d available replicas, want %d", ns, d.Name, d.Status.AvailableReplicas, replicas)
	}
	cm, err := client.For[*api.ConfigMap](cl).Get(ctx, ns, rel+"-settings")
	if err != nil {
		t.Fatalf("getting the ConfigMap: %v", err)
	}
	if diff := cmp.Diff(map[string]string{"MODE": mode, "SERVER": "modern"}, cm.Data); diff != "" {
		t.Errorf("ConfigMap %s/%s data (-want +got):\n%s", ns, cm.Name, diff)
	}
	if _, err := client.For[*api.Service](cl).Get(ctx, ns, rel+"-web"); err != nil {
		t.Errorf("getting the Service: %v", err)
	}
}

// helmRunner runs the helm CLI in one namespace with the test's
// environment; a failing command fails the test with its output.
type helmRunner struct {
	t   *testing.T
	bin string
	env []string
	ns  string
}

func (h *helmRunner) run(args ...string) string {
	h.t.Helper()
	return h.runTolerating("", args...)
}

// runTolerating is run, except that a failure whose stderr contains
// tolerated ("" tolerates nothing) is logged instead of failing the test.
func (h *helmRunner) runTolerating(tolerated string, args ...string) string {
	h.t.Helper()
	args = append(args, "--namespace", h.ns)
	cmd := exec.Command(h.bin, args...)
	cmd.Env = h.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		if tolerated == "" || !strings.Contains(errb.String(), tolerated) {
			h.t.Fatalf("helm %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errb.String())
		}
		h.t.Logf("helm %s: %v (tolerated: %s)", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	h.t.Logf("helm %s (%v)", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	if errb.Len() > 0 {
		h.t.Logf("stderr: %s", errb.String())
	}
	return out.String()
}

// json runs a helm command with -o json and decodes its output into v.
func (h *helmRunner) json(v any, args ...string) {
	h.t.Helper()
	out := h.run(append(args, "-o", "json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		h.t.Fatalf("helm %s -o json: %v in %q", strings.Join(args, " "), err, out)
	}
}

// helmEnv is the environment helm runs in: its cache, config and data in
// temporary directories (nothing read from or written to the user's home)
// and the test's kubeconfig.
func helmEnv(t *testing.T, kubeconfig string) []string {
	dir := t.TempDir()
	env := []string{"KUBECONFIG=" + kubeconfig, "HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	for _, v := range []string{"HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"} {
		env = append(env, v+"="+filepath.Join(dir, strings.ToLower(strings.TrimPrefix(v, "HELM_"))))
	}
	return env
}

// buildHelm builds the helm CLI from go.mod's tool dependency into a
// temporary directory and returns its path.
func buildHelm(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("building helm needs the go command on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "helm")
	start := time.Now()
	if out, err := exec.Command(goBin, "build", "-o", bin, "helm.sh/helm/v4/cmd/helm").CombinedOutput(); err != nil {
		t.Fatalf("go build helm.sh/helm/v4/cmd/helm: %v\n%s", err, out)
	}
	t.Logf("built helm in %v", time.Since(start).Round(time.Millisecond))
	return bin
}

// writeChart writes the chart into a temporary directory and returns it.
func writeChart(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "web")
	for name, text := range chart {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startSimCluster runs a real server (embedded etcd, scheduler,
// controllers) on 127.0.0.1 with nodes simulated nodes in real time, as
// `tinykube up --runtime=sim` does, all stopped when the test ends. It
// returns the kubeconfig the server wrote and an in-process client.
func startSimCluster(t *testing.T, nodes int) (string, *client.Client) {
	t.Helper()
	dataDir := t.TempDir()
	s, err := controlplane.Start(context.Background(), controlplane.Config{
		DataDir:       dataDir,
		Listen:        "127.0.0.1:0",
		EtcdClientURL: freeURL(t),
		EtcdPeerURL:   freeURL(t),
		Version:       "v0.0.0-helmtest",
	})
	if err != nil {
		t.Fatalf("starting the server: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel) // runs before Close: nodes stop first
	capacity := api.ResourceList{api.ResourceCPU: api.MustParseQuantity("4"), api.ResourceMemory: api.MustParseQuantity("8Gi"), api.ResourcePods: api.MustParseQuantity("110")}
	cl := client.New(client.Local(s.API.Handle))
	for i := 1; i <= nodes; i++ {
		name := fmt.Sprintf("node-%d", i)
		h := fnv.New64a()
		h.Write([]byte(name))
		l := runloop.New()
		go l.Run(ctx)
		l.Post(func() {
			rt := simruntime.New(l, name, rand.New(rand.NewPCG(h.Sum64(), 1)))
			kubelet.Start(kubelet.Config{Loop: l, Client: cl, Runtime: rt, NodeName: name, Capacity: capacity})
		})
	}
	return filepath.Join(dataDir, "kubeconfig"), cl
}

// freeURL returns an https URL on a loopback port that was free a moment
// ago (etcd's URLs are https).
func freeURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "https://" + l.Addr().String()
}
