package replicaset

import (
	"context"
	"github.com/tinykube/tinykube/core/controller"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

func TestScaleUpAndDown(t *testing.T) {
	e := newEnv(t)
	rs := e.createRS("web", 3, nil)
	e.Settle()
	steps := []struct {
		replicas                 int32
		wantCreated, wantDeleted int // events so far
	}{
		{3, 3, 0},
		{5, 5, 0},
		{1, 5, 4},
		{0, 5, 5},
		{2, 7, 5},
	}
	for _, s := range steps {
		e.scale("web", s.replicas)
		e.Settle()
		owned := e.ownedBy(rs)
		if len(owned) != int(s.replicas) {
			t.Fatalf("after scaling to %d: %d pods owned by web (%v), want %d", s.replicas, len(owned), names(owned), s.replicas)
		}
		for _, p := range owned {
			if !strings.HasPrefix(p.Name, "web-") || p.Labels["app"] != "web" || p.Annotations["note"] != "from-template" || p.Spec.Containers[0].Image != "nginx:1" {
				t.Errorf("pod %s does not follow the template: labels=%v annotations=%v", p.Name, p.Labels, p.Annotations)
			}
			ref := p.ControllerRef()
			if ref.APIVersion != "apps/v1" || ref.Kind != "ReplicaSet" || ref.Name != "web" || ref.BlockOwnerDeletion == nil || !*ref.BlockOwnerDeletion {
				t.Errorf("pod %s: controller reference %+v, want apps/v1 ReplicaSet web with blockOwnerDeletion", p.Name, ref)
			}
		}
		created, deleted := e.Events("SuccessfulCreate"), e.Events("SuccessfulDelete")
		if len(created) != s.wantCreated || len(deleted) != s.wantDeleted {
			t.Errorf("after scaling to %d: %d SuccessfulCreate and %d SuccessfulDelete events, want %d and %d", s.replicas, len(created), len(deleted), s.wantCreated, s.wantDeleted)
		}
		if st := e.getRS("web").Status; st.Replicas != s.replicas || st.ObservedGeneration != e.getRS("web").Generation {
			t.Errorf("after scaling to %d: status.replicas=%d observedGeneration=%d, want %d and %d", s.replicas, st.Replicas, st.ObservedGeneration, s.replicas, e.getRS("web").Generation)
		}
	}
	for _, m := range e.Events("SuccessfulCreate") {
		if !strings.HasPrefix(m, "Created pod: web-") {
			t.Errorf("SuccessfulCreate message %q, want \"Created pod: web-xxxxx\"", m)
		}
	}
	for _, m := range e.Events("SuccessfulDelete") {
		if !strings.HasPrefix(m, "Deleted pod: web-") {
			t.Errorf("SuccessfulDelete message %q, want \"Deleted pod: web-xxxxx\"", m)
		}
	}
}

func TestSurplusOrder(t *testing.T) {
	at := func(s int) *api.Time { return api.NewTime(t0.Add(time.Duration(s) * time.Second)) }
	pod := func(name, node string, phase api.PodPhase, ready bool, restarts int32, created int) *api.Pod {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, CreationTimestamp: at(created)}, Spec: api.PodSpec{NodeName: node}}
		p.Status.Phase = phase
		if ready {
			p.Status.Conditions = []api.PodCondition{{Type: api.PodReady, Status: api.ConditionTrue}}
		}
		p.Status.ContainerStatuses = []api.ContainerStatus{{Name: "c", RestartCount: restarts}}
		return p
	}
	tests := []struct {
		name string
		pods []*api.Pod
		want []string // deletion order
	}{
		{"unscheduled before scheduled",
			[]*api.Pod{pod("on-node", "n1", api.PodPending, false, 0, 0), pod("nowhere", "", api.PodPending, false, 0, 0)},
			[]string{"nowhere", "on-node"}},
		{"Pending before Unknown before Running",
			[]*api.Pod{pod("running", "n1", api.PodRunning, false, 0, 0), pod("unknown", "n1", api.PodUnknown, false, 0, 0), pod("pending", "n1", api.PodPending, false, 0, 0)},
			[]string{"pending", "unknown", "running"}},
		{"not ready before ready",
			[]*api.Pod{pod("ready", "n1", api.PodRunning, true, 0, 0), pod("unready", "n1", api.PodRunning, false, 0, 0)},
			[]string{"unready", "ready"}},
		{"more restarts before fewer",
			[]*api.Pod{pod("steady", "n1", api.PodRunning, true, 0, 0), pod("crashy", "n1", api.PodRunning, true, 7, 0)},
			[]string{"crashy", "steady"}},
		{"newer before older",
			[]*api.Pod{pod("old", "n1", api.PodRunning, true, 0, 0), pod("new", "n1", api.PodRunning, true, 0, 60)},
			[]string{"new", "old"}},
		{"then by name",
			[]*api.Pod{pod("b", "n1", api.PodRunning, true, 0, 0), pod("a", "n1", api.PodRunning, true, 0, 0)},
			[]string{"a", "b"}},
		{"scheduling outranks age and restarts",
			[]*api.Pod{pod("new-crashy", "n1", api.PodRunning, true, 9, 99), pod("old-unscheduled", "", api.PodPending, false, 0, 0)},
			[]string{"old-unscheduled", "new-crashy"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, names(surplus(tt.pods, len(tt.pods)))); diff != "" {
			t.Errorf("%s: deletion order (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestScaleDownDeletesLeastValuableFirst(t *testing.T) {
	e := newEnv(t)
	rs := e.createRS("web", 3, nil)
	e.Settle()
	owned := e.ownedBy(rs)
	e.markReady(owned[0])
	e.markReady(owned[2])
	e.Settle()
	e.scale("web", 2)
	e.Settle()
	left := names(e.ownedBy(rs))
	if diff := cmp.Diff([]string{owned[0].Name, owned[2].Name}, left); diff != "" {
		t.Errorf("scaling 3→2 with %s not ready: pods left (-want +got):\n%s", owned[1].Name, diff)
	}
}

func TestAdoptionAndRelease(t *testing.T) {
	e := newEnv(t)
	orphan := e.createPod("orphan", map[string]string{"app": "web"}, nil)
	other := e.createPod("others", map[string]string{"app": "web"}, func(p *api.Pod) {
		yes := true
		p.OwnerReferences = []api.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "elsewhere", UID: "not-ours", Controller: &yes}}
	})
	e.createPod("stranger", map[string]string{"app": "db"}, nil)
	rs := e.createRS("web", 2, nil)
	e.Settle()

	get := func(name string) *api.Pod {
		p, err := client.For[*api.Pod](e.api).Get(context.Background(), "default", name)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if !get(orphan.Name).IsControlledBy(rs.UID) {
		t.Errorf("orphan pod with matching labels was not adopted: ownerReferences=%+v", get(orphan.Name).OwnerReferences)
	}
	if ref := get(other.Name).ControllerRef(); ref == nil || ref.UID != "not-ours" {
		t.Errorf("pod controlled by another owner was touched: controller ref %+v", ref)
	}
	if get("stranger").ControllerRef() != nil {
		t.Errorf("pod with non-matching labels was adopted")
	}
	if owned := e.ownedBy(rs); len(owned) != 2 {
		t.Fatalf("with one adopted pod: %d pods owned (%v), want 2 (the orphan and one new)", len(owned), names(owned))
	}
	if n := len(e.Events("SuccessfulCreate")); n != 1 {
		t.Errorf("SuccessfulCreate events = %d, want 1: the adopted pod counts", n)
	}

	// Relabel the adopted pod: it must be released and replaced.
	p := get(orphan.Name)
	p.Labels = map[string]string{"app": "debug"}
	if _, err := client.For[*api.Pod](e.api).Update(context.Background(), p, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	if refs := get(orphan.Name).OwnerReferences; len(refs) != 0 {
		t.Errorf("relabelled pod still has ownerReferences %+v, want it released", refs)
	}
	if owned := e.ownedBy(rs); len(owned) != 2 || containsName(owned, orphan.Name) {
		t.Errorf("after releasing %s: owned %v, want 2 pods without it", orphan.Name, names(owned))
	}
}

func containsName(pods []*api.Pod, name string) bool {
	for _, p := range pods {
		if p.Name == name {
			return true
		}
	}
	return false
}

// TestExpectationsPreventDoubleCreate holds back every watch event after
// the controller has created its pods, then makes it reconcile again: the
// cache still shows no pods, and only the expectations stand between the
// controller and a second set.
func TestExpectationsPreventDoubleCreate(t *testing.T) {
	tests := []struct {
		name        string
		holdFor     time.Duration // virtual time the events stay held
		wantCreates int
	}{
		{"a delayed watch does not cause a second create", 30 * time.Second, 3},
		// …and once it sees all six, deletes three: level-triggered.
		{"after the expectations time out the controller acts again, as Kubernetes does", controller.ExpectationsTimeout + time.Minute, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.createRS("web", 3, nil)
			// Let the controller see the ReplicaSet, then hold the watches.
			for {
				if _, ok := e.ctrl.rsets.Get("default", "web"); ok {
					break
				}
				if !e.v.Step() {
					t.Fatal("the controller never saw the ReplicaSet")
				}
			}
			e.tr.Hold("")
			e.Settle()
			if n := len(e.pods()); n != 3 {
				t.Fatalf("first reconcile created %d pods, want 3", n)
			}
			e.v.RunFor(tt.holdFor)
			e.ctrl.queue.Add("default/web") // any trigger: a resync, an unrelated update
			e.Settle()
			e.tr.Release()
			e.Settle()
			if e.tr.creates != tt.wantCreates {
				t.Errorf("pod creations after a reconcile %v into a watch delay = %d, want %d", tt.holdFor, e.tr.creates, tt.wantCreates)
			}
			if n := len(e.pods()); n != 3 {
				t.Errorf("pods once the watch caught up = %d, want 3", n)
			}
		})
	}
}

func TestSlowStartStopsAtFirstError(t *testing.T) {
	e := newEnv(t)
	e.tr.failCreate[3] = true // batch 1: #1 ok; batch 2: #2 ok, #3 fails
	var sawFailure bool
	e.createRS("web", 10, nil)
	for !sawFailure && e.v.Step() {
		sawFailure = e.tr.creates >= 3
	}
	if e.tr.creates != 3 {
		t.Errorf("create attempts in the failing reconcile = %d, want 3 (batches of 1 and 2, stopped at the failure)", e.tr.creates)
	}
	if adds, _ := e.ctrl.exp.Pending("default/web"); adds != 2 {
		t.Errorf("expected creations after the failure = %d, want 2 (the two that succeeded)", adds)
	}
	st := e.getRS("web").Status
	if len(st.Conditions) != 1 || st.Conditions[0].Type != ReplicaFailure || st.Conditions[0].Reason != "FailedCreate" {
		t.Errorf("status conditions after a failed create = %+v, want ReplicaFailure/FailedCreate", st.Conditions)
	}
	if ev := e.Events("FailedCreate"); len(ev) != 1 || !strings.Contains(ev[0], "injected failure") {
		t.Errorf("FailedCreate events = %q, want one carrying the error", ev)
	}
	e.RunFor(time.Second)
	rs := e.getRS("web")
	if n := len(e.ownedBy(rs)); n != 10 {
		t.Errorf("after retrying: %d pods, want 10", n)
	}
	if len(rs.Status.Conditions) != 0 {
		t.Errorf("conditions once creation succeeds = %+v, want ReplicaFailure cleared", rs.Status.Conditions)
	}
}

func TestStatusCounts(t *testing.T) {
	e := newEnv(t)
	// The template carries a label the selector does not ask for; an
	// adopted pod without it is counted, but not as fully labelled.
	e.createPod("adoptee", map[string]string{"app": "web"}, nil)
	rs := e.createRS("web", 3, func(rs *api.ReplicaSet) {
		rs.Spec.MinReadySeconds = 10
		rs.Spec.Template.Labels["tier"] = "front"
	})
	e.Settle()
	owned := e.ownedBy(rs)
	if len(owned) != 3 {
		t.Fatalf("owned = %v, want 3 pods", names(owned))
	}
	e.markReady(owned[0])
	e.markReady(owned[1])
	e.Settle()
	type counts struct{ Replicas, FullyLabeled, Ready, Available int32 }
	get := func() counts {
		st := e.getRS("web").Status
		return counts{st.Replicas, st.FullyLabeledReplicas, st.ReadyReplicas, st.AvailableReplicas}
	}
	steps := []struct {
		after time.Duration
		want  counts
	}{
		{0, counts{3, 2, 2, 0}},
		{9 * time.Second, counts{3, 2, 2, 0}},
		{time.Second, counts{3, 2, 2, 2}}, // minReadySeconds passed: no event needed, the controller requeued itself
	}
	for i, s := range steps {
		e.RunFor(s.after)
		if diff := cmp.Diff(s.want, get()); diff != "" {
			t.Errorf("step %d (t=%v): status (-want +got):\n%s", i, e.v.Now().Sub(t0), diff)
		}
	}
	if g, og := e.getRS("web").Generation, e.getRS("web").Status.ObservedGeneration; og != g {
		t.Errorf("observedGeneration = %d, want %d", og, g)
	}
}

func TestDeletingReplicaSetIsNotReconciled(t *testing.T) {
	e := newEnv(t)
	rs := e.createRS("web", 2, func(rs *api.ReplicaSet) { rs.Finalizers = []string{"example.com/hold"} })
	e.Settle()
	if _, err := client.For[*api.ReplicaSet](e.api).Delete(context.Background(), "default", "web", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	victim := e.ownedBy(rs)[0]
	if _, err := client.For[*api.Pod](e.api).Delete(context.Background(), "default", victim.Name, client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	if n := len(e.ownedBy(rs)); n != 1 {
		t.Errorf("a ReplicaSet being deleted replaced a deleted pod: %d pods, want 1", n)
	}
}
