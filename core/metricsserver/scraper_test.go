package metricsserver

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

// fakeSource is a SummarySource whose kubelets the test scripts: each
// node's containers use a fixed rate of CPU from a start time, and its
// summary is read at the loop's time.
type fakeSource struct {
	env   *clienttest.Env
	nodes map[string]*fakeNode
	calls []string
}

type fakeNode struct {
	fail       bool
	nodeMilli  uint64 // the node's CPU rate, millicores
	containers []fakeContainer
}

type fakeContainer struct {
	ns, pod, name string
	start         time.Time
	milli         uint64 // CPU rate, millicores
	memory        uint64
	unmeasured    bool // listed without stats
	counterOffset int64
}

func ptr[T any](v T) *T { return &v }

func (f *fakeSource) Summary(_ context.Context, n *api.Node) (api.Summary, error) {
	f.calls = append(f.calls, n.Name)
	fn := f.nodes[n.Name]
	if fn == nil || fn.fail {
		return api.Summary{}, errors.New("connection refused")
	}
	now := f.env.Loop.Now()
	counter := func(start time.Time, milli uint64, offset int64) *uint64 {
		return ptr(uint64(int64(uint64(now.Sub(start).Nanoseconds())*milli/1000) + offset))
	}
	sum := api.Summary{Node: api.NodeStats{NodeName: n.Name, StartTime: clienttest.Start,
		CPU:    &api.CPUStats{Time: now, UsageCoreNanoSeconds: counter(clienttest.Start, fn.nodeMilli, 0)},
		Memory: &api.MemoryStats{Time: now, WorkingSetBytes: ptr(uint64(1 << 30))}}}
	for _, c := range fn.containers {
		var ps *api.PodStats
		for i := range sum.Pods {
			if sum.Pods[i].PodRef.Name == c.pod && sum.Pods[i].PodRef.Namespace == c.ns {
				ps = &sum.Pods[i]
			}
		}
		if ps == nil {
			sum.Pods = append(sum.Pods, api.PodStats{PodRef: api.PodReference{Namespace: c.ns, Name: c.pod}})
			ps = &sum.Pods[len(sum.Pods)-1]
		}
		cs := api.ContainerStats{Name: c.name, StartTime: c.start}
		if !c.unmeasured {
			cs.CPU = &api.CPUStats{Time: now, UsageCoreNanoSeconds: counter(c.start, c.milli, c.counterOffset)}
			cs.Memory = &api.MemoryStats{Time: now, WorkingSetBytes: ptr(c.memory)}
		}
		ps.Containers = append(ps.Containers, cs)
	}
	return sum, nil
}

// setup returns a started scraper over nodes named names (Ready unless
// listed in notReady), with a resolution of 15 s.
func setup(t *testing.T, src *fakeSource, notReady ...string) (*clienttest.Env, *Scraper) {
	t.Helper()
	env := clienttest.New(t, 1, 2)
	src.env = env
	ctx := context.Background()
	for _, name := range sortedKeys(src.nodes) {
		n, err := client.For[*api.Node](env.Client).Create(ctx, &api.Node{ObjectMeta: api.ObjectMeta{Name: name}}, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		status := api.ConditionTrue
		for _, nr := range notReady {
			if nr == name {
				status = api.ConditionFalse
			}
		}
		n.Status.Conditions = []api.NodeCondition{{Type: api.NodeReady, Status: status}}
		if _, err := client.For[*api.Node](env.Client).UpdateStatus(ctx, n, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	s := New(Config{Loop: env.Loop, Client: client.New(env.Transport), Source: src})
	s.Start()
	env.Settle()
	return env, s
}

func TestScraperRates(t *testing.T) {
	start := clienttest.Start
	src := &fakeSource{nodes: map[string]*fakeNode{
		"n1": {nodeMilli: 1500, containers: []fakeContainer{
			{ns: "default", pod: "web", name: "app", start: start, milli: 500, memory: 10 << 20},
			{ns: "default", pod: "web", name: "side", start: start, milli: 1, memory: 3000},
			{ns: "kube-system", pod: "dns", name: "dns", start: start, milli: 1000, memory: 20 << 20},
		}},
	}}
	env, s := setup(t, src)
	env.RunFor(15 * time.Second)
	if got := s.NodeMetrics(); len(got) != 0 {
		t.Errorf("NodeMetrics() after one scrape = %+v, want none (one sample makes no rate)", got)
	}
	env.RunFor(15 * time.Second)
	at := api.Time{Time: start.Add(30 * time.Second)}
	wantNodes := []api.NodeMetrics{{
		TypeMeta:   api.TypeMeta{APIVersion: "metrics.k8s.io/v1beta1", Kind: "NodeMetrics"},
		ObjectMeta: api.ObjectMeta{Name: "n1"}, Timestamp: at, Window: "15s",
		Usage: api.ResourceList{api.ResourceCPU: api.MustParseQuantity("1500m"), api.ResourceMemory: api.MustParseQuantity("1Gi")},
	}}
	if diff := cmp.Diff(wantNodes, s.NodeMetrics(), cmp.Comparer(qEqual)); diff != "" {
		t.Errorf("NodeMetrics() (-want +got):\n%s", diff)
	}
	pm := func(ns, name string, cs ...api.ContainerMetrics) api.PodMetrics {
		return api.PodMetrics{TypeMeta: api.TypeMeta{APIVersion: "metrics.k8s.io/v1beta1", Kind: "PodMetrics"},
			ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns}, Timestamp: at, Window: "15s", Containers: cs}
	}
	cm := func(name, cpu, mem string) api.ContainerMetrics {
		return api.ContainerMetrics{Name: name, Usage: api.ResourceList{api.ResourceCPU: api.MustParseQuantity(cpu), api.ResourceMemory: api.MustParseQuantity(mem)}}
	}
	want := []api.PodMetrics{
		pm("default", "web", cm("app", "500m", "10Mi"), cm("side", "1m", "3000")),
		pm("kube-system", "dns", cm("dns", "1", "20Mi")),
	}
	if diff := cmp.Diff(want, s.PodMetrics(""), cmp.Comparer(qEqual)); diff != "" {
		t.Errorf("PodMetrics(\"\") (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[1:], s.PodMetrics("kube-system"), cmp.Comparer(qEqual)); diff != "" {
		t.Errorf("PodMetrics(kube-system) (-want +got):\n%s", diff)
	}
	// The wire form is metrics-server's: millicores, binary bytes.
	if got := s.PodMetrics("default")[0].Containers[0].Usage.Memory().String(); got != "10Mi" {
		t.Errorf("memory of web/app = %q, want \"10Mi\"", got)
	}
}

func qEqual(a, b api.Quantity) bool { return a.Cmp(b) == 0 }

// TestScraperSkipsRestarts: a container that restarted between two
// scrapes (its start time changed, or its counter went back) has no rate
// for that window, so its pod is left out; the next window is measured.
func TestScraperSkipsRestarts(t *testing.T) {
	start := clienttest.Start
	for _, tc := range []struct {
		name    string
		restart func(c *fakeContainer)
	}{
		{"start time changes", func(c *fakeContainer) { c.start = start.Add(20 * time.Second) }},
		{"counter goes back", func(c *fakeContainer) { c.counterOffset = -int64(20 * time.Second) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &fakeSource{nodes: map[string]*fakeNode{"n1": {nodeMilli: 100, containers: []fakeContainer{
				{ns: "default", pod: "web", name: "app", start: start, milli: 1000, memory: 1 << 20},
			}}}}
			env, s := setup(t, src)
			env.RunFor(30 * time.Second)
			if got := len(s.PodMetrics("")); got != 1 {
				t.Fatalf("len(PodMetrics) before the restart = %d, want 1", got)
			}
			tc.restart(&src.nodes["n1"].containers[0])
			env.RunFor(15 * time.Second)
			if got := s.PodMetrics(""); len(got) != 0 {
				t.Errorf("PodMetrics over the restart's window = %+v, want none", got)
			}
			env.RunFor(15 * time.Second)
			got := s.PodMetrics("")
			if len(got) != 1 || got[0].Containers[0].Usage.Cpu().MilliValue() != 1000 {
				t.Errorf("PodMetrics a window after the restart = %+v, want web at 1000m", got)
			}
		})
	}
}

// TestScraperOmitsIncompletePods: metrics-server states a pod only when
// every container it lists has a rate.
func TestScraperOmitsIncompletePods(t *testing.T) {
	start := clienttest.Start
	src := &fakeSource{nodes: map[string]*fakeNode{"n1": {nodeMilli: 100, containers: []fakeContainer{
		{ns: "default", pod: "half", name: "a", start: start, milli: 100, memory: 1 << 20},
		{ns: "default", pod: "half", name: "b", start: start, unmeasured: true},
		{ns: "default", pod: "whole", name: "a", start: start, milli: 100, memory: 1 << 20},
	}}}}
	env, s := setup(t, src)
	env.RunFor(30 * time.Second)
	var names []string
	for _, p := range s.PodMetrics("") {
		names = append(names, p.Name)
	}
	if diff := cmp.Diff([]string{"whole"}, names); diff != "" {
		t.Errorf("pods measured (-want +got):\n%s", diff)
	}
	// A container that appears (a sidecar added, a new pod) needs two
	// samples too.
	src.nodes["n1"].containers = append(src.nodes["n1"].containers,
		fakeContainer{ns: "default", pod: "whole", name: "late", start: start.Add(25 * time.Second), milli: 100, memory: 1 << 20})
	env.RunFor(15 * time.Second)
	if got := s.PodMetrics(""); len(got) != 0 {
		t.Errorf("PodMetrics with a container seen once = %+v, want none", got)
	}
}

// TestScraperDropsFailedAndStale: a node whose kubelet fails loses its
// metrics at once, and needs two answers again; a scraper that stops
// scraping answers nothing after two resolutions.
func TestScraperDropsFailedAndStale(t *testing.T) {
	start := clienttest.Start
	src := &fakeSource{nodes: map[string]*fakeNode{
		"n1": {nodeMilli: 100, containers: []fakeContainer{{ns: "default", pod: "a", name: "c", start: start, milli: 100, memory: 4096}}},
		"n2": {nodeMilli: 200, containers: []fakeContainer{{ns: "default", pod: "b", name: "c", start: start, milli: 100, memory: 4096}}},
	}}
	env, s := setup(t, src)
	env.RunFor(30 * time.Second)
	if got := nodeNames(s.NodeMetrics()); !cmp.Equal(got, []string{"n1", "n2"}) {
		t.Fatalf("NodeMetrics names = %v, want [n1 n2]", got)
	}
	src.nodes["n2"].fail = true
	env.RunFor(15 * time.Second)
	if got := nodeNames(s.NodeMetrics()); !cmp.Equal(got, []string{"n1"}) {
		t.Errorf("NodeMetrics names after n2 failed = %v, want [n1]", got)
	}
	if got := s.PodMetrics(""); len(got) != 1 || got[0].Name != "a" {
		t.Errorf("PodMetrics after n2 failed = %+v, want only a (on n1)", got)
	}
	src.nodes["n2"].fail = false
	env.RunFor(15 * time.Second)
	if got := nodeNames(s.NodeMetrics()); !cmp.Equal(got, []string{"n1"}) {
		t.Errorf("NodeMetrics names at n2's first answer back = %v, want [n1] (one sample)", got)
	}
	env.RunFor(15 * time.Second)
	if got := nodeNames(s.NodeMetrics()); !cmp.Equal(got, []string{"n1", "n2"}) {
		t.Errorf("NodeMetrics names at n2's second answer back = %v, want [n1 n2]", got)
	}
	s.Stop()
	env.RunFor(30 * time.Second)
	if got := nodeNames(s.NodeMetrics()); len(got) != 2 {
		t.Errorf("NodeMetrics two resolutions after the last scrape = %v, want both still", got)
	}
	env.RunFor(time.Second)
	if got, pods := s.NodeMetrics(), s.PodMetrics(""); len(got) != 0 || len(pods) != 0 {
		t.Errorf("metrics more than two resolutions after the last scrape = %+v, %+v; want none (stale)", got, pods)
	}
}

func TestScraperAsksOnlyReadyNodes(t *testing.T) {
	src := &fakeSource{nodes: map[string]*fakeNode{"ready": {}, "down": {}}}
	env, _ := setup(t, src, "down")
	env.RunFor(30 * time.Second)
	if diff := cmp.Diff([]string{"ready", "ready"}, src.calls); diff != "" {
		t.Errorf("kubelets asked (-want +got):\n%s", diff)
	}
}

func nodeNames(ms []api.NodeMetrics) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

func TestRate(t *testing.T) {
	t0 := clienttest.Start
	s := func(at time.Duration, start time.Duration, cpu uint64) *sample {
		return &sample{at: t0.Add(at), start: t0.Add(start), cpu: cpu, memory: 7}
	}
	for _, tc := range []struct {
		name       string
		prev, last *sample
		want       usage
		ok         bool
	}{
		{"half a core over 10s", s(0, 0, 1e9), s(10*time.Second, 0, 6e9), usage{timestamp: t0.Add(10 * time.Second), window: 10 * time.Second, nanoCores: 5e8, memory: 7}, true},
		{"idle", s(0, 0, 5), s(time.Second, 0, 5), usage{timestamp: t0.Add(time.Second), window: time.Second, memory: 7}, true},
		{"no earlier sample", nil, s(time.Second, 0, 5), usage{}, false},
		{"same instant", s(time.Second, 0, 1), s(time.Second, 0, 5), usage{}, false},
		{"restarted", s(0, 0, 10), s(time.Second, time.Second/2, 50), usage{}, false},
		{"counter back", s(0, 0, 10), s(time.Second, 0, 5), usage{}, false},
	} {
		got, ok := rate(tc.prev, tc.last)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: rate = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
