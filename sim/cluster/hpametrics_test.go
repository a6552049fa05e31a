package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/sim/scenario"
)

// hpa-missing-metrics over hand-made moments: four running pods of 100m
// under a 50% target, some of them absent from the metrics API's answer
// given at the instant of the rescale. A scale-down below what the
// absent pods need at their full request (two pods each, at 50%) is the
// gap's doing; one that keeps them is the formula's.
func TestMissingMetricsJudgement(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC)
	tests := []struct {
		name     string
		measured []string // of a, b, c, d
		from, to int32
		answerAt time.Duration // when the metrics answer was given
		young    string        // a pod started 2s before the rescale
		want     string        // part of the violation, "" for none
	}{
		{"all measured: any scale-down is the formula's", []string{"a", "b", "c", "d"}, 4, 1, 0, "", ""},
		{"two missing, down to 2: the gap argued for it", []string{"a", "b"}, 4, 2, 0, "", "2 of its target's pods had no metrics (web-c, web-d): at their full request they alone need 4 pods"},
		{"one missing, down to 2: it needs 2, kept", []string{"a", "b", "c"}, 4, 2, 0, "", ""},
		{"one missing, down to 1", []string{"a", "b", "c"}, 4, 1, 0, "", "1 of its target's pods had no metrics (web-d)"},
		{"a scale-up is not judged", []string{"a"}, 4, 6, 0, "", ""},
		{"an answer from another instant is not the controller's", []string{"a", "b"}, 4, 2, -time.Second, "", ""},
		{"a pod just started may still be pending to the controller", []string{"a", "b", "c"}, 4, 1, 0, "d", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := store.NewMemory()
			put := func(key string, obj any) {
				b, err := json.Marshal(obj)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := st.Create(context.Background(), key, b); err != nil {
					t.Fatal(err)
				}
			}
			put("/registry/deployments/default/web", api.Deployment{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
				Spec: api.DeploymentSpec{Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}})
			for _, n := range []string{"a", "b", "c", "d"} {
				start := at.Add(-time.Minute)
				if n == tc.young {
					start = at.Add(-2 * time.Second)
				}
				put("/registry/pods/default/web-"+n, api.Pod{ObjectMeta: api.ObjectMeta{Name: "web-" + n, Namespace: "default", Labels: map[string]string{"app": "web"}},
					Spec:   api.PodSpec{Containers: []api.Container{{Name: "web", Resources: api.ResourceRequirements{Requests: api.ResourceList{api.ResourceCPU: api.MustParseQuantity("100m")}}}}},
					Status: api.PodStatus{Phase: api.PodRunning, StartTime: &api.Time{Time: start}}})
			}
			put("/registry/pods/default/other", api.Pod{ObjectMeta: api.ObjectMeta{Name: "other", Namespace: "default", Labels: map[string]string{"app": "other"}},
				Status: api.PodStatus{Phase: api.PodRunning, StartTime: &api.Time{Time: at.Add(-time.Minute)}}})
			now := 300 * time.Second
			c := &checker{store: st, now: func() time.Duration { return now }}
			a := &metricsAnswer{at: now + tc.answerAt, namespace: "default", measured: map[string]bool{}}
			for _, n := range tc.measured {
				a.measured["default/web-"+n] = true
			}
			c.lastMetrics = a
			fifty := int32(50)
			h := &api.HorizontalPodAutoscaler{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
				Spec: api.HorizontalPodAutoscalerSpec{ScaleTargetRef: api.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
					MaxReplicas: 8, Metrics: []api.MetricSpec{{Type: api.MetricSourceResource,
						Resource: &api.ResourceMetricSource{Name: api.ResourceCPU, Target: api.MetricTarget{Type: api.MetricTargetUtilization, AverageUtilization: &fifty}}}}}}
			got := c.missingMetrics(h, hpaScale{at: at, from: tc.from, to: tc.to})
			switch {
			case tc.want == "" && got != "":
				t.Errorf("missingMetrics(%d -> %d) = %q, want no violation", tc.from, tc.to, got)
			case tc.want != "" && !strings.Contains(got, tc.want):
				t.Errorf("missingMetrics(%d -> %d) = %q, want a violation saying %q", tc.from, tc.to, got, tc.want)
			}
		})
	}
}

// Each broken HorizontalPodAutoscaler controller is caught by its
// invariant on its scenario, and the real controller passes the same
// scenario.
func TestBrokenHPAsAreCaught(t *testing.T) {
	tests := []struct {
		mutant, scenario, want string
	}{
		{"hpa-missing-metrics-as-idle", "hpa-metrics-gap.yaml", "hpa-missing-metrics: HorizontalPodAutoscaler default/web scaled down"},
		{"hpa-no-tolerance", "hpa-flapping.yaml", "hpa-tolerance: HorizontalPodAutoscaler default/web"},
		{"hpa-no-stabilization", "hpa-spike.yaml", "hpa-stabilization: HorizontalPodAutoscaler default/web"},
		{"hpa-ignores-bounds", "hpa-spike.yaml", "hpa-bounds: HorizontalPodAutoscaler default/web"},
	}
	for _, tt := range tests {
		t.Run(tt.mutant, func(t *testing.T) {
			if testing.Short() && tt.mutant != "hpa-missing-metrics-as-idle" {
				t.Skip("the other HPA scenarios run for minutes of virtual time; -short keeps the newest")
			}
			s := load(t, tt.scenario)
			if r := run(t, s, 1); r.Violation != nil {
				t.Fatalf("the real controller fails %s seed 1: %v", s.Name, r.Violation)
			}
			s.Cluster.Broken = tt.mutant
			_, r, seed := caught(t, s, 3, tt.want, "HorizontalPodAutoscaler controller")
			t.Logf("seed %d caught: %v", seed, r.Violation)
		})
	}
}

// A scale story is judged at the end: a peak never reached, or an end
// count other than the one written, is the run's verdict, saying which.
func TestScaleStoryJudgement(t *testing.T) {
	one, two := int32(1), int32(2)
	tests := []struct {
		story scenario.ScaleStory
		want  string // part of the error, "" for told
	}{
		{scenario.ScaleStory{Kind: "Node", Peak: 3, End: &one}, ""},
		{scenario.ScaleStory{Kind: "Node", Peak: 4}, "the number of Nodes peaked at 3, never reaching 4"},
		{scenario.ScaleStory{Kind: "Node", End: &two}, "the number of Nodes is 1 at the end of the run (peak 3), want 2"},
		{scenario.ScaleStory{Kind: "Deployment", Namespace: "default", Name: "web", Peak: 10, End: &one}, ""},
		{scenario.ScaleStory{Kind: "Deployment", Namespace: "default", Name: "web", Peak: 11}, "Deployment default/web's replicas peaked at 10, never reaching 11"},
	}
	for _, tc := range tests {
		st := store.NewMemory()
		ctx := context.Background()
		w, err := st.Watch(ctx, "/registry/", 0)
		if err != nil {
			t.Fatal(err)
		}
		s := &storyCheck{stories: []scenario.ScaleStory{tc.story}, w: w, nodes: map[string]bool{}, replicas: map[string]int32{}, peaks: make([]int32, 1)}
		write := func(key string, obj any) {
			b, _ := json.Marshal(obj)
			if _, err := st.Update(ctx, key, b, 0); errors.Is(err, store.ErrNotFound) {
				_, err = st.Create(ctx, key, b)
			}
			if err != nil {
				t.Fatal(err)
			}
			s.check()
		}
		for i := 1; i <= 3; i++ {
			write(fmt.Sprintf("/registry/nodes/n%d", i), api.Node{})
		}
		for _, r := range []int32{1, 5, 10, 1} {
			write("/registry/deployments/default/web", api.Deployment{Spec: api.DeploymentSpec{Replicas: &r}})
		}
		for i := 2; i <= 3; i++ {
			if _, _, err := st.Delete(ctx, fmt.Sprintf("/registry/nodes/n%d", i), 0); err != nil {
				t.Fatal(err)
			}
		}
		s.check()
		err = s.judge()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: judge() = %v, want the story told", tc.story, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: judge() = %v, want an error saying %q", tc.story, err, tc.want)
		}
	}
}
