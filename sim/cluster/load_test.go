package cluster

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/sim/scenario"
)

const loadScenario = `
name: load
duration: 2m
cluster:
  nodes: 2
  capacity: {cpu: "4", memory: 8Gi, pods: "20"}
objects:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web}
  spec:
    replicas: 4
    selector: {matchLabels: {app: web}}
    template:
      metadata:
        labels: {app: web}
        annotations: {sim.tinykube.io/behavior: "start=500ms,ready=1s,cpu=20m,memory=32Mi,cpu-per-request=5m,memory-per-request=100Ki"}
      spec:
        containers:
        - name: web
          image: busybox:1.36
          ports: [{containerPort: 8080}]
          readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: "2", memory: 256Mi}}
- apiVersion: v1
  kind: Service
  metadata: {name: web}
  spec:
    selector: {app: web}
    ports: [{name: http, port: 80, targetPort: 8080}]
load:
- {service: web, at: 10s, rps: 200}
- {at: 100s, rps: 0}
faults:
- {at: 60s, action: scale, kind: Deployment, name: web, replicas: 8}
- {at: 62s, action: metrics-outage, node: node-1, for: 5s}
`

// podCPU reads every node's Summary and returns each web pod's CPU rate
// (millicores) between this and the previous read, and its working set.
func podCPU(t *testing.T, c *Cluster) (map[string]float64, map[string]uint64) {
	t.Helper()
	cpu, mem := map[string]float64{}, map[string]uint64{}
	for _, n := range c.Nodes {
		s, err := n.Summary()
		if err != nil {
			t.Fatalf("%s: Summary(): %v", n.Name, err)
		}
		for _, p := range s.Pods {
			if !strings.HasPrefix(p.PodRef.Name, "web-") || len(p.Containers) != 1 {
				continue
			}
			ct := p.Containers[0]
			if ct.CPU == nil || ct.CPU.UsageNanoCores == nil || ct.Memory == nil {
				continue // first read of this container: no rate yet
			}
			cpu[p.PodRef.Name] = float64(*ct.CPU.UsageNanoCores) / 1e6
			mem[p.PodRef.Name] = *ct.Memory.WorkingSetBytes
		}
	}
	return cpu, mem
}

// A load on a Service is spread over its ready pods as the proxies spread
// it, each pod's CPU follows its share (base + cost × requests a second),
// and scaling out lowers every pod's share: what an HPA relies on. A
// metrics outage fails one node's Summary and ends.
func TestLoadFollowsService(t *testing.T) {
	s, err := scenario.Parse([]byte(loadScenario))
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	check := func(at time.Duration, pods int) {
		t.Helper()
		c.W.RunFor(at - c.W.Elapsed())
		podCPU(t, c) // the first read of each container: the next gives rates
		c.W.RunFor(10 * time.Second)
		cpu, mem := podCPU(t, c)
		if len(cpu) != pods {
			t.Fatalf("at %v: CPU rates of %d web pods %v, want %d", c.W.Elapsed(), len(cpu), cpu, pods)
		}
		rps := 200.0 / float64(pods)
		want := 20 + 5*rps
		var total float64
		for name, got := range cpu {
			total += got
			if math.Abs(got-want) > 1 {
				t.Errorf("at %v: pod %s uses %.1fm of CPU, want %.1fm (20m + 5m × %.1f requests a second)", c.W.Elapsed(), name, got, want, rps)
			}
			if wantMem := uint64(32<<20 + math.Round(100*1024*rps)); mem[name] != wantMem {
				t.Errorf("at %v: pod %s working set %d, want %d", c.W.Elapsed(), name, mem[name], wantMem)
			}
		}
		t.Logf("at %v: %d pods, %.0fm of CPU in all: %v", c.W.Elapsed(), pods, total, cpu)
	}
	check(30*time.Second, 4)

	c.W.RunFor(65*time.Second - c.W.Elapsed())
	if _, err := c.Node("node-1").Summary(); err == nil || !strings.Contains(err.Error(), "metrics-outage") {
		t.Errorf("node-1 Summary() during its metrics outage: error %v, want one naming the outage", err)
	}
	if _, err := c.Node("node-2").Summary(); err != nil {
		t.Errorf("node-2 Summary() during node-1's metrics outage: %v", err)
	}

	check(80*time.Second, 8)

	c.W.RunFor(110*time.Second - c.W.Elapsed())
	podCPU(t, c)
	c.W.RunFor(5 * time.Second)
	cpu, _ := podCPU(t, c)
	for name, got := range cpu {
		if math.Abs(got-20) > 1 {
			t.Errorf("after the load stopped: pod %s uses %.1fm, want the 20m base", name, got)
		}
	}
	if f := c.W.Failed(); f != nil {
		t.Errorf("violation: %v", f)
	}
}

// A pod's CPU shows in its node's Summary, and a down kubelet answers
// nothing.
func TestNodeSummaryDownKubelet(t *testing.T) {
	s, err := scenario.Parse([]byte(loadScenario))
	if err != nil {
		t.Fatal(err)
	}
	s.Faults = []scenario.Fault{{At: scenario.Duration{Duration: 20 * time.Second}, Action: "crash-node", Node: "node-2"}}
	c, err := New(s, 2)
	if err != nil {
		t.Fatal(err)
	}
	c.W.RunFor(15 * time.Second)
	sum, err := c.Node("node-2").Summary()
	if err != nil {
		t.Fatal(err)
	}
	if sum.Node.NodeName != "node-2" || sum.Node.Memory == nil || *sum.Node.Memory.WorkingSetBytes < 256<<20 {
		t.Errorf("node-2 Summary().Node = %+v, want node-2 with at least the 256Mi base", sum.Node)
	}
	c.W.RunFor(10 * time.Second)
	if _, err := c.Node("node-2").Summary(); err == nil || !strings.Contains(err.Error(), "node node-2 is down") {
		t.Errorf("Summary() of a crashed node: error %v, want node-2 is down", err)
	}
	// With node-2 gone its share of the clients is gone and its pods
	// receive nothing; node-1's pods take all that node-1's table sends
	// them (its table still lists node-2's pods until they are not ready).
	var onNode1 float64
	for _, ip := range podsOn(t, c, "node-1") {
		onNode1 += c.LoadOn(ip)
	}
	if onNode1 <= 0 || onNode1 > 200 {
		t.Errorf("node-1's pods receive %.1f requests a second, want some of the 200", onNode1)
	}
}

// podsOn returns the IPs of the pods bound to node.
func podsOn(t *testing.T, c *Cluster, node string) []string {
	t.Helper()
	pods, err := client.For[*api.Pod](c.Admin).List(context.Background(), "", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ips []string
	for _, p := range pods.Items {
		if p.Spec.NodeName == node && p.Status.PodIP != "" {
			ips = append(ips, p.Status.PodIP)
		}
	}
	return ips
}

// Same seed, same numbers: two runs of a loaded scenario with random
// faults (metrics outages among them) report the same use on every node.
func TestLoadDeterministic(t *testing.T) {
	run := func() (uint64, []api.Summary) {
		s, err := scenario.Parse([]byte(loadScenario + `profile: {window: 60s, maxDowntime: 10s, nodeCrashes: 1, metricsOutages: 2, proxyRestarts: 1}
`))
		if err != nil {
			t.Fatal(err)
		}
		c, err := New(s, 7)
		if err != nil {
			t.Fatal(err)
		}
		c.W.RunFor(90 * time.Second)
		var sums []api.Summary
		for _, n := range c.Nodes {
			s, err := n.Summary()
			if err != nil {
				// An outage or a crash may last to the end: the error must repeat too.
				s = api.Summary{Node: api.NodeStats{NodeName: err.Error()}}
			}
			sums = append(sums, s)
		}
		return c.W.Trace.Hash(), sums
	}
	h1, s1 := run()
	h2, s2 := run()
	if h1 != h2 {
		t.Errorf("trace hashes %x and %x differ", h1, h2)
	}
	if diff := gocmp.Diff(s1, s2); diff != "" {
		t.Errorf("summaries differ (-first +second):\n%s", diff)
	}
}
