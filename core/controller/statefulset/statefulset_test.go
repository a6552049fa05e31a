package statefulset

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

func ptr[T any](v T) *T { return &v }

func wantState(t *testing.T, e *env, when string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	got := e.state()
	if got == nil {
		got = []string{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s: pods (-want +got):\n%s", when, diff)
	}
}

// OrderedReady: ordinal i is created only once 0..i-1 are Running and
// Ready; each pod carries its identity.
func TestOrderedReadyCreatesOneAtATime(t *testing.T) {
	e := newEnv(t)
	set := e.createSet("web", 3, nil)
	wantState(t, e, "created", "web-0")
	e.runFor(10e9)
	wantState(t, e, "web-0 not ready yet", "web-0")
	e.markReady("web-0")
	wantState(t, e, "web-0 ready", "web-0", "web-1")
	e.markReady("web-1")
	wantState(t, e, "web-1 ready", "web-0", "web-1", "web-2")
	e.markReady("web-2")

	p := e.pod("web-1")
	rev := revision(set)
	for k, v := range map[string]string{"app": "web", PodNameLabel: "web-1", PodIndexLabel: "1", RevisionLabel: rev} {
		if p.Labels[k] != v {
			t.Errorf("web-1 label %s = %q, want %q", k, p.Labels[k], v)
		}
	}
	if p.Spec.Hostname != "web-1" || p.Spec.Subdomain != "web" {
		t.Errorf("web-1 hostname.subdomain = %q.%q, want web-1.web", p.Spec.Hostname, p.Spec.Subdomain)
	}
	if ref := p.ControllerRef(); ref == nil || ref.Kind != "StatefulSet" || ref.UID != set.UID {
		t.Errorf("web-1 controller reference = %+v, want StatefulSet web", ref)
	}
	if len(p.Spec.Volumes) != 1 || p.Spec.Volumes[0].PersistentVolumeClaim == nil || p.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "data-web-1" {
		t.Errorf("web-1 volumes = %+v, want data from claim data-web-1", p.Spec.Volumes)
	}
	var claims []string
	for _, c := range clienttest.List[*api.PersistentVolumeClaim](t, e.api, "default") {
		claims = append(claims, c.Name+":"+c.Status.Phase)
		if len(c.OwnerReferences) != 0 {
			t.Errorf("claim %s has owners %v, want none (claims are retained)", c.Name, c.OwnerReferences)
		}
	}
	if diff := cmp.Diff([]string{"data-web-0:Pending", "data-web-1:Pending", "data-web-2:Pending"}, claims); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	st := e.getSet("web").Status
	want := api.StatefulSetStatus{ObservedGeneration: 1, Replicas: 3, ReadyReplicas: 3, AvailableReplicas: 3,
		CurrentReplicas: 3, UpdatedReplicas: 3, CurrentRevision: rev, UpdateRevision: rev}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
}

// Parallel creates every ordinal at once and removes the surplus at once.
func TestParallelCreatesAndDeletesAllAtOnce(t *testing.T) {
	e := newEnv(t)
	e.createSet("web", 3, func(s *api.StatefulSet) { s.Spec.PodManagementPolicy = api.ParallelPodManagement })
	wantState(t, e, "created", "web-0", "web-1", "web-2")
	e.update("web", func(s *api.StatefulSet) { s.Spec.Replicas = ptr[int32](1) })
	wantState(t, e, "scaled to 1", "web-0", "web-1~", "web-2~")
}

// OrderedReady scales down from the highest ordinal, one at a time, each
// only when every other pod is ready; claims stay.
func TestOrderedScaleDownHighestFirst(t *testing.T) {
	e := newEnv(t)
	e.createSet("web", 3, nil)
	e.markReady("web-0")
	e.markReady("web-1")
	e.markReady("web-2")
	e.update("web", func(s *api.StatefulSet) { s.Spec.Replicas = ptr[int32](1) })
	wantState(t, e, "scaled to 1", "web-0", "web-1", "web-2~")
	e.runFor(10e9)
	wantState(t, e, "web-2 still terminating", "web-0", "web-1", "web-2~")
	e.finish("web-2")
	wantState(t, e, "web-2 gone", "web-0", "web-1~")
	e.finish("web-1")
	wantState(t, e, "web-1 gone", "web-0")
	if n := len(clienttest.List[*api.PersistentVolumeClaim](t, e.api, "default")); n != 3 {
		t.Errorf("%d claims after scale-down, want 3 (never deleted)", n)
	}
}

// A scale-down waits while a lower ordinal is not ready.
func TestOrderedScaleDownWaitsForLowerReady(t *testing.T) {
	e := newEnv(t)
	e.createSet("web", 3, nil)
	e.markReady("web-0")
	e.markReady("web-1")
	e.markReady("web-2")
	// web-0 stops being ready (its probe fails).
	p := e.pod("web-0")
	p.Status.Conditions = []api.PodCondition{{Type: api.PodReady, Status: api.ConditionFalse}}
	if _, err := client.For[*api.Pod](e.api).UpdateStatus(context.Background(), p, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.update("web", func(s *api.StatefulSet) { s.Spec.Replicas = ptr[int32](2) })
	wantState(t, e, "scaled to 2 with web-0 unready", "web-0", "web-1", "web-2")
	e.markReady("web-0")
	wantState(t, e, "web-0 ready again", "web-0", "web-1", "web-2~")
}

// The safety rule: an ordinal gets a new pod only once the old pod object
// is gone from the API, not while it is terminating.
func TestReplacementWaitsUntilOldPodIsGone(t *testing.T) {
	e := newEnv(t)
	e.createSet("web", 2, func(s *api.StatefulSet) { s.Spec.PodManagementPolicy = api.ParallelPodManagement })
	e.markReady("web-0", "web-1")
	old := e.pod("web-1").UID
	e.userDelete("web-1")
	e.runFor(60e9)
	wantState(t, e, "web-1 terminating", "web-0", "web-1~")
	e.finish("web-1")
	wantState(t, e, "web-1 gone", "web-0", "web-1")
	if e.pod("web-1").UID == old {
		t.Fatal("web-1 has its old uid, want a new pod")
	}
}

// A rolling update goes from the highest ordinal down to the partition,
// one pod at a time, each waiting for the previous one to be recreated
// Running and Ready.
func TestRollingUpdateReverseOrderWithPartition(t *testing.T) {
	e := newEnv(t)
	e.createSet("web", 3, nil)
	e.markReady("web-0")
	e.markReady("web-1")
	e.markReady("web-2")
	oldRev := e.getSet("web").Status.CurrentRevision
	e.update("web", func(s *api.StatefulSet) {
		s.Spec.Template.Spec.Containers[0].Image = "db:2"
		s.Spec.UpdateStrategy.RollingUpdate = &api.RollingUpdateStatefulSetStrategy{Partition: ptr[int32](1)}
	})
	newRev := revision(e.getSet("web"))
	wantState(t, e, "template changed", "web-0", "web-1", "web-2~")
	e.finish("web-2")
	wantState(t, e, "web-2 gone", "web-0", "web-1", "web-2")
	if got := e.pod("web-2").Labels[RevisionLabel]; got != newRev {
		t.Fatalf("web-2 recreated at %s, want %s", got, newRev)
	}
	e.runFor(5e9)
	wantState(t, e, "new web-2 not ready", "web-0", "web-1", "web-2")
	e.markReady("web-2")
	wantState(t, e, "new web-2 ready", "web-0", "web-1~", "web-2")
	e.finish("web-1")
	e.markReady("web-1")
	e.runFor(5e9)
	wantState(t, e, "partition 1 reached", "web-0", "web-1", "web-2")
	if got := e.pod("web-0").Labels[RevisionLabel]; got != oldRev {
		t.Fatalf("web-0 at %s, want %s (below the partition)", got, oldRev)
	}
	st := e.getSet("web").Status
	if st.CurrentRevision != oldRev || st.UpdateRevision != newRev || st.UpdatedReplicas != 2 || st.CurrentReplicas != 1 || st.ObservedGeneration != 2 {
		t.Fatalf("status at partition = %+v, want current %s (1), update %s (2), generation 2", st, oldRev, newRev)
	}
	e.update("web", func(s *api.StatefulSet) { s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr[int32](0) })
	wantState(t, e, "partition 0", "web-0~", "web-1", "web-2")
	e.finish("web-0")
	e.markReady("web-0")
	st = e.getSet("web").Status
	if st.CurrentRevision != newRev || st.CurrentReplicas != 3 || st.UpdatedReplicas != 3 {
		t.Fatalf("status after the update = %+v, want current = update = %s, 3 replicas", st, newRev)
	}
}

// OnDelete: a template change deletes nothing; a pod the user deletes
// comes back at the new revision.
func TestOnDeleteRecreatesOnlyDeletedPods(t *testing.T) {
	e := newEnv(t)
	e.createSet("web", 2, func(s *api.StatefulSet) {
		s.Spec.UpdateStrategy = api.StatefulSetUpdateStrategy{Type: api.StrategyOnDelete}
	})
	e.markReady("web-0")
	e.markReady("web-1")
	e.update("web", func(s *api.StatefulSet) { s.Spec.Template.Spec.Containers[0].Image = "db:2" })
	e.runFor(30e9)
	wantState(t, e, "template changed", "web-0", "web-1")
	e.userDelete("web-0")
	e.finish("web-0")
	newRev := revision(e.getSet("web"))
	if got := e.pod("web-0").Labels[RevisionLabel]; got != newRev {
		t.Fatalf("web-0 recreated at %s, want %s", got, newRev)
	}
	if got := e.pod("web-1").Labels[RevisionLabel]; got == newRev {
		t.Fatal("web-1 was updated though nobody deleted it")
	}
}

// A pod that failed is deleted, and recreated once gone.
func TestFailedPodIsReplaced(t *testing.T) {
	e := newEnv(t)
	e.createSet("web", 1, nil)
	p := e.pod("web-0")
	p.Status.Phase = api.PodFailed
	if _, err := client.For[*api.Pod](e.api).UpdateStatus(context.Background(), p, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	if got := e.pod("web-0"); got.UID == p.UID {
		t.Fatalf("web-0 is still the failed pod (%s)", got.Status.Phase)
	}
}

// A node that stopped being Ready may still run its pods (a partition, not
// a crash): the controller leaves web-0 alone rather than run the identity
// twice. Replacing it at once is the mistake sim/mutants calls
// statefulset-replaces-on-notready.
func TestNotReadyNodeIsLeftAlone(t *testing.T) {
	e := newEnv(t)
	n := &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}}
	n, err := client.For[*api.Node](e.api).Create(context.Background(), n, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.createSet("web", 1, func(s *api.StatefulSet) {
		s.Spec.UpdateStrategy = api.StatefulSetUpdateStrategy{Type: api.StrategyOnDelete}
	})
	e.markReady("web-0")
	uid := e.pod("web-0").UID
	e.update("web", func(s *api.StatefulSet) { s.Spec.Template.Spec.NodeName = "n2" })
	n.Status.Conditions = []api.NodeCondition{{Type: api.NodeReady, Status: api.ConditionUnknown}}
	if _, err := client.For[*api.Node](e.api).UpdateStatus(context.Background(), n, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.runFor(60e9)
	if e.pod("web-0").UID != uid {
		t.Fatal("web-0 was replaced while its node was only NotReady")
	}
}
