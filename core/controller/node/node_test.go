package node

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/loop"
)

var t0 = clienttest.Start

type env struct {
	t    *testing.T
	v    *loop.Virtual
	api  *client.Client
	ctrl *Controller
}

// newEnv starts a node controller with the default periods (grace 10s,
// eviction 10s, monitor 1s) against an in-process API server.
func newEnv(t *testing.T) *env {
	t.Helper()
	ce := clienttest.New(t, 1, 2)
	v, c := ce.Loop, ce.Client
	// The API server creates the lease namespace at bootstrap.
	if _, err := client.For[*api.Namespace](c).Get(context.Background(), "", LeaseNamespace); err != nil {
		t.Fatal(err)
	}
	ctrl := New(Config{Loop: v, Client: c, Recorder: client.NewRecorder(v, c, "node-controller", "")})
	ctrl.Start()
	return &env{t: t, v: v, api: c, ctrl: ctrl}
}

// at runs f at t0+d of virtual time.
func (e *env) at(d time.Duration, f func()) { e.v.At(t0.Add(d), f) }

func (e *env) runUntil(d time.Duration) { e.v.RunUntil(t0.Add(d)) }

// kubelet plays a node's kubelet: it registers the node Ready and renews
// its lease, stamping renewTime from its own clock, skew away from the
// controller's.
type kubelet struct {
	e    *env
	node string
	skew time.Duration
}

func (e *env) kubelet(node string, skew time.Duration) *kubelet {
	e.t.Helper()
	n := &api.Node{ObjectMeta: api.ObjectMeta{Name: node}, Status: api.NodeStatus{Conditions: []api.NodeCondition{
		{Type: api.NodeReady, Status: api.ConditionTrue, Reason: "KubeletReady"}}}}
	if _, err := client.For[*api.Node](e.api).Create(context.Background(), n, client.WriteOptions{}); err != nil {
		e.t.Fatal(err)
	}
	k := &kubelet{e: e, node: node, skew: skew}
	k.renew()
	return k
}

// renewEvery renews the lease every period from from until until
// (inclusive), in virtual time.
func (k *kubelet) renewEvery(period, from, until time.Duration) {
	for d := from; d <= until; d += period {
		k.e.at(d, k.renew)
	}
}

func (k *kubelet) renew() {
	ctx := context.Background()
	leases := client.For[*api.Lease](k.e.api)
	holder, dur := k.node, int32(40)
	stamp := api.NewMicroTime(k.e.v.Now().Add(k.skew))
	l, err := leases.Get(ctx, LeaseNamespace, k.node)
	if api.IsNotFound(err) {
		l = &api.Lease{ObjectMeta: api.ObjectMeta{Name: k.node, Namespace: LeaseNamespace},
			Spec: api.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &dur, RenewTime: stamp}}
		_, err = leases.Create(ctx, l, client.WriteOptions{})
	} else if err == nil {
		l.Spec.RenewTime = stamp
		_, err = leases.Update(ctx, l, client.WriteOptions{})
	}
	if err != nil {
		k.e.t.Fatalf("kubelet %s: renewing its lease: %v", k.node, err)
	}
}

// reportReady posts Ready=True, as the kubelet's status loop does.
func (k *kubelet) reportReady() {
	n := k.e.node(k.node)
	c := n.Status.FindCondition(api.NodeReady)
	c.Status, c.Reason, c.Message = api.ConditionTrue, "KubeletReady", "kubelet is posting ready status"
	if _, err := client.For[*api.Node](k.e.api).UpdateStatus(context.Background(), n, client.WriteOptions{}); err != nil {
		k.e.t.Fatalf("kubelet %s: reporting Ready: %v", k.node, err)
	}
}

func (e *env) node(name string) *api.Node {
	e.t.Helper()
	n, err := client.For[*api.Node](e.api).Get(context.Background(), "", name)
	if err != nil {
		e.t.Fatalf("get node %s: %v", name, err)
	}
	return n
}

// nodeState summarises a node as "Ready=True taints=[]".
func (e *env) nodeState(name string) string {
	n := e.node(name)
	ready := "none"
	if c := n.Status.FindCondition(api.NodeReady); c != nil {
		ready = string(c.Status)
	}
	var taints []string
	for _, t := range n.Spec.Taints {
		taints = append(taints, t.Key+":"+t.Effect)
	}
	return fmt.Sprintf("Ready=%s taints=%v", ready, taints)
}

const (
	healthy     = "Ready=True taints=[]"
	unreachable = "Ready=Unknown taints=[node.kubernetes.io/unreachable:NoSchedule node.kubernetes.io/unreachable:NoExecute]"
)

func (e *env) createPod(name, node string, tolerations ...api.Toleration) {
	e.t.Helper()
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.PodSpec{NodeName: node, Tolerations: tolerations, Containers: []api.Container{{Name: "c", Image: "nginx:1"}}}}
	if _, err := client.For[*api.Pod](e.api).Create(context.Background(), p, client.WriteOptions{}); err != nil {
		e.t.Fatalf("create pod %s: %v", name, err)
	}
}

// podState is "running", "terminating" or "gone".
func (e *env) podState(name string) string {
	p, err := client.For[*api.Pod](e.api).Get(context.Background(), "default", name)
	switch {
	case api.IsNotFound(err):
		return "gone"
	case err != nil:
		e.t.Fatal(err)
	case p.DeletionTimestamp != nil:
		return "terminating"
	}
	return "running"
}

func (e *env) eventCount(reason string) int {
	l, err := client.For[*api.Event](e.api).List(context.Background(), "", client.ListOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, ev := range l.Items {
		if ev.Reason == reason {
			n++
		}
	}
	return n
}

func tolerate(key string, seconds *int64) api.Toleration {
	return api.Toleration{Key: key, Operator: "Exists", Effect: api.TaintNoExecute, TolerationSeconds: seconds}
}

func ptr[T any](v T) *T { return &v }

type check struct {
	at   time.Duration
	node string            // want nodeState, "" to skip
	pods map[string]string // pod -> want podState
}

func (e *env) verify(checks []check) {
	e.t.Helper()
	for _, c := range checks {
		e.runUntil(c.at)
		if c.node != "" {
			if got := e.nodeState("n1"); got != c.node {
				e.t.Errorf("at %v: node n1 is %q, want %q", c.at, got, c.node)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(c.pods)) {
			if got := e.podState(name); got != c.pods[name] {
				e.t.Errorf("at %v: pod %s is %s, want %s", c.at, name, got, c.pods[name])
			}
		}
	}
}

// TestDeadNodeIsTaintedAndItsPodsEvicted: the kubelet renews every 2s until
// t=20s and then dies. The controller must call the node Unknown once it has
// seen no renewal for longer than the grace period (at the 31s tick), evict
// pods 10s later unless they tolerate longer, and never force-delete them:
// an unreachable node's containers may still run, so an evicted pod stays
// terminating until its kubelet confirms. The kubelet's clock may be skewed
// any amount: only the controller's own observations count.
func TestDeadNodeIsTaintedAndItsPodsEvicted(t *testing.T) {
	for _, skew := range []time.Duration{0, -time.Hour, time.Hour, -30 * 24 * time.Hour} {
		t.Run(fmt.Sprintf("kubelet clock skew %v", skew), func(t *testing.T) {
			e := newEnv(t)
			k := e.kubelet("n1", skew)
			k.renewEvery(2*time.Second, 2*time.Second, 20*time.Second)
			e.createPod("plain", "n1")
			e.createPod("patient", "n1", tolerate(TaintUnreachable, ptr[int64](60)))
			e.createPod("forever", "n1", tolerate(TaintUnreachable, nil))
			e.kubelet("n2", 0).renewEvery(2*time.Second, 2*time.Second, 5*time.Minute)
			e.createPod("elsewhere", "n2")
			all := func(plain, patient string) map[string]string {
				return map[string]string{"plain": plain, "patient": patient, "forever": "running", "elsewhere": "running"}
			}
			e.verify([]check{
				{30500 * time.Millisecond, healthy, all("running", "running")},
				{31500 * time.Millisecond, unreachable, all("running", "running")},
				{40500 * time.Millisecond, unreachable, all("running", "running")},
				{41500 * time.Millisecond, unreachable, all("terminating", "running")}, // 31s + EvictionTimeout
				{71500 * time.Millisecond, unreachable, all("terminating", "running")}, // + 30s grace: not forced
				{90500 * time.Millisecond, unreachable, all("terminating", "running")},
				{91500 * time.Millisecond, unreachable, all("terminating", "terminating")}, // 31s + its own 60s
				{300 * time.Second, unreachable, all("terminating", "terminating")},
			})
			if n := e.eventCount("NodeNotReady"); n != 1 {
				t.Errorf("NodeNotReady events = %d, want 1", n)
			}
			if n := e.eventCount("TaintManagerEviction"); n != 2 {
				t.Errorf("TaintManagerEviction events = %d, want 2 (plain and patient)", n)
			}
		})
	}
}

// TestShortLeaseGapChangesNothing: a partition shorter than the grace
// period must never cost a pod.
func TestShortLeaseGapChangesNothing(t *testing.T) {
	for _, gap := range []time.Duration{5 * time.Second, 9 * time.Second, 10 * time.Second} {
		t.Run(fmt.Sprintf("gap %v", gap), func(t *testing.T) {
			e := newEnv(t)
			k := e.kubelet("n1", 0)
			k.renewEvery(2*time.Second, 2*time.Second, 10*time.Second)
			k.renewEvery(2*time.Second, 10*time.Second+gap, 120*time.Second)
			e.createPod("web", "n1")
			for s := time.Duration(0); s <= 120*time.Second; s += 500 * time.Millisecond {
				e.verify([]check{{s, healthy, map[string]string{"web": "running"}}})
				if t.Failed() {
					return
				}
			}
			if n := e.eventCount("NodeNotReady"); n != 0 {
				t.Errorf("NodeNotReady events after a %v gap = %d, want 0", gap, n)
			}
		})
	}
}

// TestRecoveryRemovesTaints: renewals alone do not clear the taints — the
// kubelet must also report Ready — and then they go.
func TestRecoveryRemovesTaints(t *testing.T) {
	e := newEnv(t)
	k := e.kubelet("n1", 0)
	k.renewEvery(2*time.Second, 2*time.Second, 20*time.Second)
	k.renewEvery(2*time.Second, 36*time.Second, 120*time.Second)
	e.at(40*time.Second, k.reportReady)
	e.createPod("web", "n1", tolerate(TaintUnreachable, nil))
	e.verify([]check{
		{32 * time.Second, unreachable, nil},
		{39500 * time.Millisecond, unreachable, nil}, // renewing, but still Unknown
		{41500 * time.Millisecond, healthy, map[string]string{"web": "running"}},
		{120 * time.Second, healthy, map[string]string{"web": "running"}},
	})
}

// TestNotReadyNodeGetsNotReadyTaint: a kubelet that renews its lease but
// reports Ready=False gets the not-ready taints, and its pods are evicted.
func TestNotReadyNodeGetsNotReadyTaint(t *testing.T) {
	e := newEnv(t)
	k := e.kubelet("n1", 0)
	k.renewEvery(2*time.Second, 2*time.Second, 120*time.Second)
	e.createPod("web", "n1")
	e.at(5*time.Second, func() {
		n := e.node("n1")
		n.Status.FindCondition(api.NodeReady).Status = api.ConditionFalse
		if _, err := client.For[*api.Node](e.api).UpdateStatus(context.Background(), n, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	e.verify([]check{
		{6500 * time.Millisecond, "Ready=False taints=[node.kubernetes.io/not-ready:NoSchedule node.kubernetes.io/not-ready:NoExecute]", map[string]string{"web": "running"}},
		{17 * time.Second, "", map[string]string{"web": "terminating"}},
	})
}

func TestDeletedNodesPodsAreCollected(t *testing.T) {
	e := newEnv(t)
	e.kubelet("n1", 0).renewEvery(2*time.Second, 2*time.Second, 60*time.Second)
	e.createPod("web", "n1")
	e.kubelet("n2", 0)
	e.createPod("other", "n2")
	e.at(3*time.Second, func() {
		if _, err := client.For[*api.Node](e.api).Delete(context.Background(), "", "n1", client.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	e.runUntil(4 * time.Second)
	if got := e.podState("web"); got != "gone" {
		t.Errorf("pod of a deleted node is %s, want gone (force-deleted)", got)
	}
	if got := e.podState("other"); got != "running" {
		t.Errorf("pod of another node is %s, want running", got)
	}
}

// TestPodsOfNodesNeverSeenGoingAreCollected: a node deleted while the
// controller was down leaves no delete event behind. Its pods are still
// collected, once the API confirms the node is gone; a pod bound to a node
// that exists is left alone.
func TestPodsOfNodesNeverSeenGoingAreCollected(t *testing.T) {
	e := newEnv(t)
	e.kubelet("n1", 0).renewEvery(2*time.Second, 2*time.Second, 60*time.Second)
	e.createPod("web", "n1")
	e.createPod("stranded", "gone-node")
	e.runUntil(orphanRecheck - time.Second)
	if got := e.podState("stranded"); got != "running" {
		t.Errorf("pod of a node missing from the cache is %s before the recheck, want running (the cache may lag)", got)
	}
	e.runUntil(orphanRecheck + time.Second)
	if got := e.podState("stranded"); got != "gone" {
		t.Errorf("pod of a node that does not exist is %s, want gone (force-deleted)", got)
	}
	if got := e.podState("web"); got != "running" {
		t.Errorf("pod of an existing node is %s, want running", got)
	}
}

// TestUnreachableNodesPodsAreMarkedNotReady: when a node goes Unknown its
// pods stop being Ready at once (so services stop sending them traffic),
// long before they are evicted. Pods elsewhere, and finished pods, are
// left alone.
func TestUnreachableNodesPodsAreMarkedNotReady(t *testing.T) {
	e := newEnv(t)
	k := e.kubelet("n1", 0)
	k.renewEvery(2*time.Second, 2*time.Second, 20*time.Second)
	setStatus := func(name string, phase api.PodPhase, ready api.ConditionStatus) {
		p, err := client.For[*api.Pod](e.api).Get(context.Background(), "default", name)
		if err != nil {
			t.Fatal(err)
		}
		p.Status.Phase = phase
		p.Status.Conditions = []api.PodCondition{{Type: api.PodReady, Status: ready}}
		if _, err := client.For[*api.Pod](e.api).UpdateStatus(context.Background(), p, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	e.kubelet("n2", 0).renewEvery(2*time.Second, 2*time.Second, 40*time.Second)
	for _, p := range []struct {
		name, node string
		phase      api.PodPhase
	}{{"web", "n1", api.PodRunning}, {"done", "n1", api.PodSucceeded}, {"other", "n2", api.PodRunning}} {
		e.createPod(p.name, p.node)
		setStatus(p.name, p.phase, api.ConditionTrue)
	}
	ready := func(name string) string {
		p, err := client.For[*api.Pod](e.api).Get(context.Background(), "default", name)
		if err != nil {
			t.Fatal(err)
		}
		c := p.Status.FindCondition(api.PodReady)
		return string(c.Status) + "/" + c.Reason
	}
	e.runUntil(30500 * time.Millisecond)
	if got := ready("web"); got != "True/" {
		t.Fatalf("before the grace period ends: web is %s, want True", got)
	}
	e.runUntil(31500 * time.Millisecond)
	for name, want := range map[string]string{"web": "False/NodeNotReady", "done": "True/", "other": "True/"} {
		if got := ready(name); got != want {
			t.Errorf("after n1 went Unknown: pod %s Ready=%s, want %s", name, got, want)
		}
	}
	// Once only: a pod already not ready is not written again.
	e.runUntil(35 * time.Second)
	if n := e.eventCount("NodeNotReady"); n != 2 {
		t.Errorf("NodeNotReady events = %d, want 2 (the node's and web's)", n)
	}
}
