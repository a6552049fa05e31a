package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/controlplane"
	"github.com/tinykube/tinykube/realnode/httpapi"
)

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

// adminHTTP is an HTTP client that verifies s and shows the admin's
// certificate, for tests that speak HTTP to the API themselves.
func adminHTTP(t *testing.T, s *controlplane.Server) *http.Client {
	t.Helper()
	tc, err := s.Admin().TLS()
	if err != nil {
		t.Fatal(err)
	}
	return httpapi.NewHTTPClient(tc)
}

// startServer runs a real server (embedded etcd) on dataDir.
func startServer(t *testing.T, dataDir string) *controlplane.Server {
	t.Helper()
	s, err := controlplane.Start(context.Background(), controlplane.Config{
		DataDir:       dataDir,
		Listen:        "127.0.0.1:0",
		EtcdClientURL: freeURL(t),
		EtcdPeerURL:   freeURL(t),
		Version:       version,
	})
	if err != nil {
		t.Fatalf("starting the server: %v", err)
	}
	// The CLI under test finds its credentials (CA, admin certificate)
	// where a user's would be; --server picks the server.
	t.Setenv("KUBECONFIG", s.Kubeconfig)
	return s
}

// startSimCluster runs a real server (embedded etcd, scheduler,
// controllers) with nodes simulated nodes in real time, all stopped when the
// test ends; it returns the server and an in-process client.
func startSimCluster(t *testing.T, nodes int) (*controlplane.Server, *client.Client) {
	t.Helper()
	s := startServer(t, t.TempDir())
	t.Cleanup(func() { s.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel) // runs before Close, as the deferred calls did
	capacity := api.ResourceList{api.ResourceCPU: api.MustParseQuantity("4"), api.ResourceMemory: api.MustParseQuantity("8Gi"), api.ResourcePods: api.MustParseQuantity("110")}
	cl := client.New(client.Local(s.API.Handle))
	for i := 1; i <= nodes; i++ {
		if _, err := startSimNode(ctx, fmt.Sprintf("node-%d", i), cl, capacity, s.CA()); err != nil {
			t.Fatal(err)
		}
	}
	return s, cl
}

// tk runs the CLI against url and returns exit code, stdout and stderr.
func tk(t *testing.T, url, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"--server", url}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const deployment = `# an ordinary manifest written for Kubernetes
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox:1.36
        imagePullPolicy: IfNotPresent
        terminationMessagePath: /tmp/termination-log
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
`

func TestCLIAgainstRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "app.yaml")
	if err := os.WriteFile(file, []byte(deployment), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, filepath.Join(dir, "data"))
	url := s.URL

	code, out, errOut := tk(t, url, "", "apply", "-f", file)
	if code != 0 || !strings.Contains(out, "deployment.apps/web created") || !strings.Contains(out, "configmap/settings created") {
		t.Fatalf("apply = %d, stdout %q, stderr %q; want both created", code, out, errOut)
	}
	if !strings.Contains(errOut, `Warning: field "spec.template.spec.containers[0].terminationMessagePath"`) {
		t.Errorf("apply stderr = %q, want a warning about terminationMessagePath", errOut)
	}

	code, out, _ = tk(t, url, "", "get", "deploy", "web", "-o", "json")
	var d struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
			Generation      int64  `json:"generation"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal([]byte(out), &d); code != 0 || err != nil {
		t.Fatalf("get -o json = %d %q (%v)", code, out, err)
	}
	if d.Metadata.ResourceVersion == "" || d.Metadata.Generation != 1 {
		t.Errorf("deployment resourceVersion=%q generation=%d, want set and 1", d.Metadata.ResourceVersion, d.Metadata.Generation)
	}

	// Re-applying the same manifest changes nothing; a new replica count
	// is a configured update with a new generation.
	if _, out, _ = tk(t, url, "", "apply", "-f", file); !strings.Contains(out, "deployment.apps/web unchanged") {
		t.Errorf("second apply stdout = %q, want unchanged", out)
	}
	os.WriteFile(file, []byte(strings.Replace(deployment, "replicas: 2", "replicas: 4", 1)), 0o644)
	if _, out, _ = tk(t, url, "", "apply", "-f", file); !strings.Contains(out, "deployment.apps/web configured") {
		t.Errorf("apply with 4 replicas stdout = %q, want configured", out)
	}
	if _, out, _ = tk(t, url, "", "get", "deploy", "web", "-o", "yaml"); !strings.Contains(out, "generation: 2") || !strings.Contains(out, "replicas: 4") {
		t.Errorf("get -o yaml after the update = %q, want generation 2 and replicas 4", out)
	}

	// An invalid name fails, names the field, and stores nothing.
	bad := strings.Replace(deployment, "name: web\n", "name: Web_Site\n", 1)
	code, _, errOut = tk(t, url, bad, "apply", "-f", "-")
	if code == 0 || !strings.Contains(errOut, "metadata.name") || !strings.Contains(errOut, "Invalid") {
		t.Errorf("apply of an invalid name = %d, stderr %q; want failure naming metadata.name", code, errOut)
	}
	if code, _, _ = tk(t, url, "", "get", "deploy", "Web_Site"); code == 0 {
		t.Errorf("the invalid deployment was stored")
	}

	// --strict refuses what a plain apply warns about.
	strict := strings.Replace(deployment, "name: web\n", "name: strict\n", 1)
	if code, _, errOut = tk(t, url, strict, "apply", "--strict", "-f", "-"); code == 0 || !strings.Contains(errOut, "terminationMessagePath") {
		t.Errorf("apply --strict = %d, stderr %q; want refusal naming terminationMessagePath", code, errOut)
	}

	code, out, _ = tk(t, url, "", "get", "deploy,cm")
	for _, want := range []string{"NAME", "READY", "deployment.apps/web", "configmap/settings"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("get deploy,cm = %d %q, want it to contain %q", code, out, want)
		}
	}
	if code, _, errOut = tk(t, url, "", "get", "widgets"); code == 0 || !strings.Contains(errOut, `doesn't have a resource type "widgets"`) {
		t.Errorf("get widgets = %d %q", code, errOut)
	}
	if code, _, errOut = tk(t, url, "", "get", "po", "nope"); code != 1 || !strings.Contains(errOut, `Error from server (NotFound): pods "nope" not found`) {
		t.Errorf("get po nope = %d %q", code, errOut)
	}
	if code, out, _ = tk(t, url, "", "describe", "deploy", "web"); code != 0 || !strings.Contains(out, "4 desired") {
		t.Errorf("describe deploy web = %d %q", code, out)
	}

	// A stale PUT is a 409 Conflict Status.
	stale := fmt.Sprintf(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","resourceVersion":"2"},"data":{"mode":"slow"}}`)
	req, _ := http.NewRequest(http.MethodPut, url+"/api/v1/namespaces/default/configmaps/settings", strings.NewReader(stale))
	req.Header.Set("Content-Type", "application/json")
	resp, err := adminHTTP(t, s).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ Reason string }
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if resp.StatusCode != 409 || st.Reason != "Conflict" {
		t.Errorf("stale PUT = %d %q, want 409 Conflict", resp.StatusCode, st.Reason)
	}

	// Compacted history answers a watch from before it with 410 Gone.
	rev, _ := s.Store.Revision(context.Background())
	if err := s.Store.Compact(context.Background(), rev); err != nil {
		t.Fatal(err)
	}
	resp, err = adminHTTP(t, s).Get(url + "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone {
		t.Errorf("watch from a compacted revision = %d, want 410", resp.StatusCode)
	}

	// Everything survives a restart on the same data directory.
	s.Close()
	s = startServer(t, filepath.Join(dir, "data"))
	defer s.Close()
	code, out, errOut = tk(t, s.URL, "", "get", "deploy", "web", "-o", "name")
	if code != 0 || strings.TrimSpace(out) != "deployment.apps/web" {
		t.Errorf("after restart: get deploy web = %d %q %q", code, out, errOut)
	}

	if code, out, _ = tk(t, s.URL, "", "delete", "-f", file); code != 0 || !strings.Contains(out, `deployment.apps "web" deleted`) {
		t.Errorf("delete -f = %d %q", code, out)
	}
	if code, _, errOut = tk(t, s.URL, "", "get", "deploy"); code != 0 || !strings.Contains(errOut, "No resources found in default namespace.") {
		t.Errorf("get deploy after delete = %d %q", code, errOut)
	}
}

func TestCLIWatchPrintsChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	s := startServer(t, t.TempDir())
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out syncBuffer
	done := make(chan int)
	go func() {
		c := &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &out}
		root := c.rootCommand()
		root.SetArgs([]string{"--server", s.URL, "get", "cm", "-w"})
		root.ExecuteContext(ctx)
		done <- 0
	}()
	for i := 0; i < 3; i++ {
		cm := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: w%d}\n", i)
		if code, _, e := tk(t, s.URL, cm, "apply", "-f", "-"); code != 0 {
			t.Fatalf("apply: %s", e)
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(out.String(), "w2") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
	got := out.String()
	if !strings.Contains(got, "NAME") || !strings.Contains(got, "w0") || !strings.Contains(got, "w2") {
		t.Errorf("get -w printed %q, want a header and rows for w0..w2", got)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tinykube up --runtime=sim --nodes 3, then a ReplicaSet of 5: five Running
// pods spread over the three nodes within seconds, through the real server,
// scheduler, controllers and kubelets in real time.
func TestUpWithSimulatedNodesRunsReplicaSet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	s, _ := startSimCluster(t, 3)
	rs := `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web}
spec:
  replicas: 5
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: httpd, image: busybox, resources: {requests: {cpu: 100m}}}]
`
	if code, _, e := tk(t, s.URL, rs, "apply", "-f", "-"); code != 0 {
		t.Fatalf("apply: %s", e)
	}
	deadline := time.Now().Add(20 * time.Second)
	var out string
	for time.Now().Before(deadline) {
		_, out, _ = tk(t, s.URL, "", "get", "pods", "-o", "wide")
		running, nodes := 0, map[string]bool{}
		for _, line := range strings.Split(out, "\n")[1:] {
			f := strings.Fields(line)
			if len(f) >= 7 && f[2] == "Running" && f[1] == "1/1" {
				running++
				nodes[f[6]] = true
			}
		}
		if running == 5 && len(nodes) >= 2 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("after 20s: want 5 Running pods spread over the nodes, got:\n%s", out)
}

// TestDeleteDeploymentCollectsPods: deleting a Deployment (Background, the
// default) leaves no ReplicaSets and no pods behind, once the garbage
// collector has deleted them and the nodes have stopped the pods.
func TestDeleteDeploymentCollectsPods(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	s, cl := startSimCluster(t, 2)
	ctx := context.Background()
	deploy := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: httpd, image: busybox}]
`
	if code, _, e := tk(t, s.URL, deploy, "apply", "-f", "-"); code != 0 {
		t.Fatalf("apply: %s", e)
	}
	running := func() int {
		_, out, _ := tk(t, s.URL, "", "get", "pods")
		n := 0
		for _, line := range strings.Split(out, "\n")[1:] {
			if f := strings.Fields(line); len(f) >= 3 && f[2] == "Running" {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(20 * time.Second)
	for running() < 3 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if n := running(); n < 3 {
		t.Fatalf("after 20s: %d Running pods, want 3", n)
	}
	if code, out, e := tk(t, s.URL, "", "delete", "deploy", "web"); code != 0 {
		t.Fatalf("delete deploy web = %d, stdout %q, stderr %q", code, out, e)
	}
	deadline = time.Now().Add(30 * time.Second)
	var pods, rsets *api.List[api.Object]
	for time.Now().Before(deadline) {
		var err error
		pods, err = client.Dynamic(cl, api.ResourceByPlural("", "pods")).List(ctx, "default", client.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rsets, err = client.Dynamic(cl, api.ResourceByPlural("apps", "replicasets")).List(ctx, "default", client.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(pods.Items) == 0 && len(rsets.Items) == 0 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("30s after delete deploy web: %d pods and %d ReplicaSets left, want none", len(pods.Items), len(rsets.Items))
}

func TestSimCommands(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "run.json")
	code, out, errOut := tk(t, "", "", "sim", "run", "../../examples/scenarios/node-crash.yaml", "--seed", "3", "--trace", trace)
	if code != 0 || !strings.Contains(out, "ok: no invariant violated") {
		t.Fatalf("sim run node-crash = %d\n%s%s", code, out, errOut)
	}
	b, err := os.ReadFile(trace)
	var ct struct {
		TraceEvents []map[string]any `json:"traceEvents"`
	}
	if err != nil || json.Unmarshal(b, &ct) != nil || len(ct.TraceEvents) < 100 {
		t.Errorf("trace file: %v, %d events", err, len(ct.TraceEvents))
	}
	// --history records the run, checks it and writes porcupine's view.
	view := filepath.Join(dir, "history.html")
	code, out, errOut = tk(t, "", "", "sim", "run", "../../examples/scenarios/node-crash.yaml", "--seed", "3", "--history", view)
	if html, err := os.ReadFile(view); code != 0 || err != nil || !strings.Contains(errOut, "linearizable; porcupine's view written to") || !strings.Contains(string(html), "<html") {
		t.Errorf("sim run --history = %d (view: %v)\n%s%s", code, err, out, errOut)
	}
	// A deliberately broken scheduler: the run fails, naming the invariant.
	src, _ := os.ReadFile("../../sim/cluster/testdata/tight-chaos.yaml")
	broken := filepath.Join(dir, "broken.yaml")
	os.WriteFile(broken, []byte(strings.Replace(string(src), "cluster:\n", "cluster:\n  broken: scheduler-ignores-assumed-pods\n", 1)), 0o644)
	code, out, _ = tk(t, "", "", "sim", "run", broken, "--seed", "1")
	if code != 1 || !strings.Contains(out, "VIOLATION") || !strings.Contains(out, "node-capacity") {
		t.Errorf("sim run of the broken scheduler = %d\n%s", code, out)
	}
	code, out, _ = tk(t, "", "", "sim", "explore", broken, "--seeds", "3")
	if code != 1 || !strings.Contains(out, "replay: tinykube sim run "+broken+" --seed") || !strings.Contains(out, "shrunk to") {
		t.Errorf("sim explore of the broken scheduler = %d\n%s", code, out)
	}
	// A demonstration (expectViolation: one-leader) succeeds by failing,
	// and --only keeps the timeline to the schedulers, faults and checks.
	drift := "../../examples/scenarios/leader-drift.yaml"
	code, out, _ = tk(t, "", "", "sim", "run", drift, "--timeline", "--only", "scheduler")
	if code != 0 || !strings.Contains(out, "as expected: the scenario is built to break one-leader") || !strings.Contains(out, "check              VIOLATION: one-leader") {
		t.Errorf("sim run leader-drift = %d\n%s", code, out)
	}
	lines := regexp.MustCompile(`(?m)^ +\d+\.\d{3}s  (\S+)`).FindAllStringSubmatch(out, -1)
	if len(lines) < 10 {
		t.Errorf("sim run --timeline printed %d timeline lines, want the schedulers' story", len(lines))
	}
	for _, m := range lines {
		if who := m[1]; !strings.HasPrefix(who, "scheduler-") && who != "fault" && who != "check" {
			t.Errorf("--only scheduler kept %q", m[0])
			break
		}
	}
	code, out, _ = tk(t, "", "", "sim", "explore", drift, "--seeds", "3")
	if code != 0 || !strings.Contains(out, "3 of 3 seeds from 1 broke one-leader, as the scenario expects; 0 failed") {
		t.Errorf("sim explore leader-drift = %d\n%s", code, out)
	}
	within := filepath.Join(dir, "within.yaml")
	src, _ = os.ReadFile(drift)
	os.WriteFile(within, []byte(strings.Replace(string(src), "rate: 0.4", "rate: 0.9", 1)), 0o644)
	code, out, _ = tk(t, "", "", "sim", "run", within)
	if code != 1 || !strings.Contains(out, "NOT AS EXPECTED: the scenario is built to break one-leader, and this run did not") {
		t.Errorf("sim run leader-drift within the bound = %d\n%s", code, out)
	}
	if code, _, errOut = tk(t, "", "", "sim", "run", filepath.Join(dir, "nope.yaml")); code == 0 || !strings.Contains(errOut, "nope.yaml") {
		t.Errorf("sim run of a missing file = %d %q", code, errOut)
	}
}

func TestThreeWayPatch(t *testing.T) {
	dec := func(s string) map[string]any {
		var m map[string]any
		if err := decodeNumbers([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, tt := range []struct{ name, orig, mod, cur, want string }{
		{"re-apply with server defaults in a list", `{"spec":{"c":[{"name":"a","image":"x"}]}}`, `{"spec":{"c":[{"name":"a","image":"x"}]}}`,
			`{"spec":{"c":[{"name":"a","image":"x","imagePullPolicy":"Always"}]},"status":{"n":1}}`, `{}`},
		{"changed list is sent whole", `{"spec":{"c":[{"name":"a","image":"x"}]}}`, `{"spec":{"c":[{"name":"a","image":"y"}]}}`,
			`{"spec":{"c":[{"name":"a","image":"x","imagePullPolicy":"Always"}]}}`, `{"spec":{"c":[{"image":"y","name":"a"}]}}`},
		{"field removed from a list element", `{"spec":{"c":[{"name":"a","port":1}]}}`, `{"spec":{"c":[{"name":"a"}]}}`,
			`{"spec":{"c":[{"name":"a","port":1}]}}`, `{"spec":{"c":[{"name":"a"}]}}`},
		{"field dropped from the manifest is deleted", `{"spec":{"x":1,"y":2}}`, `{"spec":{"x":1}}`, `{"spec":{"x":1,"y":2}}`, `{"spec":{"y":null}}`},
		{"field set by others is kept", `{"spec":{"x":1}}`, `{"spec":{"x":1}}`, `{"spec":{"x":1,"replicas":5}}`, `{}`},
		{"someone changed a managed field", `{"spec":{"x":1}}`, `{"spec":{"x":1}}`, `{"spec":{"x":2}}`, `{"spec":{"x":1}}`},
	} {
		got, _ := json.Marshal(threeWay(dec(tt.orig), dec(tt.mod), dec(tt.cur)))
		if string(got) != tt.want {
			t.Errorf("%s: patch = %s, want %s", tt.name, got, tt.want)
		}
	}
}
