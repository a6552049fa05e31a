package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/realnode/containerdrt"
	"github.com/tinykube/tinykube/realnode/netnstest"
	"github.com/tinykube/tinykube/realnode/nodetest"
)

// As root the CLI's tests run in a network namespace of their own, so
// `up` on containerd can make its bridge and pods there.
func TestMain(m *testing.M) { netnstest.Main(m) }

// The README's promise: `tinykube up` as root brings up a one-machine
// cluster on containerd (starting a private one, importing busybox), and
// examples/web.yaml gives 3 Running pods whose IPs answer HTTP.
func TestUpRunsWebExampleOnContainerd(t *testing.T) {
	nodetest.Require(t)
	if containerdrt.Ping(containerdrt.DefaultSocket) == nil {
		t.Log("a system containerd answers; up uses it (namespace tinykube-uptest)")
	}
	dir := t.TempDir()
	listen := strings.TrimPrefix(freeURL(t), "https://")
	t.Setenv("KUBECONFIG", filepath.Join(dir, "kubeconfig"))
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int)
	go func() {
		done <- runContext(ctx, []string{"up", "--data-dir", dir, "--listen", listen,
			"--etcd-client-url", freeURL(t), "--etcd-peer-url", freeURL(t),
			"--node-name", "upnode", "--pod-cidr", "10.83.0.0/24", "--bridge", "tkup0",
			"--containerd-namespace", "tinykube-uptest", "--kubelet-listen", "127.0.0.1:0", "--node-ip", "127.0.0.1"},
			strings.NewReader(""), &out, &errb)
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Error("up did not stop within 60s of its Ctrl-C")
		}
	}()
	url := "https://" + listen
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), " up in ") {
		select {
		case code := <-done:
			t.Fatalf("up exited with %d:\n%s\n%s", code, out.String(), errb.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("up did not come up:\n%s\n%s", out.String(), errb.String())
		}
	}
	if !strings.Contains(out.String(), "on containerd") || !strings.Contains(out.String(), "docker.io/library/busybox:latest") {
		t.Fatalf("up did not run a containerd node with the busybox image:\n%s\n%s", out.String(), errb.String())
	}

	if code, _, stderr := tk(t, url, "", "apply", "-f", filepath.Join("..", "..", "examples", "web.yaml")); code != 0 {
		t.Fatalf("apply: %s", stderr)
	}
	type podList struct {
		Items []struct {
			Metadata struct{ Name string }
			Status   struct {
				Phase, PodIP string
			}
		}
	}
	var pods podList
	deadline = time.Now().Add(90 * time.Second)
	for {
		_, js, _ := tk(t, url, "", "get", "pods", "-l", "app=web", "-o", "json")
		pods = podList{}
		json.Unmarshal([]byte(js), &pods)
		running := 0
		for _, p := range pods.Items {
			if p.Status.Phase == "Running" && p.Status.PodIP != "" {
				running++
			}
		}
		if running == 3 && len(pods.Items) == 3 {
			break
		}
		if time.Now().After(deadline) {
			_, table, _ := tk(t, url, "", "get", "pods", "-o", "wide")
			_, events, _ := tk(t, url, "", "get", "events")
			t.Fatalf("3 Running web pods not within 90s:\n%s\n%s", table, events)
		}
		time.Sleep(300 * time.Millisecond)
	}
	seen := map[string]bool{}
	for _, p := range pods.Items {
		if seen[p.Status.PodIP] {
			t.Fatalf("two pods share IP %s", p.Status.PodIP)
		}
		seen[p.Status.PodIP] = true
		var body string
		for try := 0; ; try++ {
			resp, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://" + p.Status.PodIP + ":8080/")
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				body = string(b)
				break
			}
			if try == 20 {
				t.Fatalf("pod %s at %s does not answer: %v", p.Metadata.Name, p.Status.PodIP, err)
			}
			time.Sleep(250 * time.Millisecond)
		}
		if strings.TrimSpace(body) != "hello from "+p.Metadata.Name {
			t.Errorf("pod %s answered %q", p.Metadata.Name, body)
		}
	}
	// Logs and exec reach the node through the API server.
	name := pods.Items[0].Metadata.Name
	if code, logs, stderr := tk(t, url, "", "logs", name); code != 0 || !strings.Contains(logs, "serving /www on :8080") {
		t.Errorf("logs %s = %d %q %q", name, code, logs, stderr)
	}
	if code, o, stderr := tk(t, url, "", "exec", name, "--", "hostname"); code != 0 || strings.TrimSpace(o) != name {
		t.Errorf("exec %s -- hostname = %d %q %q", name, code, o, stderr)
	}
	// Both halves' Prometheus /metrics, read as the README says: the API
	// port with the admin's certificate (its counts move with the requests
	// made), the kubelet server with the API server's kubelet-client
	// certificate.
	admin := pkiClient(t, dir, "admin")
	lists := map[string]string{"verb": "LIST", "resource": "pods", "code": "200"}
	_, fams := promScrape(t, admin, url+"/metrics")
	before := promSum(fams["apiserver_request_total"], lists)
	tk(t, url, "", "get", "pods")
	_, fams = promScrape(t, admin, url+"/metrics")
	if got := promSum(fams["apiserver_request_total"], lists); got < before+1 {
		t.Errorf("apiserver_request_total%v = %v after a get pods, want at least %v", lists, got, before+1)
	}
	if got := promSum(fams["scheduler_schedule_attempts_total"], map[string]string{"result": "scheduled"}); got < 3 {
		t.Errorf("scheduler_schedule_attempts_total{result=scheduled} = %v, want at least 3", got)
	}
	for _, name := range []string{"workqueue_adds_total", "workqueue_depth", "etcd_request_duration_seconds"} {
		if fams[name] == nil {
			t.Errorf("the API port's /metrics has no %s", name)
		}
	}
	_, port, _ := tk(t, url, "", "get", "node", "upnode", "-o", "jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}")
	kubeletMetrics := "https://127.0.0.1:" + strings.TrimSpace(port) + "/metrics"
	if code, fams := promScrape(t, pkiClient(t, dir, "kubelet-client"), kubeletMetrics); code != http.StatusOK {
		t.Errorf("GET %s with the kubelet-client certificate = %d, want 200", kubeletMetrics, code)
	} else {
		if got := promSum(fams["kubelet_pod_start_duration_seconds"], nil); got < 3 {
			t.Errorf("kubelet_pod_start_duration_seconds has %v samples, want the 3 web pods' starts", got)
		}
		if got := promSum(fams["kubelet_runtime_operations_total"], map[string]string{"operation_type": "start_container"}); got < 3 {
			t.Errorf("kubelet_runtime_operations_total{operation_type=start_container} = %v, want at least 3", got)
		}
	}
	// A Service by `expose`: a pod reaches it by name through the node's
	// DNS server and proxy, and a LoadBalancer service gets an address from
	// up's loopback pool that answers from the machine.
	if code, o, stderr := tk(t, url, "", "expose", "deploy/web", "--port", "80", "--target-port", "8080"); code != 0 || !strings.Contains(o, "service/web exposed") {
		t.Fatalf("expose = %d %q %q", code, o, stderr)
	}
	if code, o, stderr := tk(t, url, "", "expose", "deploy/web", "--name", "web-lb", "--type", "LoadBalancer", "--port", "8081", "--target-port", "8080"); code != 0 {
		t.Fatalf("expose --type LoadBalancer = %d %q %q", code, o, stderr)
	}
	eventually := func(what string, f func() (bool, string)) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			ok, last := f()
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 30s; last: %s", what, last)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	eventually("wget http://web/ from a pod", func() (bool, string) {
		code, o, stderr := tk(t, url, "", "exec", name, "--", "wget", "-qO-", "http://web/")
		return code == 0 && strings.HasPrefix(strings.TrimSpace(o), "hello from web-"), o + stderr
	})
	var lbIP string
	eventually("an external IP for web-lb", func() (bool, string) {
		_, o, _ := tk(t, url, "", "get", "svc", "web-lb", "-o", "json")
		var svc struct {
			Status struct {
				LoadBalancer struct{ Ingress []struct{ IP string } }
			}
		}
		json.Unmarshal([]byte(o), &svc)
		if in := svc.Status.LoadBalancer.Ingress; len(in) > 0 {
			lbIP = in[0].IP
		}
		return strings.HasPrefix(lbIP, "127.0.100."), o
	})
	eventually("GET http://"+lbIP+":8081/ from the machine", func() (bool, string) {
		resp, err := (&http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}).Get("http://" + lbIP + ":8081/")
		if err != nil {
			return false, err.Error()
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.HasPrefix(string(b), "hello from web-"), string(b)
	})
	if code, o, _ := tk(t, url, "", "get", "svc,endpoints"); code != 0 || !strings.Contains(o, "CLUSTER-IP") || !strings.Contains(o, "EXTERNAL-IP") || !strings.Contains(o, lbIP) || !strings.Contains(o, ":8080") {
		t.Errorf("get svc,endpoints:\n%s", o)
	}
	tk(t, url, "", "delete", "svc", "web", "web-lb")

	// Clean up before up's Ctrl-C, so the pods' networks are released.
	tk(t, url, "", "delete", "-f", filepath.Join("..", "..", "examples", "web.yaml"))
	deadline = time.Now().Add(60 * time.Second)
	for {
		_, o, _ := tk(t, url, "", "get", "pods", "-o", "name")
		if strings.TrimSpace(o) == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pods left after delete: %s", o)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
