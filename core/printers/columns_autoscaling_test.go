package printers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
)

func TestAutoscalerRow(t *testing.T) {
	i32 := func(n int32) *int32 { return &n }
	q := func(s string) *api.Quantity { v := api.MustParseQuantity(s); return &v }
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cpu := api.MetricSpec{Type: api.MetricSourceResource, Resource: &api.ResourceMetricSource{Name: api.ResourceCPU,
		Target: api.MetricTarget{Type: api.MetricTargetUtilization, AverageUtilization: i32(50)}}}
	mem := api.MetricSpec{Type: api.MetricSourceResource, Resource: &api.ResourceMetricSource{Name: api.ResourceMemory,
		Target: api.MetricTarget{Type: api.MetricTargetAverageValue, AverageValue: q("100Mi")}}}
	pods := api.MetricSpec{Type: api.MetricSourcePods, Pods: &api.PodsMetricSource{Metric: api.MetricIdentifier{Name: "qps"},
		Target: api.MetricTarget{Type: api.MetricTargetAverageValue, AverageValue: q("10")}}}
	cpuAt := func(p int32) api.MetricStatus {
		return api.MetricStatus{Type: api.MetricSourceResource, Resource: &api.ResourceMetricStatus{Name: api.ResourceCPU,
			Current: api.MetricValueStatus{AverageUtilization: i32(p), AverageValue: q("45m")}}}
	}
	hpa := func(min *int32, specs []api.MetricSpec, statuses []api.MetricStatus, replicas int32) *api.HorizontalPodAutoscaler {
		return &api.HorizontalPodAutoscaler{
			ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default", CreationTimestamp: api.NewTime(now.Add(-3 * time.Minute))},
			Spec: api.HorizontalPodAutoscalerSpec{ScaleTargetRef: api.CrossVersionObjectReference{Kind: "Deployment", Name: "web"},
				MinReplicas: min, MaxReplicas: 5, Metrics: specs},
			Status: api.HorizontalPodAutoscalerStatus{CurrentReplicas: replicas, CurrentMetrics: statuses},
		}
	}
	tests := []struct {
		name string
		h    *api.HorizontalPodAutoscaler
		want []string
	}{
		{"measured", hpa(i32(1), []api.MetricSpec{cpu}, []api.MetricStatus{cpuAt(45)}, 2),
			[]string{"web", "Deployment/web", "cpu: 45%/50%", "1", "5", "2", "3m"}},
		{"not yet measured", hpa(i32(1), []api.MetricSpec{cpu}, nil, 0),
			[]string{"web", "Deployment/web", "cpu: <unknown>/50%", "1", "5", "0", "3m"}},
		{"average value", hpa(i32(2), []api.MetricSpec{mem}, nil, 2),
			[]string{"web", "Deployment/web", "memory: <unknown>/100Mi", "2", "5", "2", "3m"}},
		{"three metrics", hpa(nil, []api.MetricSpec{cpu, mem, pods}, []api.MetricStatus{cpuAt(10)}, 1),
			[]string{"web", "Deployment/web", "cpu: 10%/50%, memory: <unknown>/100Mi + 1 more...", "<unset>", "5", "1", "3m"}},
		{"none", hpa(i32(1), nil, nil, 1), []string{"web", "Deployment/web", "<none>", "1", "5", "1", "3m"}},
	}
	for _, tc := range tests {
		got := autoscalerRow(tc.h, now).Cells
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: autoscalerRow cells (-want +got)\n%s", tc.name, diff)
		}
	}
}
