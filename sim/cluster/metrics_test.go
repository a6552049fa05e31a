package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/core/rest"
	simruntime "github.com/tinykube/tinykube/sim/runtime"
	"github.com/tinykube/tinykube/sim/scenario"
)

const metricsScenario = `
name: metrics
duration: 60s
cluster:
  nodes: 2
  capacity: {cpu: "4", memory: 8Gi, pods: "20"}
  apiServers: 2
  metrics: true
  metricResolution: 5s
objects:
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: web}
  spec:
    replicas: 2
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec:
        containers:
        - {name: httpd, image: busybox, resources: {requests: {cpu: 100m}}}
liveness: {within: 40s}
`

// measuredRuntime is the simulated runtime measuring each running
// container as spinning a fifth of a core with 32Mi, the node as twice
// its containers: a stand-in StatsProvider until the simulated runtime
// measures by itself.
type measuredRuntime struct {
	*simruntime.Runtime
	now func() time.Time
}

func (m measuredRuntime) ContainerStats() (map[string]kubelet.ContainerUsage, error) {
	out := map[string]kubelet.ContainerUsage{}
	now := m.now()
	for _, c := range m.Running() {
		out[c.ID] = kubelet.ContainerUsage{Time: now, CPUCoreNanoSeconds: uint64(now.Sub(c.StartedAt).Nanoseconds() / 5),
			MemoryWorkingSetBytes: 32 << 20, MemoryUsageBytes: 40 << 20}
	}
	return out, nil
}

func (m measuredRuntime) NodeStats() (kubelet.NodeUsage, error) {
	cs, _ := m.ContainerStats()
	n := kubelet.NodeUsage{Time: m.now(), MemoryAvailableBytes: 4 << 30}
	for _, u := range cs {
		n.CPUCoreNanoSeconds += 2 * u.CPUCoreNanoSeconds
		n.MemoryWorkingSetBytes += 2 * u.MemoryWorkingSetBytes
	}
	return n, nil
}

// TestMetricsPipelineInTheSimulator: with cluster.metrics, each API
// server scrapes the kubelets through the simulated network and serves
// metrics.k8s.io; a client of either server reads the pods' use.
func TestMetricsPipelineInTheSimulator(t *testing.T) {
	s, err := scenario.Parse([]byte(metricsScenario))
	if err != nil {
		t.Fatal(err)
	}
	var c *Cluster
	c, err = NewWith(s, 1, Plugins{KubeletRuntime: func(_ string, rt *simruntime.Runtime) kubelet.Runtime {
		return measuredRuntime{Runtime: rt, now: func() time.Time { return c.W.Loop.Now() }}
	}})
	if err != nil {
		t.Fatal(err)
	}
	c.W.Trace.Verbose = true // scrapes are reads
	r := c.Run()
	if r.Violation != nil {
		t.Fatalf("violation at %v: %v", r.At, r.Violation)
	}
	var again *Cluster
	again, err = NewWith(s, 1, Plugins{KubeletRuntime: func(_ string, rt *simruntime.Runtime) kubelet.Runtime {
		return measuredRuntime{Runtime: rt, now: func() time.Time { return again.W.Loop.Now() }}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if r2 := again.Run(); r2.TraceHash != r.TraceHash {
		t.Errorf("a second run of seed 1 has trace hash %x, want %x (the scrapes must replay)", r2.TraceHash, r.TraceHash)
	}
	if tl := timeline(c); !strings.Contains(tl, "GET /stats/summary to kubelet/node-1") {
		t.Errorf("the timeline shows no scrape of node-1's kubelet")
	}
	ctx := context.Background()
	// Ask each server in turn, as the admin, across the network.
	for _, srv := range c.Servers {
		var got *rest.Response
		for range c.Servers { // the transport fails over until it reaches srv
			cl := client.New(c.W.Net.Transport(AdminProcess))
			got, err = cl.Do(ctx, &rest.Request{Method: "GET", Path: "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods"})
			if err == nil {
				break
			}
		}
		if err != nil || got.Code != 200 {
			t.Fatalf("%s: GET pod metrics = %v %v", srv.Name, got, err)
		}
		body := string(got.Body)
		if !strings.Contains(body, `"kind":"PodMetricsList"`) || strings.Count(body, `"name":"httpd"`) != 2 ||
			strings.Count(body, `"cpu":"200m"`) != 2 || strings.Count(body, `"memory":"32Mi"`) != 2 {
			t.Errorf("%s: pod metrics = %s, want web's two pods at 200m and 32Mi", srv.Name, body)
		}
	}
	nodes, err := client.New(c.W.Net.Transport(AdminProcess)).Do(ctx, &rest.Request{Method: "GET", Path: "/apis/metrics.k8s.io/v1beta1/nodes"})
	if err != nil || !strings.Contains(string(nodes.Body), `"kind":"NodeMetricsList"`) || !strings.Contains(string(nodes.Body), `"name":"node-1"`) {
		t.Errorf("GET node metrics = %v %v, want node-1 and node-2", nodes, err)
	}
}

// TestMetricsPipelineLosesAPartitionedNode: a kubelet the API servers
// cannot reach has no fresh samples, so its node's metrics go.
func TestMetricsPipelineLosesAPartitionedNode(t *testing.T) {
	s, err := scenario.Parse([]byte(strings.Replace(metricsScenario, "liveness: {within: 40s}\n", `faults:
- {at: 30s, action: partition-node, node: node-1, for: 60s}
`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var c *Cluster
	c, err = NewWith(s, 1, Plugins{KubeletRuntime: func(_ string, rt *simruntime.Runtime) kubelet.Runtime {
		return measuredRuntime{Runtime: rt, now: func() time.Time { return c.W.Loop.Now() }}
	}})
	if err != nil {
		t.Fatal(err)
	}
	c.W.Trace.Verbose = true
	c.Run()
	nodes, err := client.New(c.W.Net.Transport(AdminProcess)).Do(context.Background(), &rest.Request{Method: "GET", Path: "/apis/metrics.k8s.io/v1beta1/nodes"})
	if err != nil {
		t.Fatal(err)
	}
	if body := string(nodes.Body); strings.Contains(body, `"name":"node-1"`) || !strings.Contains(body, `"name":"node-2"`) {
		t.Errorf("node metrics with node-1 cut off = %s, want node-2 only", body)
	}
	if !strings.Contains(timeline(c), "GET /stats/summary to kubelet/node-1 -> request lost") {
		t.Errorf("the timeline shows no lost scrape of node-1")
	}
}
