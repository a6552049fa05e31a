package main

import (
	"context"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/realnode/httpapi"
)

// fixedMetrics is a MetricsSource with fixed answers.
type fixedMetrics struct {
	nodes []api.NodeMetrics
	pods  []api.PodMetrics
}

func (m *fixedMetrics) NodeMetrics() []api.NodeMetrics { return m.nodes }

func (m *fixedMetrics) PodMetrics(ns string) []api.PodMetrics {
	var out []api.PodMetrics
	for _, p := range m.pods {
		if ns == "" || p.Namespace == ns {
			out = append(out, p)
		}
	}
	return out
}

func used(cpu, mem string) api.ResourceList {
	return api.ResourceList{api.ResourceCPU: api.MustParseQuantity(cpu), api.ResourceMemory: api.MustParseQuantity(mem)}
}

// metricsServer serves an API over a memory store with metrics, the Nodes
// n1 and n2 (allocatable 2 CPUs and 4Gi; only n1 measured) and the pods
// default/web (two containers), default/db and kube-system/dns.
func metricsServer(t *testing.T, m *fixedMetrics) string {
	t.Helper()
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: &clock.Fixed{T: time.Now()}, Rand: rand.New(rand.NewPCG(1, 1)), Version: "test", Metrics: m})
	ctx := context.Background()
	if err := srv.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	cl := client.New(client.Local(srv.Handle))
	for _, name := range []string{"n1", "n2"} {
		n, err := client.For[*api.Node](cl).Create(ctx, &api.Node{ObjectMeta: api.ObjectMeta{Name: name}}, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n.Status.Allocatable = used("2", "4Gi")
		if _, err := client.For[*api.Node](cl).UpdateStatus(ctx, n, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range [][3]string{{"default", "web", "web"}, {"default", "db", "db"}, {"kube-system", "dns", "dns"}} {
		pod := &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: p[0], Name: p[1], Labels: map[string]string{"app": p[2]}},
			Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}}}
		if _, err := client.For[*api.Pod](cl).Create(ctx, pod, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewServer(httpapi.Handler(srv.Handle, httpapi.Options{}))
	t.Cleanup(hs.Close)
	return hs.URL
}

func TestTop(t *testing.T) {
	m := &fixedMetrics{}
	url := metricsServer(t, m)
	// Nothing measured yet: kubectl's words.
	if code, _, errOut := tk(t, url, "", "top", "pods"); code != 1 || !strings.Contains(errOut, "error: metrics not available yet") {
		t.Errorf("top pods with no metrics = %d %q, want error: metrics not available yet", code, errOut)
	}
	if code, _, errOut := tk(t, url, "", "top", "nodes"); code != 1 || !strings.Contains(errOut, "error: metrics not available yet") {
		t.Errorf("top nodes with no metrics = %d %q, want error: metrics not available yet", code, errOut)
	}
	if code, _, errOut := tk(t, url, "", "top", "pods", "-n", "empty"); code != 0 || !strings.Contains(errOut, "No resources found in empty namespace.") {
		t.Errorf("top pods in an empty namespace = %d %q, want No resources found", code, errOut)
	}
	m.nodes = []api.NodeMetrics{{ObjectMeta: api.ObjectMeta{Name: "n1"}, Window: "15s", Usage: used("500m", "1Gi")}}
	m.pods = []api.PodMetrics{
		{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "db"}, Containers: []api.ContainerMetrics{{Name: "c", Usage: used("5m", "200Mi")}}},
		{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web"}, Containers: []api.ContainerMetrics{
			{Name: "app", Usage: used("250m", "64Mi")}, {Name: "side", Usage: used("1m", "10Mi")}}},
		{ObjectMeta: api.ObjectMeta{Namespace: "kube-system", Name: "dns"}, Containers: []api.ContainerMetrics{{Name: "c", Usage: used("3m", "20Mi")}}},
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"top", "nodes"}, "" +
			"NAME   CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)   \n" +
			"n1     500m         25%         1024Mi          25%         \n" +
			"n2     <unknown>    <unknown>   <unknown>       <unknown>   \n"},
		{[]string{"top", "pods"}, "" +
			"NAME   CPU(cores)   MEMORY(bytes)   \n" +
			"db     5m           200Mi           \n" +
			"web    251m         74Mi            \n"},
		{[]string{"top", "pods", "--sort-by=cpu"}, "" +
			"NAME   CPU(cores)   MEMORY(bytes)   \n" +
			"web    251m         74Mi            \n" +
			"db     5m           200Mi           \n"},
		{[]string{"top", "pods", "-l", "app=web", "--containers"}, "" +
			"POD   NAME   CPU(cores)   MEMORY(bytes)   \n" +
			"web   app    250m         64Mi            \n" +
			"web   side   1m           10Mi            \n"},
		{[]string{"top", "pods", "-A", "--sort-by=memory", "--no-headers"}, "" +
			"default       db    5m     200Mi   \n" +
			"default       web   251m   74Mi    \n" +
			"kube-system   dns   3m     20Mi    \n"},
		{[]string{"top", "pod", "db"}, "" +
			"NAME   CPU(cores)   MEMORY(bytes)   \n" +
			"db     5m           200Mi           \n"},
	} {
		code, out, errOut := tk(t, url, "", tc.args...)
		if code != 0 || out != tc.want {
			t.Errorf("%v = %d\n%s%s\nwant\n%s", tc.args, code, out, errOut, tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"top", "pod", "nosuch"}, `podmetrics.metrics.k8s.io "default/nosuch" not found`},
		{[]string{"top", "pods", "--sort-by=name"}, "error: --sort-by accepts only cpu or memory"},
		{[]string{"top", "pod", "web", "-l", "app=web"}, "error: only one of NAME or selector can be provided"},
	} {
		if code, _, errOut := tk(t, url, "", tc.args...); code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v = %d %q, want an error containing %q", tc.args, code, errOut, tc.want)
		}
	}
	if code, _, errOut := tk(t, memServer(t), "", "top", "nodes"); code != 1 || !strings.Contains(errOut, "error: Metrics API not available") {
		t.Errorf("top nodes on a server without metrics = %d %q, want error: Metrics API not available", code, errOut)
	}
}
