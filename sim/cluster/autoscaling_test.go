package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/controller/podautoscaler"
)

// The autoscaler invariants judged over synthetic rescale histories: what
// the real controller does passes, what each broken variant does fails
// with the invariant that must catch it.
func TestAutoscalerInvariantsOnHistories(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	tol := podautoscaler.DefaultTolerance
	up := func(s int, from, to int32, ratio float64) hpaScale {
		return hpaScale{at: at(s), from: from, to: to, ratio: ratio, tol: tol}
	}
	tests := []struct {
		name    string
		history []hpaScale
		want    string // the invariant violated, "" for none
	}{
		{"real: up on load, down after the window", []hpaScale{up(0, 1, 4, 4), up(15, 4, 5, 2), up(320, 5, 1, 0.2)}, ""},
		{"no stabilization: down 30 s after up", []hpaScale{up(0, 1, 4, 4), up(30, 4, 1, 0.2)}, "hpa-stabilization"},
		{"a down to no lower than the up is allowed in the window", []hpaScale{up(0, 1, 4, 4), up(15, 6, 4, 0.5)}, ""},
		{"ignores max", []hpaScale{up(0, 1, 8, 8)}, "hpa-bounds"},
		{"ignores min", []hpaScale{up(0, 3, 0, 0.01)}, "hpa-bounds"},
		{"pinned into max after max was lowered is not the window's", []hpaScale{up(0, 1, 4, 4), up(15, 9, 5, 0)}, ""},
		{"no tolerance: down at 95%", []hpaScale{up(0, 3, 2, 0.95)}, "hpa-tolerance"},
		{"legacy up at 95% (an older recommendation) is Kubernetes' quirk", []hpaScale{up(0, 3, 4, 0.95)}, ""},
	}
	for _, tc := range tests {
		f := &hpaFacts{bounds: map[int64][2]int32{1: {1, 5}}, window: map[int64]time.Duration{1: 5 * time.Minute}}
		got := ""
		for _, s := range tc.history {
			if inv, _ := f.judgeRescale("default/web", s, 1); inv != "" {
				got = inv
				break
			}
		}
		if got != tc.want {
			t.Errorf("%s: judged %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestAutoscalerSettled(t *testing.T) {
	i32 := func(n int32) *int32 { return &n }
	hpa := func(util, cur, minR, maxR int32, active bool) *api.HorizontalPodAutoscaler {
		st := api.ConditionTrue
		if !active {
			st = api.ConditionFalse
		}
		return &api.HorizontalPodAutoscaler{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web"},
			Spec: api.HorizontalPodAutoscalerSpec{MinReplicas: i32(minR), MaxReplicas: maxR, Metrics: []api.MetricSpec{{Type: api.MetricSourceResource,
				Resource: &api.ResourceMetricSource{Name: api.ResourceCPU, Target: api.MetricTarget{Type: api.MetricTargetUtilization, AverageUtilization: i32(50)}}}}},
			Status: api.HorizontalPodAutoscalerStatus{CurrentReplicas: cur, Conditions: []api.HorizontalPodAutoscalerCondition{{Type: api.HPAScalingActive, Status: st}},
				CurrentMetrics: []api.MetricStatus{{Type: api.MetricSourceResource, Resource: &api.ResourceMetricStatus{Name: api.ResourceCPU,
					Current: api.MetricValueStatus{AverageUtilization: i32(util)}}}}}}
	}
	tests := []struct {
		name string
		h    *api.HorizontalPodAutoscaler
		want string // a part of the error, "" for settled
	}{
		{"within tolerance", hpa(52, 3, 1, 10, true), ""},
		{"quantized: 35% at 2 is what 70% at 1 asked for", hpa(35, 2, 1, 10, true), ""},
		{"pinned at max", hpa(300, 10, 1, 10, true), ""},
		{"pinned at min", hpa(5, 1, 1, 10, true), ""},
		{"stuck low", hpa(200, 2, 1, 10, true), "asks for 8"},
		{"not active", hpa(50, 2, 1, 10, false), "not actively scaling"},
	}
	for _, tc := range tests {
		err := autoscalerSettled(tc.h)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: autoscalerSettled = %v, want settled", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: autoscalerSettled = %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}
