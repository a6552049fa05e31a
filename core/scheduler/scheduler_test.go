package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/rest"
)

var t0 = clienttest.Start

// laggyTransport hands requests to the shared test transport, whose Hold
// keeps the events of pod watches from the scheduler's informer: the
// informer then lags the API as far as the test likes.
type laggyTransport struct {
	*clienttest.Transport
	// loseBindings is how many bindings to carry out but answer with an
	// error, as a network that drops the response would.
	loseBindings int
	// bindings counts the binding requests.
	bindings int
}

var errLostAnswer = errors.New("test transport: the answer was lost")

func (l *laggyTransport) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	resp, err := l.Transport.Do(ctx, req)
	if strings.HasSuffix(req.Path, "/binding") {
		l.bindings++
	}
	if strings.HasSuffix(req.Path, "/binding") && l.loseBindings > 0 {
		l.loseBindings--
		return nil, errLostAnswer
	}
	return resp, err
}

// cluster is an API server, a virtual loop and a scheduler on them. The
// test's own calls go straight to the server; the scheduler's go through
// the laggy transport.
type cluster struct {
	t     *testing.T
	v     *loop.Virtual
	api   *client.Client
	tr    *laggyTransport
	sched *Scheduler
}

func newCluster(t *testing.T, cfg Config) *cluster {
	t.Helper()
	ce := clienttest.New(t, 1, 1)
	v := ce.Loop
	tr := &laggyTransport{Transport: ce.Transport}
	cfg.Loop = v
	cfg.Client = client.New(tr)
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(7, 7))
	}
	return &cluster{t: t, v: v, api: ce.Client, tr: tr, sched: New(cfg)}
}

func (c *cluster) addNode(n *api.Node) {
	c.t.Helper()
	if _, err := client.For[*api.Node](c.api).Create(context.Background(), n, client.WriteOptions{}); err != nil {
		c.t.Fatalf("creating node %s: %v", n.Name, err)
	}
}

func (c *cluster) addPod(p *api.Pod) {
	c.t.Helper()
	cp := *p
	cp.UID = "" // the server assigns it
	p = &cp
	if _, err := client.For[*api.Pod](c.api).Create(context.Background(), p, client.WriteOptions{}); err != nil {
		c.t.Fatalf("creating pod %s: %v", p.Name, err)
	}
}

func (c *cluster) pod(name string) *api.Pod {
	c.t.Helper()
	p, err := client.For[*api.Pod](c.api).Get(context.Background(), "default", name)
	if err != nil {
		c.t.Fatalf("getting pod %s: %v", name, err)
	}
	return p
}

// bindings returns pod name -> node name ("" when pending), from the API.
func (c *cluster) bindings() map[string]string {
	c.t.Helper()
	l, err := client.For[*api.Pod](c.api).List(context.Background(), "", client.ListOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range l.Items {
		out[p.Name] = p.Spec.NodeName
	}
	return out
}

// podsPerNode returns node name -> how many pods are bound to it.
func (c *cluster) podsPerNode() map[string]int {
	out := map[string]int{}
	for _, n := range c.bindings() {
		if n != "" {
			out[n]++
		}
	}
	return out
}

// overcommitted returns a line per node whose bound pods request more
// CPU or memory than it has.
func (c *cluster) overcommitted() []string {
	c.t.Helper()
	ctx := context.Background()
	nodes, _ := client.For[*api.Node](c.api).List(ctx, "", client.ListOptions{})
	pods, _ := client.For[*api.Pod](c.api).List(ctx, "", client.ListOptions{})
	var out []string
	for _, n := range nodes.Items {
		ni := NewNodeInfo(n)
		for _, p := range pods.Items {
			if p.Spec.NodeName == n.Name {
				ni.AddPod(p)
			}
		}
		if ni.Requested.MilliCPU > ni.Allocatable.MilliCPU || ni.Requested.Memory > ni.Allocatable.Memory {
			out = append(out, fmt.Sprintf("node %s: pods request %+v, allocatable %+v", n.Name, ni.Requested, ni.Allocatable))
		}
	}
	return out
}

// events returns "reason: message" of the events about pod name, in the
// order written.
func (c *cluster) events(name string) []string {
	c.t.Helper()
	l, err := client.For[*api.Event](c.api).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	var out []string
	for _, e := range l.Items {
		if e.InvolvedObject.Name == name {
			out = append(out, e.Reason+": "+e.Message)
		}
	}
	return out
}

func TestSchedulerBindsPodsToFittingNodes(t *testing.T) {
	c := newCluster(t, Config{})
	c.addNode(newNode("small", "1", "2Gi"))
	c.addNode(newNode("big", "8", "16Gi"))
	c.addNode(newNode("gpu", "8", "16Gi", taint("gpu", "true", "NoSchedule"), label("accel", "gpu")))
	c.addNode(newNode("down", "8", "16Gi", notReady))
	c.addNode(newNode("other", "8", "16Gi", cordoned))
	c.addPod(newPod("needs-2-cpus", requests("2", "1Gi")))
	c.addPod(newPod("wants-gpu", requests("100m", ""), nodeSelectorOpt("accel", "gpu"), toleration("gpu", "Exists", "", "NoSchedule")))
	c.addPod(newPod("small-only", requests("100m", ""), affinityOpt("kubernetes.io/hostname", "In", "small")))
	c.addPod(newPod("not-mine", func(p *api.Pod) { p.Spec.SchedulerName = "other-scheduler" }))
	c.sched.Start()
	c.v.RunFor(10 * time.Second)

	want := map[string]string{"needs-2-cpus": "big", "wants-gpu": "gpu", "small-only": "small", "not-mine": ""}
	if diff := cmp.Diff(want, c.bindings()); diff != "" {
		t.Errorf("bindings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Scheduled: Successfully assigned default/needs-2-cpus to big"}, c.events("needs-2-cpus")); diff != "" {
		t.Errorf("events of needs-2-cpus (-want +got):\n%s", diff)
	}
	if ev := c.events("not-mine"); len(ev) != 0 {
		t.Errorf("a pod of another scheduler got events %q, want none", ev)
	}
}

func TestSchedulerBinPacksOrSpreads(t *testing.T) {
	for _, tt := range []struct {
		scoring string
		want    []int // pods per node, most first
	}{
		{MostAllocated, []int{4}},
		{LeastAllocated, []int{2, 1, 1}},
	} {
		c := newCluster(t, Config{Scoring: tt.scoring})
		for _, n := range []string{"a", "b", "c"} {
			c.addNode(newNode(n, "4", "8Gi"))
		}
		c.sched.Start()
		c.v.RunFor(time.Second)
		for i := range 4 {
			c.addPod(newPod(fmt.Sprintf("p%d", i), requests("1", "1Gi")))
			c.v.RunFor(time.Second)
		}
		var got []int
		for _, n := range c.podsPerNode() {
			got = append(got, n)
		}
		sort.Sort(sort.Reverse(sort.IntSlice(got)))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: pods per node, most first (-want +got):\n%s\nbindings: %v", tt.scoring, diff, c.bindings())
		}
	}
}

func TestSchedulerSpreadsReplicasOfOneOwner(t *testing.T) {
	c := newCluster(t, Config{})
	for _, n := range []string{"a", "b", "c"} {
		c.addNode(newNode(n, "4", "8Gi"))
	}
	for i := range 6 {
		c.addPod(newPod(fmt.Sprintf("web-%d", i), ownedBy("rs-web")))
	}
	c.sched.Start()
	c.v.RunFor(10 * time.Second)
	if diff := cmp.Diff(map[string]int{"a": 2, "b": 2, "c": 2}, c.podsPerNode()); diff != "" {
		t.Errorf("6 replicas without requests on 3 nodes: pods per node (-want +got):\n%s", diff)
	}
}

func TestSchedulerReportsUnschedulablePodThenBindsIt(t *testing.T) {
	c := newCluster(t, Config{})
	c.addNode(newNode("small", "1", "2Gi"))
	c.addNode(newNode("tainted", "8", "16Gi", taint("key", "value", "NoSchedule")))
	c.addPod(newPod("web-1", requests("2", "1Gi")))
	c.sched.Start()
	c.v.RunFor(10 * time.Second)

	msg := "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {key: value}."
	if diff := cmp.Diff([]string{"FailedScheduling: " + msg}, c.events("web-1")); diff != "" {
		t.Errorf("events of web-1 (-want +got):\n%s", diff)
	}
	p := c.pod("web-1")
	cond := p.Status.FindCondition(api.PodScheduled)
	if cond == nil || cond.Status != api.ConditionFalse || cond.Reason != "Unschedulable" || cond.Message != msg {
		t.Fatalf("PodScheduled = %+v, want False, Unschedulable, %q", cond, msg)
	}
	// Retries must not rewrite an unchanged condition.
	rv := p.ResourceVersion
	c.v.RunFor(5 * time.Minute)
	if got := c.pod("web-1").ResourceVersion; got != rv {
		t.Errorf("pod resourceVersion moved from %s to %s while nothing changed: status rewritten on every retry", rv, got)
	}

	// A node with room arrives: the pod is bound at once, not after its
	// back-off.
	c.addNode(newNode("n3", "4", "8Gi"))
	c.v.RunFor(100 * time.Millisecond)
	if got := c.bindings()["web-1"]; got != "n3" {
		t.Fatalf("after adding n3, web-1 is on %q, want n3", got)
	}
	if ev := c.events("web-1"); ev[len(ev)-1] != "Scheduled: Successfully assigned default/web-1 to n3" {
		t.Errorf("last event of web-1 = %q, want the Scheduled one", ev[len(ev)-1])
	}
	if cond := c.pod("web-1").Status.FindCondition(api.PodScheduled); cond == nil || cond.Status != api.ConditionTrue {
		t.Errorf("PodScheduled after binding = %+v, want True", cond)
	}
}

func TestSchedulerRetriesWhenPodsFreeRoom(t *testing.T) {
	c := newCluster(t, Config{})
	c.addNode(newNode("n", "1", "2Gi"))
	c.addPod(newPod("first", requests("800m", "")))
	c.sched.Start()
	c.v.RunFor(time.Second)
	c.addPod(newPod("second", requests("800m", "")))
	c.v.RunFor(5 * time.Minute) // long enough for the back-off to reach its cap
	if got := c.bindings()["second"]; got != "" {
		t.Fatalf("second bound to %q on a full node", got)
	}
	zero := int64(0)
	if _, err := client.For[*api.Pod](c.api).Delete(context.Background(), "default", "first", client.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	c.v.RunFor(100 * time.Millisecond)
	if got := c.bindings()["second"]; got != "n" {
		t.Errorf("after deleting first, second is on %q, want n (at once, not after back-off)", got)
	}
}

// TestAssumedPodsPreventOvercommit shows why the assume cache exists: the
// scheduler's informer is held back so it never sees its own bindings
// while it schedules five pods, of which only one fits per node. A
// Schedule that looks past NodeInfo.Assumed (the mistake sim/mutants
// calls scheduler-ignores-assumed-pods) over-commits.
func TestAssumedPodsPreventOvercommit(t *testing.T) {
	ignoring := func(pod *api.Pod, nodes []*NodeInfo, scoring string, r *rand.Rand) (string, *FitError) {
		return Schedule(pod, withoutAssumed(nodes), scoring, r)
	}
	for _, ignore := range []bool{false, true} {
		cfg := Config{}
		if ignore {
			cfg.Schedule = ignoring
		}
		c := newCluster(t, cfg)
		c.addNode(newNode("a", "1", "4Gi"))
		c.addNode(newNode("b", "1", "4Gi"))
		for i := range 5 {
			c.addPod(newPod(fmt.Sprintf("p%d", i), requests("600m", "1Gi")))
		}
		c.tr.Hold("/pods") // the scheduler's informer stops hearing of pods
		c.sched.Start()
		c.v.RunFor(5 * time.Second) // well within the assume timeout
		c.tr.Release()
		c.v.RunFor(10 * time.Second)

		over := c.overcommitted()
		bound := 0
		for _, n := range c.podsPerNode() {
			bound += n
		}
		if !ignore {
			if len(over) > 0 || bound != 2 {
				t.Errorf("with the assume cache: %d pods bound (want 2), over-committed: %q", bound, over)
			}
		} else if len(over) == 0 {
			t.Errorf("ignoring assumed pods: no node over-committed (bindings %v); the mutant is not caught by this test", c.bindings())
		}
	}
}

func TestSchedulerIsDeterministic(t *testing.T) {
	run := func(seed uint64) string {
		c := newCluster(t, Config{Rand: rand.New(rand.NewPCG(seed, 0))})
		for i := range 8 {
			c.addNode(newNode(fmt.Sprintf("n%d", i), "4", "8Gi"))
		}
		for i := range 6 {
			c.addPod(newPod(fmt.Sprintf("p%d", i), requests("1", "1Gi")))
		}
		c.sched.Start()
		c.v.RunFor(10 * time.Second)
		return fmt.Sprint(c.bindings())
	}
	outcomes := map[string]bool{}
	for seed := range uint64(5) {
		a, b := run(seed), run(seed)
		if a != b {
			t.Fatalf("seed %d: two runs bound %s and %s", seed, a, b)
		}
		outcomes[a] = true
	}
	if len(outcomes) < 2 {
		t.Errorf("5 seeds made the same bindings %v among 8 tied nodes: the seed does not break ties", outcomes)
	}
}

func TestSchedulerRetriesWhenNodeBecomesUsable(t *testing.T) {
	nodes := client.For[*api.Node]
	for _, tt := range []struct {
		name   string
		node   *api.Node
		change func(*api.Node)
	}{
		{"becomes ready", newNode("n", "4", "8Gi", notReady), func(n *api.Node) { n.Status.Conditions[0].Status = api.ConditionTrue }},
		{"taint removed", newNode("n", "4", "8Gi", taint("key", "value", "NoSchedule")), func(n *api.Node) { n.Spec.Taints = nil }},
		{"uncordoned", newNode("n", "4", "8Gi", cordoned), func(n *api.Node) { n.Spec.Unschedulable = false }},
		{"grows", newNode("n", "500m", "8Gi"), func(n *api.Node) { n.Status.Allocatable[api.ResourceCPU] = api.MustParseQuantity("4") }},
	} {
		c := newCluster(t, Config{})
		c.addNode(tt.node)
		c.addPod(newPod("p", requests("1", "1Gi")))
		c.sched.Start()
		c.v.RunFor(5 * time.Minute)
		if got := c.bindings()["p"]; got != "" {
			t.Fatalf("%s: bound to %q before the change", tt.name, got)
		}
		ctx := context.Background()
		n, err := nodes(c.api).Get(ctx, "", "n")
		if err != nil {
			t.Fatal(err)
		}
		// Spec and status are written apart, as kubectl and the kubelet do.
		tt.change(n)
		if n, err = nodes(c.api).Update(ctx, n, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		tt.change(n)
		if _, err := nodes(c.api).UpdateStatus(ctx, n, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		c.v.RunFor(100 * time.Millisecond)
		if got := c.bindings()["p"]; got != "n" {
			t.Errorf("%s: pod on %q 100ms after the node changed, want n (at once, not after back-off)", tt.name, got)
		}
	}
}

func TestNodeSummaryIgnoresHeartbeats(t *testing.T) {
	base := func() *api.Node {
		return newNode("n", "4", "8Gi", taint("a", "", "PreferNoSchedule"), func(n *api.Node) {
			n.Spec.Taints[0].TimeAdded = api.NewTime(t0)
		})
	}
	tests := []struct {
		name     string
		change   func(*api.Node)
		relevant bool
	}{
		{"heartbeat", func(n *api.Node) { n.Status.Conditions[0].LastHeartbeatTime = api.NewTime(t0.Add(time.Minute)) }, false},
		{"same taint, another copy", func(n *api.Node) { n.Spec.Taints[0].TimeAdded = api.NewTime(t0) }, false},
		{"taint added", taint("b", "", "NoSchedule"), true},
		{"label added", label("disk", "ssd"), true},
		{"not ready", notReady, true},
		{"cordoned", cordoned, true},
	}
	for _, tt := range tests {
		n := base()
		tt.change(n)
		if got := nodeSummary(base()) != nodeSummary(n); got != tt.relevant {
			t.Errorf("%s: requeues pending pods = %v, want %v", tt.name, got, tt.relevant)
		}
	}
}

// TestBindingWithLostAnswerStillCounts loses the answer to the first
// binding while the informer lags: the scheduler cannot know the pod is
// bound, so it must keep counting it on that node, retry, learn from the
// retry's Conflict where the pod went, and never over-commit.
func TestBindingWithLostAnswerStillCounts(t *testing.T) {
	c := newCluster(t, Config{})
	c.addNode(newNode("a", "1", "4Gi"))
	c.addNode(newNode("b", "1", "4Gi"))
	for i := range 3 {
		c.addPod(newPod(fmt.Sprintf("p%d", i), requests("600m", "1Gi")))
	}
	c.tr.Hold("/pods") // the scheduler's informer stops hearing of pods
	c.tr.loseBindings = 1
	c.sched.Start()
	c.v.RunFor(20 * time.Second) // several retries, within the assume timeout
	c.tr.Release()
	c.v.RunFor(10 * time.Second)
	if over := c.overcommitted(); len(over) > 0 {
		t.Errorf("over-committed after a lost binding answer: %q (bindings %v)", over, c.bindings())
	}
	if diff := cmp.Diff(map[string]int{"a": 1, "b": 1}, c.podsPerNode()); diff != "" {
		t.Errorf("pods per node (-want +got):\n%s", diff)
	}
}

// withoutAssumed recounts each node without the pods it only assumes.
func withoutAssumed(nodes []*NodeInfo) []*NodeInfo {
	out := make([]*NodeInfo, len(nodes))
	for i, ni := range nodes {
		out[i] = NewNodeInfo(ni.Node)
		for _, p := range ni.Pods {
			if !slices.Contains(ni.Assumed, p) {
				out[i].AddPod(p)
			}
		}
	}
	return out
}
