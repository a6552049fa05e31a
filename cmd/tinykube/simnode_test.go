package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// upSim runs `tinykube up --runtime=sim` with args in this process until
// the test ends and returns the API's URL and the data directory.
func upSim(t *testing.T, args ...string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	listen := strings.TrimPrefix(freeURL(t), "https://")
	t.Setenv("KUBECONFIG", filepath.Join(dir, "kubeconfig"))
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int)
	go func() {
		done <- runContext(ctx, append([]string{"up", "--runtime=sim", "--data-dir", dir, "--listen", listen,
			"--etcd-client-url", freeURL(t), "--etcd-peer-url", freeURL(t)}, args...), strings.NewReader(""), &out, &errb)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("up did not stop within 30s of its Ctrl-C")
		}
	})
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(out.String(), " up in "); {
		select {
		case code := <-done:
			t.Fatalf("up exited with %d:\n%s\n%s", code, out.String(), errb.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("up did not come up within 30s:\n%s\n%s", out.String(), errb.String())
		}
	}
	return "https://" + listen, dir
}

// The README's cluster on a machine without containerd, `up
// --runtime=sim`, serves the resource metrics API: its simulated nodes'
// kubelets serve stats summaries on loopback that the metrics pipeline
// scrapes as it scrapes real nodes, so `top nodes` and `top pods` show the
// node's base, a pod's scripted use, and a small idle use for a pod whose
// manifest scripts none. Each process' /metrics, read with the documented
// credentials, is text the Prometheus parser accepts.
func TestUpWithSimulatedNodesServesMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	url, dir := upSim(t, "--nodes", "2", "--metric-resolution", "2s")
	pods := `apiVersion: v1
kind: Pod
metadata:
  name: busy
  annotations: {sim.tinykube.io/behavior: "cpu=300m,memory=48Mi"}
spec:
  containers: [{name: app, image: busybox, resources: {requests: {cpu: 100m}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: idle}
spec:
  containers: [{name: app, image: busybox}]
`
	admin := pkiClient(t, dir, "admin")
	posts := map[string]string{"verb": "POST", "resource": "pods", "code": "201"}
	_, fams := promScrape(t, admin, url+"/metrics")
	postsBefore := promSum(fams["apiserver_request_total"], posts)
	// The namespace's default ServiceAccount comes a moment after up,
	// once the controller manager has been elected.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		code, _, e := tk(t, url, pods, "apply", "-f", "-")
		if code == 0 {
			break
		}
		if time.Now().After(deadline) || !strings.Contains(e, "service account") {
			t.Fatalf("apply: %s", e)
		}
	}

	// Two scrapes after the pods run, the pipeline has their rates.
	want := map[string][2]string{"busy": {"300m", "48Mi"}, "idle": {fmt.Sprintf("%dm", upIdleCPUMilli), fmt.Sprintf("%dMi", upIdleMemoryBytes>>20)}}
	var out, errOut string
	for deadline := time.Now().Add(30 * time.Second); ; {
		var code int
		code, out, errOut = tk(t, url, "", "top", "pods", "--no-headers")
		got := map[string][2]string{}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if f := strings.Fields(line); code == 0 && len(f) == 3 {
				got[f[0]] = [2]string{f[1], f[2]}
			}
		}
		if len(got) == 2 {
			if got["busy"] != want["busy"] || got["idle"] != want["idle"] {
				t.Errorf("top pods = %v, want busy %v and idle %v", got, want["busy"], want["idle"])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("top pods shows not both pods within 30s: %q %q", out, errOut)
		}
		time.Sleep(300 * time.Millisecond)
	}
	code, out, errOut := tk(t, url, "", "top", "nodes", "--no-headers")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "node-1 ") || !strings.HasPrefix(lines[1], "node-2 ") {
		t.Errorf("top nodes = %d %q %q, want node-1 and node-2", code, out, errOut)
	}
	// The API's own answer: the busy pod's container, measured over a
	// window of the resolution.
	resp, err := admin.Get(url + "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/busy")
	if err != nil {
		t.Fatal(err)
	}
	var pm struct {
		Kind       string
		Window     string
		Containers []struct {
			Name  string
			Usage map[string]string
		}
	}
	err = json.NewDecoder(resp.Body).Decode(&pm)
	resp.Body.Close()
	if err != nil || pm.Kind != "PodMetrics" || len(pm.Containers) != 1 || pm.Containers[0].Name != "app" || pm.Containers[0].Usage["memory"] == "" {
		t.Errorf("GET PodMetrics default/busy = %+v (%v), want one container app with its usage", pm, err)
	}

	// The API port's /metrics: the API server's counts moved with the
	// creates, and the scheduler, the controllers' queues and etcd report.
	_, fams = promScrape(t, admin, url+"/metrics")
	if got := promSum(fams["apiserver_request_total"], posts); got < postsBefore+2 {
		t.Errorf("apiserver_request_total%v = %v after creating 2 pods, want at least %v", posts, got, postsBefore+2)
	}
	if got := promSum(fams["scheduler_schedule_attempts_total"], map[string]string{"result": "scheduled"}); got < 2 {
		t.Errorf("scheduler_schedule_attempts_total{result=scheduled} = %v, want at least 2", got)
	}
	for _, name := range []string{"workqueue_adds_total", "workqueue_depth", "etcd_request_duration_seconds", "apiserver_request_duration_seconds", "metrics_server_kubelet_request_total"} {
		if fams[name] == nil {
			t.Errorf("the API port's /metrics has no %s", name)
		}
	}
	if got := promSum(fams["metrics_server_kubelet_request_total"], map[string]string{"success": "true"}); got < 2 {
		t.Errorf("metrics_server_kubelet_request_total{success=true} = %v, want at least 2 (the simulated kubelets answer)", got)
	}

	// The kubelet server /metrics of the busy pod's node, at the port the
	// Node publishes, with the API server's kubelet-client certificate.
	_, node, _ := tk(t, url, "", "get", "pod", "busy", "-o", "jsonpath={.spec.nodeName}")
	_, port, _ := tk(t, url, "", "get", "node", strings.TrimSpace(node), "-o", "jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}")
	kubeletURL := fmt.Sprintf("https://127.0.0.1:%s/metrics", strings.TrimSpace(port))
	code, fams = promScrape(t, pkiClient(t, dir, "kubelet-client"), kubeletURL)
	if code != http.StatusOK {
		t.Fatalf("GET %s with the kubelet-client certificate = %d, want 200", kubeletURL, code)
	}
	if got := promSum(fams["kubelet_runtime_operations_total"], map[string]string{"operation_type": "list_containers"}); got < 1 {
		t.Errorf("kubelet_runtime_operations_total{operation_type=list_containers} = %v, want the kubelet's relists counted", got)
	}
	if fams["kubelet_pod_start_duration_seconds"] == nil || fams["go_goroutines"] == nil {
		t.Errorf("%s has no kubelet_pod_start_duration_seconds or go_goroutines", kubeletURL)
	}
	if code, _ := promScrape(t, pkiClient(t, dir, "admin"), kubeletURL); code != http.StatusUnauthorized {
		t.Errorf("GET %s with the admin's certificate = %d, want 401 (the kubelet answers the API server only)", kubeletURL, code)
	}

	// Logs and exec say why they cannot, rather than that the node has no
	// kubelet.
	if code, _, e := tk(t, url, "", "logs", "busy"); code == 0 || !strings.Contains(e, "simulated node") {
		t.Errorf("logs busy = %d %q, want an error naming the simulated node", code, e)
	}
}
