package daemonset

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

func TestOnePodPerEligibleNode(t *testing.T) {
	e := newEnv(t)
	e.addNode("plain", labeled("role", "edge"))
	e.addNode("other-role", labeled("role", "core"))
	e.addNode("tainted", labeled("role", "edge"), tainted("dedicated", api.TaintNoSchedule))
	e.addNode("tolerated", labeled("role", "edge"), tainted("gpu", api.TaintNoExecute))
	e.addNode("cordoned", labeled("role", "edge"), cordoned)
	e.addNode("no-affinity", labeled("role", "edge"), labeled("zone", "b"))
	ds := e.createDS("agent", func(ds *api.DaemonSet) {
		s := &ds.Spec.Template.Spec
		s.NodeSelector = map[string]string{"role": "edge"}
		s.Tolerations = []api.Toleration{{Key: "gpu", Operator: "Exists"}}
		s.Affinity = &api.Affinity{NodeAffinity: &api.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &api.NodeSelector{
			NodeSelectorTerms: []api.NodeSelectorTerm{{MatchExpressions: []api.NodeSelectorRequirement{{Key: "zone", Operator: "NotIn", Values: []string{"b"}}}}}}}}
	})
	e.converge(3)
	want := map[string]int{"plain": 1, "tolerated": 1, "cordoned": 1}
	if diff := cmp.Diff(want, e.nodesOf(ds)); diff != "" {
		t.Fatalf("pods per node (-want +got):\n%s", diff)
	}
	for node, ps := range e.byNode(ds) {
		p := ps[0]
		if p.Spec.NodeName != node {
			t.Errorf("pod %s for %s is bound to %q: the scheduler should have bound it by its node affinity", p.Name, node, p.Spec.NodeName)
		}
		terms := p.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
		wantTerms := []api.NodeSelectorTerm{{MatchExpressions: []api.NodeSelectorRequirement{{Key: "kubernetes.io/hostname", Operator: "In", Values: []string{node}}}}}
		if diff := cmp.Diff(wantTerms, terms); diff != "" {
			t.Errorf("pod %s: required node affinity (-want +got):\n%s", p.Name, diff)
		}
		for _, key := range []string{"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/unschedulable"} {
			found := false
			for _, tol := range p.Spec.Tolerations {
				found = found || tol.Key == key
			}
			if !found {
				t.Errorf("pod %s has no toleration for %s: tolerations %v", p.Name, key, p.Spec.Tolerations)
			}
		}
		if p.Labels[RevisionHashLabel] == "" || p.Labels["app"] != "agent" {
			t.Errorf("pod %s labels %v, want app=agent and a %s", p.Name, p.Labels, RevisionHashLabel)
		}
	}
	st := e.getDS("agent").Status
	wantSt := api.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, NumberReady: 3, NumberAvailable: 3,
		UpdatedNumberScheduled: 3, ObservedGeneration: e.getDS("agent").Generation}
	if diff := cmp.Diff(wantSt, st); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
}

func TestNodesJoinLeaveAndStopMatching(t *testing.T) {
	e := newEnv(t)
	e.addNode("n1", labeled("role", "edge"))
	e.addNode("n2", labeled("role", "edge"))
	ds := e.createDS("agent", func(ds *api.DaemonSet) { ds.Spec.Template.Spec.NodeSelector = map[string]string{"role": "edge"} })
	e.converge(2)
	if diff := cmp.Diff(map[string]int{"n1": 1, "n2": 1}, e.nodesOf(ds)); diff != "" {
		t.Fatalf("pods per node (-want +got):\n%s", diff)
	}

	e.addNode("n3", labeled("role", "edge"))
	e.converge(2)
	if diff := cmp.Diff(map[string]int{"n1": 1, "n2": 1, "n3": 1}, e.nodesOf(ds)); diff != "" {
		t.Fatalf("after n3 joined: pods per node (-want +got):\n%s", diff)
	}

	e.changeNode("n2", func(n *api.Node) { n.Labels["role"] = "core" })
	e.converge(2)
	if diff := cmp.Diff(map[string]int{"n1": 1, "n3": 1}, e.nodesOf(ds)); diff != "" {
		t.Fatalf("after n2 stopped matching: pods per node (-want +got):\n%s", diff)
	}

	// A bound pod of a node deleted from the API is the node controller's
	// to collect: this controller leaves it and stops counting the node.
	e.deleteNode("n3")
	e.converge(2)
	if diff := cmp.Diff(map[string]int{"n1": 1, "n3": 1}, e.nodesOf(ds)); diff != "" {
		t.Fatalf("after n3 left: pods per node (-want +got):\n%s", diff)
	}
	if st := e.getDS("agent").Status; st.DesiredNumberScheduled != 1 || st.CurrentNumberScheduled != 1 || st.NumberMisscheduled != 0 {
		t.Errorf("after n3 left: desired %d current %d misscheduled %d, want 1 1 0", st.DesiredNumberScheduled, st.CurrentNumberScheduled, st.NumberMisscheduled)
	}
	if n := len(e.Events("SuccessfulDelete")); n != 1 {
		t.Errorf("%d SuccessfulDelete events, want 1 (n2's pod; n3's is the node controller's)", n)
	}
}

// An unbound pod aimed at a node that no longer exists would stay pending
// forever (no GC collects unbound pods): the controller deletes it.
func TestUnboundPodOfVanishedNodeIsDeleted(t *testing.T) {
	e := newEnv(t)
	e.addNode("n1")
	e.addNode("n2", notReady) // the scheduler will not bind there
	ds := e.createDS("agent", nil)
	e.converge(1)
	// n2 is not Ready: shouldRun is false, so no pod; make one by hand as
	// a controller that raced the node's deletion would have.
	p := aimAt(templatePod(ds, "x"), "gone")
	if _, err := client.For[*api.Pod](e.Client).Create(context.Background(), p, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.converge(2)
	if diff := cmp.Diff(map[string]int{"n1": 1}, e.nodesOf(ds)); diff != "" {
		t.Fatalf("pods per node (-want +got):\n%s", diff)
	}
}

func TestFailedPodIsReplaced(t *testing.T) {
	e := newEnv(t)
	e.addNode("n1")
	ds := e.createDS("agent", nil)
	e.converge(2)
	old := e.byNode(ds)["n1"][0]
	old.Status.Phase = api.PodFailed
	old.Status.Conditions = nil
	if _, err := client.For[*api.Pod](e.Client).UpdateStatus(context.Background(), old, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.converge(2)
	ps := e.byNode(ds)["n1"]
	if len(ps) != 1 || ps[0].UID == old.UID || !api.IsPodReady(ps[0]) {
		t.Fatalf("after the pod failed: n1 has %v, want one new ready pod", ps)
	}
}

func TestSurplusPodsOnANodeAreDeleted(t *testing.T) {
	e := newEnv(t)
	e.addNode("n1")
	ds := e.createDS("agent", nil)
	e.converge(2)
	keep := e.byNode(ds)["n1"][0]
	extra := aimAt(templatePod(ds, keep.Labels[RevisionHashLabel]), "n1")
	if _, err := client.For[*api.Pod](e.Client).Create(context.Background(), extra, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.converge(2)
	ps := e.byNode(ds)["n1"]
	if len(ps) != 1 || ps[0].UID != keep.UID {
		t.Fatalf("n1 has %d pods, want only the first one (%s)", len(ps), keep.Name)
	}
}

// A node that is lost (not Ready, tainted by the node controller) keeps
// its daemon pod: the pod tolerates the NoExecute taints, and the
// NoSchedule ones only stop new pods.
func TestLostNodeKeepsItsPod(t *testing.T) {
	e := newEnv(t)
	e.addNode("n1")
	e.addNode("n2")
	ds := e.createDS("agent", nil)
	e.converge(2)
	before := e.byNode(ds)["n2"][0]
	e.changeNode("n2", func(n *api.Node) {
		notReady(n)
		n.Spec.Taints = []api.Taint{{Key: "node.kubernetes.io/unreachable", Effect: api.TaintNoSchedule}, {Key: "node.kubernetes.io/unreachable", Effect: api.TaintNoExecute}}
	})
	e.converge(2)
	if ps := e.byNode(ds)["n2"]; len(ps) != 1 || ps[0].UID != before.UID {
		t.Fatalf("lost node n2 has %d pods, want its pod %s kept", len(ps), before.Name)
	}
	st := e.getDS("agent").Status
	if st.DesiredNumberScheduled != 1 || st.NumberMisscheduled != 1 {
		t.Errorf("desired %d misscheduled %d, want 1 and 1 (as Kubernetes counts a lost node's pod)", st.DesiredNumberScheduled, st.NumberMisscheduled)
	}
	// A taint the pod does not tolerate with NoExecute evicts it.
	e.changeNode("n2", func(n *api.Node) {
		n.Spec.Taints = append(n.Spec.Taints, api.Taint{Key: "maintenance", Effect: api.TaintNoExecute})
	})
	e.converge(2)
	if ps := e.byNode(ds)["n2"]; len(ps) != 0 {
		t.Fatalf("n2 with an untolerated NoExecute taint has %d pods, want 0", len(ps))
	}
}

func TestMaxUnavailable(t *testing.T) {
	tests := []struct {
		v       *api.IntOrString
		desired int
		want    int
	}{
		{nil, 5, 1},
		{ptr(api.FromInt(2)), 5, 2},
		{ptr(api.FromString("25%")), 5, 2}, // 1.25 rounds up
		{ptr(api.FromString("20%")), 5, 1},
		{ptr(api.FromString("1%")), 3, 1},
		{ptr(api.FromString("0%")), 3, 1}, // never 0
		{ptr(api.FromString("100%")), 4, 4},
	}
	for _, tt := range tests {
		ds := &api.DaemonSet{Spec: api.DaemonSetSpec{UpdateStrategy: api.DaemonSetUpdateStrategy{Type: api.StrategyRollingUpdate,
			RollingUpdate: &api.RollingUpdateDaemonSet{MaxUnavailable: tt.v}}}}
		if got := maxUnavailable(ds, tt.desired); got != tt.want {
			t.Errorf("maxUnavailable(%v of %d nodes) = %d, want %d", tt.v, tt.desired, got, tt.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestRollingUpdateKeepsWithinMaxUnavailable(t *testing.T) {
	for _, tt := range []struct {
		maxUnavailable api.IntOrString
		budget         int
	}{{api.FromInt(1), 1}, {api.FromString("40%"), 2}} {
		e := newEnv(t)
		for _, n := range []string{"n1", "n2", "n3", "n4", "n5"} {
			e.addNode(n)
		}
		ds := e.createDS("agent", func(ds *api.DaemonSet) {
			ds.Spec.UpdateStrategy.RollingUpdate = &api.RollingUpdateDaemonSet{MaxUnavailable: &tt.maxUnavailable}
		})
		e.converge(2)
		e.updateDS("agent", func(ds *api.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = "agent:2" })
		worst := 0
		e.AfterStep = func() {
			avail := 0
			for _, ps := range e.byNode(ds) {
				if len(ps) == 1 && api.IsPodReady(ps[0]) {
					avail++
				}
			}
			worst = max(worst, 5-avail)
		}
		e.converge(12)
		e.AfterStep = nil
		if worst > tt.budget {
			t.Errorf("maxUnavailable %v: %d nodes were without an available pod at once, want at most %d", tt.maxUnavailable, worst, tt.budget)
		}
		if worst < tt.budget {
			t.Errorf("maxUnavailable %v: at most %d nodes were updated at once, want %d (the update is too cautious)", tt.maxUnavailable, worst, tt.budget)
		}
		d := e.getDS("agent")
		for node, ps := range e.byNode(ds) {
			if len(ps) != 1 || ps[0].Spec.Containers[0].Image != "agent:2" || !api.IsPodReady(ps[0]) {
				t.Fatalf("maxUnavailable %v: node %s has %d pods, first %s, want one ready agent:2", tt.maxUnavailable, node, len(ps), ps[0].Spec.Containers[0].Image)
			}
		}
		if st := d.Status; st.UpdatedNumberScheduled != 5 || st.NumberAvailable != 5 || st.NumberUnavailable != 0 || st.ObservedGeneration != d.Generation {
			t.Errorf("maxUnavailable %v: status %+v, want 5 updated and available, generation %d observed", tt.maxUnavailable, st, d.Generation)
		}
	}
}

func TestOnDeleteReplacesOnlyDeletedPods(t *testing.T) {
	e := newEnv(t)
	e.addNode("n1")
	e.addNode("n2")
	ds := e.createDS("agent", func(ds *api.DaemonSet) {
		ds.Spec.UpdateStrategy = api.DaemonSetUpdateStrategy{Type: api.StrategyOnDelete}
	})
	e.converge(2)
	e.updateDS("agent", func(ds *api.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = "agent:2" })
	e.converge(3)
	for node, ps := range e.byNode(ds) {
		if ps[0].Spec.Containers[0].Image != "agent:1" {
			t.Fatalf("OnDelete: node %s's pod was replaced by the update", node)
		}
	}
	victim := e.byNode(ds)["n1"][0]
	if _, err := client.For[*api.Pod](e.Client).Delete(context.Background(), "default", victim.Name, client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.converge(3)
	got := map[string]string{}
	for node, ps := range e.byNode(ds) {
		got[node] = ps[0].Spec.Containers[0].Image
	}
	if diff := cmp.Diff(map[string]string{"n1": "agent:2", "n2": "agent:1"}, got); diff != "" {
		t.Errorf("images per node (-want +got):\n%s", diff)
	}
	if st := e.getDS("agent").Status; st.UpdatedNumberScheduled != 1 {
		t.Errorf("updatedNumberScheduled %d, want 1", st.UpdatedNumberScheduled)
	}
}

// While the pod informer lags, reconciles triggered by other events must
// not create a second pod for a node: the expectations hold them back.
// (Without them and the per-node pod names, the mistake sim/mutants calls
// daemonset-ignores-existing, a node gets several.)
func TestLaggingInformerCreatesNoDuplicates(t *testing.T) {
	e := newEnv(t)
	e.addNode("n1")
	e.addNode("n2")
	e.Transport.Hold("/pods")
	ds := e.createDS("agent", nil)
	e.RunFor(time.Second)
	for i := range 3 {
		e.updateDS("agent", func(ds *api.DaemonSet) { ds.Annotations = map[string]string{"poke": string(rune('a' + i))} })
		e.RunFor(time.Second)
	}
	e.Transport.Release()
	e.RunFor(time.Second)
	most := 0
	for _, ps := range e.byNode(ds) {
		most = max(most, len(ps))
	}
	if created := len(e.Events("SuccessfulCreate")); created > 2 {
		t.Errorf("%d pods created for 2 nodes while the informer lagged", created)
	}
	if most != 1 {
		t.Errorf("a node has %d pods, want 1", most)
	}
	e.converge(3)
	if diff := cmp.Diff(map[string]int{"n1": 1, "n2": 1}, e.nodesOf(ds)); diff != "" {
		t.Errorf("pods per node (-want +got):\n%s", diff)
	}
}
