package podautoscaler

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

// fakeMetrics serves each pod's CPU use from a map (millicores); err, when
// set, is every answer.
type fakeMetrics struct {
	cpu map[string]int64
	err error
	now func() time.Time
}

func (f *fakeMetrics) PodMetrics(_ context.Context, ns string, _ api.Selector) ([]api.PodMetrics, error) {
	if f.err != nil {
		return nil, f.err
	}
	var out []api.PodMetrics
	for name, m := range f.cpu {
		out = append(out, api.PodMetrics{ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns}, Timestamp: *api.NewTime(f.now()), Window: "15s",
			Containers: []api.ContainerMetrics{{Name: "app", Usage: api.ResourceList{api.ResourceCPU: api.NewMilliQuantity(m, api.DecimalSI)}}}})
	}
	return out, nil
}

// setup makes a Deployment web (selector app=web) at replicas, one Running
// pod of it per name that has been ready since long ago, requesting 100m,
// and an autoscaler at 50% cpu within [1, 5]; then starts a controller.
func setup(t *testing.T, replicas int32, pods []string, m *fakeMetrics) (*clienttest.Env, *Controller) {
	t.Helper()
	e := clienttest.New(t, 1, 2)
	ctx := context.Background()
	m.now = e.Loop.Now
	sel := &api.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	tmpl := api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": "web"}},
		Spec: api.PodSpec{Containers: []api.Container{{Name: "app", Image: "busybox"}}}}
	d := &api.Deployment{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"}, Spec: api.DeploymentSpec{Replicas: &replicas, Selector: sel, Template: tmpl}}
	if _, err := client.For[*api.Deployment](e.Client).Create(ctx, d, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	long := api.NewTime(e.Loop.Now().Add(-time.Hour))
	for _, name := range pods {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", Labels: map[string]string{"app": "web"}},
			Spec: api.PodSpec{Containers: []api.Container{{Name: "app", Image: "busybox",
				Resources: api.ResourceRequirements{Requests: api.ResourceList{api.ResourceCPU: api.MustParseQuantity("100m")}}}}}}
		p, err := client.For[*api.Pod](e.Client).Create(ctx, p, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p.Status.Phase = api.PodRunning
		p.Status.StartTime = long
		p.Status.Conditions = []api.PodCondition{{Type: api.PodReady, Status: api.ConditionTrue, LastTransitionTime: long}}
		if _, err := client.For[*api.Pod](e.Client).UpdateStatus(ctx, p, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	hpa := &api.HorizontalPodAutoscaler{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: api.HorizontalPodAutoscalerSpec{ScaleTargetRef: api.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}, MaxReplicas: 5,
			Metrics: []api.MetricSpec{{Type: api.MetricSourceResource, Resource: &api.ResourceMetricSource{Name: api.ResourceCPU,
				Target: api.MetricTarget{Type: api.MetricTargetUtilization, AverageUtilization: ptr[int32](50)}}}}}}
	if _, err := client.For[*api.HorizontalPodAutoscaler](e.Client).Create(ctx, hpa, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	cl := client.New(e.Transport)
	c := New(Config{Loop: e.Loop, Client: cl, Recorder: client.NewRecorder(e.Loop, cl, "horizontal-pod-autoscaler", ""), Metrics: m})
	c.Start()
	e.Settle()
	return e, c
}

func replicasOf(t *testing.T, e *clienttest.Env) int32 {
	t.Helper()
	d, err := client.For[*api.Deployment](e.Client).Get(context.Background(), "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	return *d.Spec.Replicas
}

func hpaOf(t *testing.T, e *clienttest.Env) *api.HorizontalPodAutoscaler {
	t.Helper()
	h, err := client.For[*api.HorizontalPodAutoscaler](e.Client).Get(context.Background(), "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func conditionOf(h *api.HorizontalPodAutoscaler, typ string) string {
	for _, c := range h.Status.Conditions {
		if c.Type == typ {
			return fmt.Sprintf("%s/%s", c.Status, c.Reason)
		}
	}
	return "absent"
}

func TestScalesUpThenDownAfterTheWindow(t *testing.T) {
	m := &fakeMetrics{cpu: map[string]int64{"web-a": 400}}
	e, _ := setup(t, 1, []string{"web-a"}, m)

	// 400m of 100m is 400%, eight times a 50% target: 8 pods, but the legacy
	// rate allows 4 from 1, and max is 5.
	if got := replicasOf(t, e); got != 4 {
		t.Fatalf("after the first sync, replicas = %d, want 4", got)
	}
	h := hpaOf(t, e)
	if h.Status.CurrentReplicas != 1 || h.Status.DesiredReplicas != 4 || h.Status.LastScaleTime == nil {
		t.Errorf("status = current %d desired %d lastScaleTime %v, want 1, 4, set", h.Status.CurrentReplicas, h.Status.DesiredReplicas, h.Status.LastScaleTime)
	}
	if got := h.Status.CurrentMetrics[0].Resource.Current.AverageUtilization; got == nil || *got != 400 {
		t.Errorf("currentMetrics utilization = %v, want 400", got)
	}
	for typ, want := range map[string]string{api.HPAAbleToScale: "True/SucceededRescale", api.HPAScalingActive: "True/ValidMetricFound", api.HPAScalingLimited: "True/ScaleUpLimit"} {
		if got := conditionOf(h, typ); got != want {
			t.Errorf("condition %s = %s, want %s", typ, got, want)
		}
	}
	if got, want := e.Events("SuccessfulRescale"), "New size: 4; reason: cpu resource utilization (percentage of request) above target"; len(got) != 1 || got[0] != want {
		t.Errorf("SuccessfulRescale events = %q, want [%q]", got, want)
	}

	// The load stops: 10% of the request, one pod's worth.
	m.cpu["web-a"] = 10
	e.RunFor(4 * time.Minute)
	// The window still holds the first sync's recommendation (8): a
	// later sync lets it through, as far as max, although the load has
	// stopped. Kubernetes' autoscalers without behavior do the same.
	if got := replicasOf(t, e); got != 5 {
		t.Fatalf("4 minutes after the load stopped, replicas = %d, want 5 (the window's highest, 8, bounded by max)", got)
	}
	if got := conditionOf(hpaOf(t, e), api.HPAAbleToScale); got != "True/ScaleDownStabilized" {
		t.Errorf("AbleToScale = %s, want True/ScaleDownStabilized", got)
	}
	e.RunFor(2 * time.Minute)
	if got := replicasOf(t, e); got != 1 {
		t.Fatalf("6 minutes after the load stopped, replicas = %d, want 1", got)
	}
	if got := e.Events("SuccessfulRescale"); len(got) != 3 || got[2] != "New size: 1; reason: All metrics below target" {
		t.Errorf("SuccessfulRescale events = %q, want the scale-down third", got)
	}
}

func TestMetricsUnavailable(t *testing.T) {
	m := &fakeMetrics{err: errors.New("the server could not find the requested resource (get pods.metrics.k8s.io)")}
	e, _ := setup(t, 2, []string{"web-a", "web-b"}, m)
	if got := replicasOf(t, e); got != 2 {
		t.Errorf("replicas = %d, want 2 (unchanged without metrics)", got)
	}
	h := hpaOf(t, e)
	if got := conditionOf(h, api.HPAScalingActive); got != "False/FailedGetResourceMetric" {
		t.Errorf("ScalingActive = %s, want False/FailedGetResourceMetric", got)
	}
	if h.Status.CurrentReplicas != 2 {
		t.Errorf("currentReplicas = %d, want 2", h.Status.CurrentReplicas)
	}
	if got := e.Events("FailedGetResourceMetric"); len(got) != 1 {
		t.Errorf("FailedGetResourceMetric events = %q, want one", got)
	}
}

func TestPinsIntoBounds(t *testing.T) {
	m := &fakeMetrics{cpu: map[string]int64{"web-a": 50}}
	e, _ := setup(t, 9, []string{"web-a"}, m)
	if got := replicasOf(t, e); got != 5 {
		t.Errorf("replicas = %d, want 5 (max)", got)
	}
	if got := e.Events("SuccessfulRescale"); len(got) != 1 || got[0] != "New size: 5; reason: Current number of replicas above Spec.MaxReplicas" {
		t.Errorf("SuccessfulRescale events = %q", got)
	}
}

func TestBehaviorPoliciesPaceAScaleUp(t *testing.T) {
	m := &fakeMetrics{cpu: map[string]int64{"web-a": 1000}}
	e, _ := setup(t, 1, []string{"web-a"}, m)
	// Already scaled by the legacy rule at the first sync; give it a
	// behavior of one pod a minute and a big max.
	h := hpaOf(t, e)
	h.Spec.MaxReplicas = 20
	h.Spec.Behavior = &api.HorizontalPodAutoscalerBehavior{ScaleUp: &api.HPAScalingRules{Policies: []api.HPAScalingPolicy{{Type: api.ScalingPolicyPods, Value: 1, PeriodSeconds: 60}}}}
	if _, err := client.For[*api.HorizontalPodAutoscaler](e.Client).Update(context.Background(), h, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	after := replicasOf(t, e)
	e.RunFor(59 * time.Second)
	if got := replicasOf(t, e); got != after {
		t.Errorf("within the minute, replicas went %d → %d, want no change (one pod a minute)", after, got)
	}
	e.RunFor(2 * time.Second)
	if got := replicasOf(t, e); got != after+1 {
		t.Errorf("after the minute, replicas = %d, want %d", got, after+1)
	}
}
