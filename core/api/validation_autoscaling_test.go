package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidateHorizontalPodAutoscaler(t *testing.T) {
	i32 := func(n int32) *int32 { return &n }
	str := func(s string) *string { return &s }
	q := func(s string) *Quantity { v := MustParseQuantity(s); return &v }
	cpu := func(target MetricTarget) MetricSpec {
		return MetricSpec{Type: MetricSourceResource, Resource: &ResourceMetricSource{Name: ResourceCPU, Target: target}}
	}
	util := MetricTarget{Type: MetricTargetUtilization, AverageUtilization: i32(50)}
	ref := CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}
	valid := func() HorizontalPodAutoscalerSpec {
		return HorizontalPodAutoscalerSpec{ScaleTargetRef: ref, MinReplicas: i32(1), MaxReplicas: 5, Metrics: []MetricSpec{cpu(util)}}
	}
	with := func(f func(*HorizontalPodAutoscalerSpec)) HorizontalPodAutoscalerSpec { s := valid(); f(&s); return s }
	rules := func(f func(*HPAScalingRules)) *HorizontalPodAutoscalerBehavior {
		r := DefaultScaleUpRules()
		f(r)
		return &HorizontalPodAutoscalerBehavior{ScaleUp: r}
	}
	tests := []struct {
		name string
		spec HorizontalPodAutoscalerSpec
		want []string // fields at fault
	}{
		{"valid", valid(), nil},
		{"no kind, no name", with(func(s *HorizontalPodAutoscalerSpec) { s.ScaleTargetRef = CrossVersionObjectReference{} }),
			[]string{"spec.scaleTargetRef.kind", "spec.scaleTargetRef.name"}},
		{"name with a slash", with(func(s *HorizontalPodAutoscalerSpec) { s.ScaleTargetRef.Name = "a/b" }), []string{"spec.scaleTargetRef.name"}},
		{"minReplicas 0 (scale to zero is gated)", with(func(s *HorizontalPodAutoscalerSpec) { s.MinReplicas = i32(0) }), []string{"spec.minReplicas"}},
		{"maxReplicas 0", with(func(s *HorizontalPodAutoscalerSpec) { s.MaxReplicas = 0 }), []string{"spec.maxReplicas", "spec.maxReplicas"}},
		{"max below min", with(func(s *HorizontalPodAutoscalerSpec) { s.MinReplicas = i32(3); s.MaxReplicas = 2 }), []string{"spec.maxReplicas"}},
		{"memory average value", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Metrics = []MetricSpec{{Type: MetricSourceResource, Resource: &ResourceMetricSource{Name: ResourceMemory,
				Target: MetricTarget{Type: MetricTargetAverageValue, AverageValue: q("100Mi")}}}}
		}), nil},
		{"utilization 0", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Metrics = []MetricSpec{cpu(MetricTarget{Type: MetricTargetUtilization, AverageUtilization: i32(0)})}
		}), []string{"spec.metrics[0].resource.target.averageUtilization"}},
		{"no target value", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Metrics = []MetricSpec{cpu(MetricTarget{Type: MetricTargetUtilization})}
		}),
			[]string{"spec.metrics[0].resource.target.averageUtilization"}},
		{"both utilization and value", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Metrics = []MetricSpec{cpu(MetricTarget{Type: MetricTargetUtilization, AverageUtilization: i32(5), AverageValue: q("1")})}
		}), []string{"spec.metrics[0].resource.target.averageValue"}},
		{"bad target type", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Metrics = []MetricSpec{cpu(MetricTarget{Type: "Most", AverageUtilization: i32(5)})}
		}), []string{"spec.metrics[0].resource.target.type"}},
		{"negative average value", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Metrics = []MetricSpec{cpu(MetricTarget{Type: MetricTargetAverageValue, AverageValue: q("-1")})}
		}), []string{"spec.metrics[0].resource.target.averageValue"}},
		{"type without its source", with(func(s *HorizontalPodAutoscalerSpec) { s.Metrics = []MetricSpec{{Type: MetricSourcePods}} }),
			[]string{"spec.metrics[0].pods"}},
		{"two sources", with(func(s *HorizontalPodAutoscalerSpec) {
			m := cpu(util)
			m.Pods = &PodsMetricSource{Metric: MetricIdentifier{Name: "qps"}, Target: MetricTarget{Type: MetricTargetAverageValue, AverageValue: q("1")}}
			s.Metrics = []MetricSpec{m}
		}), []string{"spec.metrics[0].pods"}},
		{"unknown type", with(func(s *HorizontalPodAutoscalerSpec) { s.Metrics = []MetricSpec{{Type: "Weather"}} }), []string{"spec.metrics[0].type"}},
		{"no type", with(func(s *HorizontalPodAutoscalerSpec) { s.Metrics = []MetricSpec{{}} }), []string{"spec.metrics[0].type", "spec.metrics[0].type"}},
		{"container resource without container", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Metrics = []MetricSpec{{Type: MetricSourceContainerResource, ContainerResource: &ContainerResourceMetricSource{Name: ResourceCPU, Target: util}}}
		}), []string{"spec.metrics[0].containerResource.container"}},
		{"pods needs an average value", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Metrics = []MetricSpec{{Type: MetricSourcePods, Pods: &PodsMetricSource{Metric: MetricIdentifier{Name: "qps"}, Target: MetricTarget{Type: MetricTargetValue, Value: q("1")}}}}
		}), []string{"spec.metrics[0].pods.target.averageValue"}},
		{"default behavior", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Behavior = &HorizontalPodAutoscalerBehavior{ScaleUp: DefaultScaleUpRules(), ScaleDown: DefaultScaleDownRules()}
		}), nil},
		{"window too long", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Behavior = rules(func(r *HPAScalingRules) { r.StabilizationWindowSeconds = i32(3601) })
		}),
			[]string{"spec.behavior.scaleUp.stabilizationWindowSeconds"}},
		{"window negative", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Behavior = rules(func(r *HPAScalingRules) { r.StabilizationWindowSeconds = i32(-1) })
		}),
			[]string{"spec.behavior.scaleUp.stabilizationWindowSeconds"}},
		{"bad select policy", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Behavior = rules(func(r *HPAScalingRules) { r.SelectPolicy = str("Median") })
		}),
			[]string{"spec.behavior.scaleUp.selectPolicy"}},
		{"no policies", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Behavior = rules(func(r *HPAScalingRules) { r.Policies = nil })
		}),
			[]string{"spec.behavior.scaleUp.policies"}},
		{"bad policy", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Behavior = rules(func(r *HPAScalingRules) {
				r.Policies = []HPAScalingPolicy{{Type: "Nodes", Value: 0, PeriodSeconds: 1801}}
			})
		}), []string{"spec.behavior.scaleUp.policies[0].type", "spec.behavior.scaleUp.policies[0].value", "spec.behavior.scaleUp.policies[0].periodSeconds"}},
		{"negative tolerance", with(func(s *HorizontalPodAutoscalerSpec) {
			s.Behavior = rules(func(r *HPAScalingRules) { r.Tolerance = q("-0.1") })
		}),
			[]string{"spec.behavior.scaleUp.tolerance"}},
	}
	for _, tc := range tests {
		h := &HorizontalPodAutoscaler{ObjectMeta: ObjectMeta{Name: "web", Namespace: "default"}, Spec: tc.spec}
		var got []string
		for _, e := range Validate(h) {
			got = append(got, e.Field)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: Validate fields (-want +got)\n%s", tc.name, diff)
		}
	}
}

func TestDefaultHorizontalPodAutoscaler(t *testing.T) {
	i32 := func(n int32) *int32 { return &n }
	ref := CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}
	tests := []struct {
		name       string
		spec, want HorizontalPodAutoscalerSpec
	}{
		{"empty: min 1, cpu 80%, no behavior",
			HorizontalPodAutoscalerSpec{ScaleTargetRef: ref, MaxReplicas: 3},
			HorizontalPodAutoscalerSpec{ScaleTargetRef: ref, MinReplicas: i32(1), MaxReplicas: 3, Metrics: []MetricSpec{{Type: MetricSourceResource,
				Resource: &ResourceMetricSource{Name: ResourceCPU, Target: MetricTarget{Type: MetricTargetUtilization, AverageUtilization: i32(80)}}}}}},
		{"an empty behavior gets both directions' defaults",
			HorizontalPodAutoscalerSpec{ScaleTargetRef: ref, MinReplicas: i32(2), MaxReplicas: 3, Behavior: &HorizontalPodAutoscalerBehavior{}},
			HorizontalPodAutoscalerSpec{ScaleTargetRef: ref, MinReplicas: i32(2), MaxReplicas: 3, Metrics: []MetricSpec{{Type: MetricSourceResource,
				Resource: &ResourceMetricSource{Name: ResourceCPU, Target: MetricTarget{Type: MetricTargetUtilization, AverageUtilization: i32(80)}}}},
				Behavior: &HorizontalPodAutoscalerBehavior{ScaleUp: DefaultScaleUpRules(), ScaleDown: DefaultScaleDownRules()}}},
		{"a given window is kept, the rest filled",
			HorizontalPodAutoscalerSpec{ScaleTargetRef: ref, MinReplicas: i32(1), MaxReplicas: 3, Metrics: []MetricSpec{{Type: MetricSourcePods}},
				Behavior: &HorizontalPodAutoscalerBehavior{ScaleDown: &HPAScalingRules{StabilizationWindowSeconds: i32(60)}}},
			HorizontalPodAutoscalerSpec{ScaleTargetRef: ref, MinReplicas: i32(1), MaxReplicas: 3, Metrics: []MetricSpec{{Type: MetricSourcePods}},
				Behavior: &HorizontalPodAutoscalerBehavior{ScaleUp: DefaultScaleUpRules(), ScaleDown: &HPAScalingRules{StabilizationWindowSeconds: i32(60),
					SelectPolicy: DefaultScaleDownRules().SelectPolicy, Policies: DefaultScaleDownRules().Policies}}}},
	}
	for _, tc := range tests {
		h := &HorizontalPodAutoscaler{Spec: tc.spec}
		Default(h)
		if diff := cmp.Diff(tc.want, h.Spec); diff != "" {
			t.Errorf("%s: Default (-want +got)\n%s", tc.name, diff)
		}
	}
}

func TestValidateHorizontalPodAutoscalerStatus(t *testing.T) {
	old := &HorizontalPodAutoscaler{ObjectMeta: ObjectMeta{Name: "web", Namespace: "default"}}
	tests := []struct {
		name   string
		status HorizontalPodAutoscalerStatus
		want   []string
	}{
		{"valid", HorizontalPodAutoscalerStatus{CurrentReplicas: 2, DesiredReplicas: 3,
			Conditions: []HorizontalPodAutoscalerCondition{{Type: HPAAbleToScale, Status: ConditionTrue, Reason: "ReadyForNewScale"}}}, nil},
		{"negative counts", HorizontalPodAutoscalerStatus{CurrentReplicas: -1, DesiredReplicas: -2}, []string{"status.currentReplicas", "status.desiredReplicas"}},
		{"condition without status", HorizontalPodAutoscalerStatus{Conditions: []HorizontalPodAutoscalerCondition{{Type: HPAScalingActive}}},
			[]string{"status.conditions[0].status"}},
	}
	for _, tc := range tests {
		n := DeepCopy(old)
		n.Status = tc.status
		var got []string
		for _, e := range ValidateStatusUpdate(n, old) {
			got = append(got, e.Field)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: ValidateStatusUpdate fields (-want +got)\n%s", tc.name, diff)
		}
	}
}
