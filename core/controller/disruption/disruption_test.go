package disruption

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/rest"
)

func TestAllowed(t *testing.T) {
	for _, tc := range []struct {
		c    Counts
		want int32
	}{
		{Counts{Expected: 3, Desired: 2, Healthy: 3}, 1},
		{Counts{Expected: 3, Desired: 2, Healthy: 1}, 0},
		{Counts{Expected: 0, Desired: 0, Healthy: 2}, 0},
		{Counts{Expected: 5, Desired: 0, Healthy: 5}, 5},
	} {
		if got := Allowed(tc.c); got != tc.want {
			t.Errorf("Allowed(%+v) = %d, want %d", tc.c, got, tc.want)
		}
	}
}

func TestHealthyDropsExpiredAndDeleted(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 10, 0, 0, time.UTC)
	ready := func(name string, deleting bool) *api.Pod {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name}, Status: api.PodStatus{Conditions: []api.PodCondition{{Type: api.PodReady, Status: api.ConditionTrue}}}}
		if deleting {
			p.DeletionTimestamp = api.NewTime(now)
		}
		return p
	}
	pods := []*api.Pod{ready("a", false), ready("b", false), ready("c", true), ready("d", false)}
	disrupted := map[string]api.Time{
		"a":    *api.NewTime(now.Add(-time.Minute)),     // still on its way out
		"b":    *api.NewTime(now.Add(-3 * time.Minute)), // delete never happened
		"c":    *api.NewTime(now.Add(-time.Minute)),     // being deleted: no longer needed
		"gone": *api.NewTime(now.Add(-time.Minute)),
	}
	healthy, kept, recheck := Healthy(pods, disrupted, now)
	if healthy != 2 { // b and d
		t.Errorf("healthy = %d, want 2", healthy)
	}
	if diff := cmp.Diff(map[string]api.Time{"a": disrupted["a"]}, kept); diff != "" {
		t.Errorf("kept (-want +got)\n%s", diff)
	}
	if want := now.Add(time.Minute); !recheck.Equal(want) {
		t.Errorf("recheck = %v, want %v", recheck, want)
	}
}

// env is one namespace with a Deployment of `replicas` whose ReplicaSet
// has made `ready` Ready pods and `notReady` others, and a running
// disruption controller.
func env(t *testing.T, replicas int32, ready, notReady int) (*clienttest.Env, context.Context) {
	e := clienttest.New(t, 1, 2)
	ctx := context.Background()
	c := New(Config{Loop: e.Loop, Client: client.New(e.Transport)})
	c.Start()
	t.Cleanup(c.Stop)
	labels := map[string]string{"app": "web"}
	d := &api.Deployment{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"}, Spec: api.DeploymentSpec{Replicas: &replicas,
		Selector: &api.LabelSelector{MatchLabels: labels}, Template: api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: labels},
			Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}}}}}
	d, err := client.For[*api.Deployment](e.Client).Create(ctx, d, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	rs := &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "web-1", Namespace: "default", Labels: labels,
		OwnerReferences: []api.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: d.UID, Controller: &yes}}},
		Spec: api.ReplicaSetSpec{Replicas: &replicas, Selector: d.Spec.Selector, Template: d.Spec.Template}}
	rs, err = client.For[*api.ReplicaSet](e.Client).Create(ctx, rs, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < ready+notReady; i++ {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web-1-" + string(rune('a'+i)), Namespace: "default", Labels: labels,
			OwnerReferences: []api.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: &yes}}},
			Spec: d.Spec.Template.Spec}
		p, err := client.For[*api.Pod](e.Client).Create(ctx, p, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if i < ready {
			if err := e.MarkReady(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	return e, ctx
}

func TestReconcileComputesStatus(t *testing.T) {
	pct := func(s string) *api.IntOrString { v := api.FromString(s); return &v }
	num := func(n int32) *api.IntOrString { v := api.FromInt(n); return &v }
	type counts struct{ Expected, Desired, Healthy, Allowed int32 }
	tests := []struct {
		name                     string
		replicas                 int32
		ready, notReady          int
		minAvailable, maxUnavail *api.IntOrString
		want                     counts
		wantReason               string
	}{
		{"minAvailable 2 of 3 ready", 3, 3, 0, num(2), nil, counts{3, 2, 3, 1}, api.SufficientPodsReason},
		{"minAvailable 2, one not ready", 3, 2, 1, num(2), nil, counts{3, 2, 2, 0}, api.InsufficientPodsReason},
		{"minAvailable 50% of the scale, rounded up", 5, 4, 0, pct("50%"), nil, counts{5, 3, 4, 1}, api.SufficientPodsReason},
		{"maxUnavailable 1 of a scale of 4", 4, 4, 0, nil, num(1), counts{4, 3, 4, 1}, api.SufficientPodsReason},
		{"maxUnavailable 30% of 4 rounds up to 2", 4, 4, 0, nil, pct("30%"), counts{4, 2, 4, 2}, api.SufficientPodsReason},
		{"no pods yet", 3, 0, 0, num(1), nil, counts{0, 1, 0, 0}, api.InsufficientPodsReason},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, ctx := env(t, tc.replicas, tc.ready, tc.notReady)
			pdb := &api.PodDisruptionBudget{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
				Spec: api.PodDisruptionBudgetSpec{MinAvailable: tc.minAvailable, MaxUnavailable: tc.maxUnavail,
					Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}
			if _, err := client.For[*api.PodDisruptionBudget](e.Client).Create(ctx, pdb, client.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			e.RunFor(time.Second)
			got, err := client.For[*api.PodDisruptionBudget](e.Client).Get(ctx, "default", "web")
			if err != nil {
				t.Fatal(err)
			}
			s := got.Status
			if diff := cmp.Diff(tc.want, counts{s.ExpectedPods, s.DesiredHealthy, s.CurrentHealthy, s.DisruptionsAllowed}); diff != "" {
				t.Errorf("status (-want +got)\n%s", diff)
			}
			if s.ObservedGeneration != got.Generation || len(s.Conditions) != 1 || s.Conditions[0].Reason != tc.wantReason {
				t.Errorf("observedGeneration %d (generation %d), conditions %+v, want the generation and one condition %s", s.ObservedGeneration, got.Generation, s.Conditions, tc.wantReason)
			}
		})
	}
}

// An eviction spends the budget; the controller does not hand it back
// while the evicted pod is still there, and recounts once it is gone.
func TestEvictionThenRecount(t *testing.T) {
	e, ctx := env(t, 3, 3, 0)
	two := api.FromInt(2)
	pdb := &api.PodDisruptionBudget{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: api.PodDisruptionBudgetSpec{MinAvailable: &two, Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}
	pdbs := client.For[*api.PodDisruptionBudget](e.Client)
	if _, err := pdbs.Create(ctx, pdb, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(time.Second)
	evict := func(name string) int {
		resp, err := e.Client.Do(ctx, evictionRequest(name))
		if se, isStatus := err.(*api.StatusError); isStatus {
			return int(se.Status.Code)
		}
		if err != nil {
			t.Fatal(err)
		}
		return resp.Code
	}
	if code := evict("web-1-a"); code != 201 {
		t.Fatalf("first eviction = %d, want 201", code)
	}
	if code := evict("web-1-b"); code != 429 {
		t.Fatalf("second eviction = %d, want 429", code)
	}
	e.RunFor(time.Second)
	got, _ := pdbs.Get(ctx, "default", "web")
	if got.Status.DisruptionsAllowed != 0 || got.Status.CurrentHealthy != 2 {
		t.Errorf("after one eviction: allowed %d healthy %d, want 0 and 2", got.Status.DisruptionsAllowed, got.Status.CurrentHealthy)
	}
}

func evictionRequest(name string) *rest.Request {
	return &rest.Request{Method: "POST", Path: "/api/v1/namespaces/default/pods/" + name + "/eviction", ContentType: rest.ContentJSON, Body: []byte(`{}`)}
}
