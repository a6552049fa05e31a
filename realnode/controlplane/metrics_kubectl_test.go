package controlplane

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/kubeletserver"
	"github.com/tinykube/tinykube/realnode/pki"
)

// fakeKubelet serves /stats/summary over the kubelet server's TLS as
// node name, its one pod (default/web, container app) spinning a quarter
// of a core and holding 64Mi, the node half a core and 1Gi. It answers
// only the API server's kubelet-client certificate, as a kubelet does.
func fakeKubelet(t *testing.T, ca *pki.CA, name string) int32 {
	t.Helper()
	certPEM, keyPEM, err := ca.Issue(pki.Request{CommonName: "system:node:" + name, Organization: []string{"system:nodes"},
		IPs: []net.IP{net.ParseIP("127.0.0.1")}, Server: true})
	if err != nil {
		t.Fatal(err)
	}
	serving, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Minute)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats/summary", func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		used := func(milli int64) *uint64 { v := uint64(now.Sub(start).Nanoseconds() * milli / 1000); return &v }
		mem := func(b uint64) *uint64 { return &b }
		sum := api.Summary{
			Node: api.NodeStats{NodeName: name, StartTime: start,
				CPU: &api.CPUStats{Time: now, UsageCoreNanoSeconds: used(500)}, Memory: &api.MemoryStats{Time: now, WorkingSetBytes: mem(1 << 30)}},
			Pods: []api.PodStats{{PodRef: api.PodReference{Namespace: "default", Name: "web"}, StartTime: start,
				Containers: []api.ContainerStats{{Name: "app", StartTime: start,
					CPU: &api.CPUStats{Time: now, UsageCoreNanoSeconds: used(250)}, Memory: &api.MemoryStats{Time: now, WorkingSetBytes: mem(64 << 20)}}}}},
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(sum)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: kubeletserver.RequireAPIServer(mux), TLSConfig: kubeletserver.TLSConfig(serving, ca.Pool())}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	return int32(ln.Addr().(*net.TCPAddr).Port)
}

// TestTopWithKubectl runs the machine's real kubectl's `top` against a
// server whose metrics pipeline scrapes a kubelet over HTTPS: discovery
// finds metrics.k8s.io, the pipeline turns counters into rates, and
// kubectl prints them with its default flags.
func TestTopWithKubectl(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	bin := requireKubectl(t)
	cfg := serverConfig(t, "top", filepath.Join(t.TempDir(), "top"))
	cfg.NoControllers = true // nothing marks the hand-made node NotReady
	cfg.MetricResolution = time.Second
	s := start(t, cfg)
	port := fakeKubelet(t, s.CA(), "n1")
	ctx := context.Background()
	c := client.New(s.AdminTransport())
	n, err := client.For[*api.Node](c).Create(ctx, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n.Status.Conditions = []api.NodeCondition{{Type: api.NodeReady, Status: api.ConditionTrue}}
	n.Status.Addresses = []api.NodeAddress{{Type: "InternalIP", Address: "127.0.0.1"}}
	n.Status.DaemonEndpoints.KubeletEndpoint.Port = port
	n.Status.Allocatable = api.ResourceList{api.ResourceCPU: api.MustParseQuantity("2"), api.ResourceMemory: api.MustParseQuantity("4Gi")}
	n.Status.Capacity = n.Status.Allocatable
	if _, err := client.For[*api.Node](c).UpdateStatus(ctx, n, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.For[*api.ServiceAccount](c).Create(ctx, &api.ServiceAccount{ObjectMeta: api.ObjectMeta{Name: "default", Namespace: "default"}}, client.WriteOptions{}); err != nil && !api.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	pod := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default", Labels: map[string]string{"app": "web"}},
		Spec: api.PodSpec{NodeName: "n1", Containers: []api.Container{{Name: "app", Image: "busybox"}}}}
	if _, err := client.For[*api.Pod](c).Create(ctx, pod, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	k := kubectlRunner{t: t, bin: bin, kubeconfig: s.Kubeconfig}

	var out string
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err = k.run("", "top", "pods")
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("kubectl top pods never succeeded: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\n^web\s+2[45]\dm\s+64Mi\s*$`).MatchString(out) {
		t.Errorf("kubectl top pods:\n%s\nwant web at about 250m and 64Mi", out)
	}
	out = k.must("", "top", "pods", "-l", "app=web", "--containers")
	if !regexp.MustCompile(`(?m)^web\s+app\s+2[45]\dm\s+64Mi\s*$`).MatchString(out) {
		t.Errorf("kubectl top pods -l app=web --containers:\n%s\nwant web's container app", out)
	}
	out = k.must("", "top", "nodes")
	if !regexp.MustCompile(`(?m)^NAME\s+CPU\(cores\)\s+CPU(%|\(%\))\s+MEMORY\(bytes\)\s+MEMORY(%|\(%\)).*\n^n1\s+(49\d|50\d)m\s+2[45]%\s+1024Mi\s+25%`).MatchString(out) {
		t.Errorf("kubectl top nodes:\n%s\nwant n1 at about 500m (25%% of 2) and 1024Mi (25%% of 4Gi)", out)
	}
	out, err = k.run("", "top", "pod", "nosuch")
	if err == nil || !strings.Contains(out, "not found") {
		t.Errorf("kubectl top pod nosuch = %v\n%s\nwant an error: not found", err, out)
	}
	out, _ = k.run("", "get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nosuch")
	if !strings.Contains(out, `podmetrics.metrics.k8s.io \"default/nosuch\" not found`) && !strings.Contains(out, `podmetrics.metrics.k8s.io "default/nosuch" not found`) {
		t.Errorf("kubectl get --raw of a pod without metrics:\n%s\nwant metrics-server's NotFound", out)
	}
}
