package apiserver

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// runningPod creates a pod bound to n1 whose status is phase, Ready or not.
func runningPod(f *fixture, name string, phase api.PodPhase, ready bool) {
	f.t.Helper()
	p := newPod(name, map[string]string{"app": "web"})
	p.Spec.NodeName = "n1"
	got, err := pods(f).Create(f.ctx, p, client.WriteOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	cond := api.ConditionFalse
	if ready {
		cond = api.ConditionTrue
	}
	got.Status = api.PodStatus{Phase: phase, Conditions: []api.PodCondition{{Type: api.PodReady, Status: cond}}}
	if _, err := pods(f).UpdateStatus(f.ctx, got, client.WriteOptions{}); err != nil {
		f.t.Fatal(err)
	}
}

// budget creates a PDB over app=web and sets its status as a disruption
// controller would (observedGeneration current unless stale).
func budget(f *fixture, name string, policy *string, st api.PodDisruptionBudgetStatus, stale bool) {
	f.t.Helper()
	one := api.FromInt(1)
	pdb := &api.PodDisruptionBudget{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec:       api.PodDisruptionBudgetSpec{MinAvailable: &one, Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, UnhealthyPodEvictionPolicy: policy},
	}
	res := client.For[*api.PodDisruptionBudget](f.client)
	got, err := res.Create(f.ctx, pdb, client.WriteOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	got.Status = st
	if !stale {
		got.Status.ObservedGeneration = got.Generation
	}
	if _, err := res.UpdateStatus(f.ctx, got, client.WriteOptions{}); err != nil {
		f.t.Fatal(err)
	}
}

func TestEviction(t *testing.T) {
	always := api.AlwaysAllow
	allowOne := api.PodDisruptionBudgetStatus{DisruptionsAllowed: 1, CurrentHealthy: 2, DesiredHealthy: 1, ExpectedPods: 2}
	allowNone := api.PodDisruptionBudgetStatus{DisruptionsAllowed: 0, CurrentHealthy: 1, DesiredHealthy: 1, ExpectedPods: 2}
	type outcome struct {
		Code      int
		Message   string
		Cause     string
		Evicted   bool  // the pod is gone or being deleted
		Allowed   int32 // the PDB's disruptionsAllowed afterwards
		Disrupted []string
	}
	tests := []struct {
		name  string
		setup func(f *fixture)
		body  string
		want  outcome
	}{
		{"no budget", func(f *fixture) { runningPod(f, "a", api.PodRunning, true) }, `{}`,
			outcome{Code: 201, Evicted: true}},
		{"budget allows one", func(f *fixture) {
			runningPod(f, "a", api.PodRunning, true)
			budget(f, "pdb", nil, allowOne, false)
		}, `{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"a"}}`,
			outcome{Code: 201, Evicted: true, Allowed: 0, Disrupted: []string{"a"}}},
		{"budget allows none", func(f *fixture) {
			runningPod(f, "a", api.PodRunning, true)
			budget(f, "pdb", nil, allowNone, false)
		}, `{}`, outcome{Code: 429, Message: "Cannot evict pod as it would violate the pod's disruption budget.",
			Cause: "The disruption budget pdb needs 1 healthy pods and has 1 currently"}},
		{"budget not yet observed", func(f *fixture) {
			runningPod(f, "a", api.PodRunning, true)
			budget(f, "pdb", nil, allowOne, true)
		}, `{}`, outcome{Code: 429, Message: "Cannot evict pod as it would violate the pod's disruption budget.",
			Cause: "The disruption budget pdb is still being processed by the server.", Allowed: 1}},
		{"two budgets", func(f *fixture) {
			runningPod(f, "a", api.PodRunning, true)
			budget(f, "pdb", nil, allowOne, false)
			budget(f, "pdb2", nil, allowOne, false)
		}, `{}`, outcome{Code: 500, Message: "Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", Allowed: 1}},
		{"pending pod ignores the budget", func(f *fixture) {
			runningPod(f, "a", api.PodPending, false)
			budget(f, "pdb", nil, allowNone, false)
		}, `{}`, outcome{Code: 201, Evicted: true}},
		{"unhealthy pod with AlwaysAllow", func(f *fixture) {
			runningPod(f, "a", api.PodRunning, false)
			budget(f, "pdb", &always, allowNone, false)
		}, `{}`, outcome{Code: 201, Evicted: true}},
		{"unhealthy pod, budget met", func(f *fixture) {
			runningPod(f, "a", api.PodRunning, false)
			budget(f, "pdb", nil, allowNone, false)
		}, `{}`, outcome{Code: 201, Evicted: true}},
		{"dry run spends nothing", func(f *fixture) {
			runningPod(f, "a", api.PodRunning, true)
			budget(f, "pdb", nil, allowOne, false)
		}, `{"deleteOptions":{"dryRun":["All"]}}`, outcome{Code: 201, Allowed: 1}},
		{"uid precondition fails", func(f *fixture) { runningPod(f, "a", api.PodRunning, true) },
			`{"deleteOptions":{"preconditions":{"uid":"other"}}}`,
			outcome{Code: 409, Message: `Operation cannot be fulfilled on pods "a": Precondition failed: UID in precondition: other, UID in object meta: ` + "UID"}},
		{"name mismatch", func(f *fixture) { runningPod(f, "a", api.PodRunning, true) }, `{"metadata":{"name":"b"}}`,
			outcome{Code: 400, Message: "name in URL does not match name in Eviction object"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.setup(f)
			before, _ := pods(f).Get(f.ctx, "default", "a")
			resp := f.do(http.MethodPost, "/api/v1/namespaces/default/pods/a/eviction", rest.ContentJSON, tc.body)
			st := status(t, resp)
			got := outcome{Code: resp.Code}
			if resp.Code >= 300 {
				got.Message = st.Message
				if st.Details != nil && len(st.Details.Causes) > 0 {
					got.Cause = st.Details.Causes[0].Message
				}
			}
			p, err := pods(f).Get(f.ctx, "default", "a")
			got.Evicted = err != nil || p.DeletionTimestamp != nil
			if pdb, err := client.For[*api.PodDisruptionBudget](f.client).Get(f.ctx, "default", "pdb"); err == nil {
				got.Allowed = pdb.Status.DisruptionsAllowed
				for name := range pdb.Status.DisruptedPods {
					got.Disrupted = append(got.Disrupted, name)
				}
			}
			want := tc.want
			want.Message = replaceUID(want.Message, before.UID)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("POST eviction %s: (-want +got)\n%s", tc.body, diff)
			}
		})
	}
}

func replaceUID(s, uid string) string {
	if n := len(s); n >= 3 && s[n-3:] == "UID" {
		return s[:n-3] + uid
	}
	return s
}
