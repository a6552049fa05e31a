package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// jsonOf is an object's wire form, which is what the conversions must
// keep: quantities compare by what they print.
func jsonOf(t interface{ Fatalf(string, ...any) }, v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("json.Marshal(%T) = %v", v, err)
	}
	return string(b)
}

func genQuantity() *rapid.Generator[*Quantity] {
	return rapid.Custom(func(t *rapid.T) *Quantity {
		q := MustParseQuantity(rapid.SampledFrom([]string{"1", "250m", "2", "100Mi", "1k", "0.5"}).Draw(t, "q"))
		return &q
	})
}

func genI32(lo, hi int32) *rapid.Generator[*int32] {
	return rapid.Custom(func(t *rapid.T) *int32 { v := rapid.Int32Range(lo, hi).Draw(t, "i"); return &v })
}

func genSelector() *rapid.Generator[*LabelSelector] {
	return rapid.Custom(func(t *rapid.T) *LabelSelector {
		if rapid.Bool().Draw(t, "hasSelector") {
			return &LabelSelector{MatchLabels: map[string]string{"app": rapid.StringMatching(`[a-z]{1,5}`).Draw(t, "app")}}
		}
		return nil
	})
}

// genMetricV2 draws a metric other than a CPU utilization one, in the
// forms that survive the v2beta1 annotation shape (see the lossy points
// in autoscaling_v1_conversion.go).
func genMetricV2() *rapid.Generator[MetricSpec] {
	return rapid.Custom(func(t *rapid.T) MetricSpec {
		id := func() MetricIdentifier {
			return MetricIdentifier{Name: rapid.StringMatching(`[a-z]{1,8}`).Draw(t, "metric"), Selector: genSelector().Draw(t, "sel")}
		}
		switch rapid.IntRange(0, 4).Draw(t, "source") {
		case 0:
			return MetricSpec{Type: MetricSourceResource, Resource: &ResourceMetricSource{Name: ResourceMemory,
				Target: MetricTarget{Type: MetricTargetAverageValue, AverageValue: genQuantity().Draw(t, "v")}}}
		case 1:
			target := MetricTarget{Type: MetricTargetUtilization, AverageUtilization: genI32(1, 200).Draw(t, "u")}
			if rapid.Bool().Draw(t, "avg") {
				target = MetricTarget{Type: MetricTargetAverageValue, AverageValue: genQuantity().Draw(t, "v")}
			}
			return MetricSpec{Type: MetricSourceContainerResource, ContainerResource: &ContainerResourceMetricSource{
				Name: ResourceCPU, Container: "app", Target: target}}
		case 2:
			return MetricSpec{Type: MetricSourcePods, Pods: &PodsMetricSource{Metric: id(),
				Target: MetricTarget{Type: MetricTargetAverageValue, AverageValue: genQuantity().Draw(t, "v")}}}
		case 3:
			target := MetricTarget{Type: MetricTargetValue, Value: genQuantity().Draw(t, "v")}
			if rapid.Bool().Draw(t, "avg") {
				target = MetricTarget{Type: MetricTargetAverageValue, Value: genQuantity().Draw(t, "v0"), AverageValue: genQuantity().Draw(t, "v")}
			}
			return MetricSpec{Type: MetricSourceObject, Object: &ObjectMetricSource{Metric: id(), Target: target,
				DescribedObject: CrossVersionObjectReference{APIVersion: "v1", Kind: "Service", Name: "front"}}}
		default:
			target := MetricTarget{Type: MetricTargetValue, Value: genQuantity().Draw(t, "v")}
			if rapid.Bool().Draw(t, "avg") {
				target = MetricTarget{Type: MetricTargetAverageValue, AverageValue: genQuantity().Draw(t, "v")}
			}
			return MetricSpec{Type: MetricSourceExternal, External: &ExternalMetricSource{Metric: id(), Target: target}}
		}
	})
}

// genMetricStatusV2 draws a measured metric with every value the v2beta1
// shape makes non-optional present.
func genMetricStatusV2() *rapid.Generator[MetricStatus] {
	return rapid.Custom(func(t *rapid.T) MetricStatus {
		id := MetricIdentifier{Name: "qps"}
		switch rapid.IntRange(0, 4).Draw(t, "source") {
		case 0:
			return MetricStatus{Type: MetricSourceResource, Resource: &ResourceMetricStatus{Name: ResourceCPU,
				Current: MetricValueStatus{AverageUtilization: genI32(0, 300).Draw(t, "u"), AverageValue: genQuantity().Draw(t, "v")}}}
		case 1:
			return MetricStatus{Type: MetricSourceContainerResource, ContainerResource: &ContainerResourceMetricStatus{Name: ResourceMemory, Container: "app",
				Current: MetricValueStatus{AverageValue: genQuantity().Draw(t, "v")}}}
		case 2:
			return MetricStatus{Type: MetricSourcePods, Pods: &PodsMetricStatus{Metric: id, Current: MetricValueStatus{AverageValue: genQuantity().Draw(t, "v")}}}
		case 3:
			return MetricStatus{Type: MetricSourceObject, Object: &ObjectMetricStatus{Metric: id, DescribedObject: CrossVersionObjectReference{Kind: "Service", Name: "front"},
				Current: MetricValueStatus{Value: genQuantity().Draw(t, "v")}}}
		default:
			return MetricStatus{Type: MetricSourceExternal, External: &ExternalMetricStatus{Metric: id,
				Current: MetricValueStatus{Value: genQuantity().Draw(t, "v"), AverageValue: genQuantity().Draw(t, "a")}}}
		}
	})
}

// genHPAV2 draws stored autoscalers within the round trip's domain: at
// least one metric, the CPU utilization one (if any) last.
func genHPAV2() *rapid.Generator[*HorizontalPodAutoscaler] {
	return rapid.Custom(func(t *rapid.T) *HorizontalPodAutoscaler {
		h := &HorizontalPodAutoscaler{TypeMeta: TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
			ObjectMeta: ObjectMeta{Name: "web", Namespace: "default", UID: "u1", Generation: 3}}
		if rapid.Bool().Draw(t, "annotated") {
			h.Annotations = map[string]string{"team": rapid.StringMatching(`[a-z]{0,4}`).Draw(t, "team")}
		}
		h.Spec = HorizontalPodAutoscalerSpec{ScaleTargetRef: CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			MinReplicas: genI32(1, 3).Draw(t, "min"), MaxReplicas: rapid.Int32Range(3, 10).Draw(t, "max")}
		h.Spec.Metrics = rapid.SliceOfN(genMetricV2(), 0, 3).Draw(t, "metrics")
		if len(h.Spec.Metrics) == 0 || rapid.Bool().Draw(t, "cpu") {
			h.Spec.Metrics = append(h.Spec.Metrics, cpuUtilization(*genI32(1, 150).Draw(t, "cpu%")))
		}
		if rapid.Bool().Draw(t, "behavior") {
			h.Spec.Behavior = &HorizontalPodAutoscalerBehavior{ScaleDown: &HPAScalingRules{StabilizationWindowSeconds: genI32(0, 600).Draw(t, "window"),
				Policies: []HPAScalingPolicy{{Type: ScalingPolicyPods, Value: 1, PeriodSeconds: 60}}}}
		}
		h.Status = HorizontalPodAutoscalerStatus{CurrentReplicas: rapid.Int32Range(0, 9).Draw(t, "cur"), DesiredReplicas: rapid.Int32Range(0, 9).Draw(t, "des"),
			CurrentMetrics: rapid.SliceOfN(genMetricStatusV2(), 0, 3).Draw(t, "current")}
		if len(h.Status.CurrentMetrics) == 0 {
			h.Status.CurrentMetrics = nil // an empty list reads back as null
		}
		if rapid.Bool().Draw(t, "observed") {
			g := int64(3)
			h.Status.ObservedGeneration = &g
			h.Status.LastScaleTime = &Time{time.Date(2024, 5, 1, 12, 0, rapid.IntRange(0, 59).Draw(t, "s"), 0, time.UTC)}
			h.Status.Conditions = []HorizontalPodAutoscalerCondition{{Type: HPAAbleToScale, Status: "True", Reason: "ReadyForNewScale",
				LastTransitionTime: Time{time.Date(2024, 5, 1, 11, 0, 0, 0, time.UTC)}}}
		}
		return h
	})
}

// TestHPAConversionRoundTrip: every stored autoscaler in the domain above
// reads through autoscaling/v1 and back unchanged, and every v1 object the
// server serves converts to v2 and back unchanged.
func TestHPAConversionRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := genHPAV2().Draw(t, "hpa")
		before := jsonOf(t, h)
		v1 := HorizontalPodAutoscalerToV1(h)
		if got := jsonOf(t, h); got != before {
			t.Fatalf("HorizontalPodAutoscalerToV1 changed its input (-before +after):\n%s", cmp.Diff(before, got))
		}
		back := HorizontalPodAutoscalerToV2(v1)
		if diff := cmp.Diff(before, jsonOf(t, back)); diff != "" {
			t.Fatalf("ToV2(ToV1(h)) != h (-h +round trip):\nv1: %s\n%s", jsonOf(t, v1), diff)
		}
		v1JSON := jsonOf(t, v1)
		if diff := cmp.Diff(v1JSON, jsonOf(t, HorizontalPodAutoscalerToV1(back))); diff != "" {
			t.Fatalf("ToV1(ToV2(v1)) != v1 (-v1 +round trip):\n%s", diff)
		}
	})
}

// TestHPAConversionV1RoundTrip: a v1 object as a client writes it (a CPU
// target, no round-trip annotations, no measured CPU) survives v1 → v2 →
// v1.
func TestHPAConversionV1RoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := &HorizontalPodAutoscalerV1{TypeMeta: TypeMeta{APIVersion: "autoscaling/v1", Kind: "HorizontalPodAutoscaler"},
			ObjectMeta: ObjectMeta{Name: "web", Namespace: "default"}}
		if rapid.Bool().Draw(t, "annotated") {
			h.Annotations = map[string]string{"a": "b"}
		}
		h.Spec = HorizontalPodAutoscalerSpecV1{ScaleTargetRef: CrossVersionObjectReference{Kind: "Deployment", Name: "web"},
			MinReplicas: genI32(1, 3).Draw(t, "min"), MaxReplicas: rapid.Int32Range(1, 10).Draw(t, "max"),
			TargetCPUUtilizationPercentage: genI32(1, 100).Draw(t, "cpu")}
		h.Status = HorizontalPodAutoscalerStatusV1{CurrentReplicas: rapid.Int32Range(0, 5).Draw(t, "cur"), DesiredReplicas: rapid.Int32Range(0, 5).Draw(t, "des")}
		before := jsonOf(t, h)
		if diff := cmp.Diff(before, jsonOf(t, HorizontalPodAutoscalerToV1(HorizontalPodAutoscalerToV2(h)))); diff != "" {
			t.Fatalf("ToV1(ToV2(h)) != h (-h +round trip):\n%s", diff)
		}
	})
}

// TestHPAConversionExamples pins the annotations' exact shape and the
// documented lossy points.
func TestHPAConversionExamples(t *testing.T) {
	i32 := func(n int32) *int32 { return &n }
	q := func(s string) *Quantity { v := MustParseQuantity(s); return &v }
	ref := CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}
	meta := ObjectMeta{Name: "web", Namespace: "default"}
	v2 := &HorizontalPodAutoscaler{ObjectMeta: meta, Spec: HorizontalPodAutoscalerSpec{ScaleTargetRef: ref, MinReplicas: i32(1), MaxReplicas: 5,
		Metrics: []MetricSpec{cpuUtilization(50), {Type: MetricSourcePods, Pods: &PodsMetricSource{Metric: MetricIdentifier{Name: "qps"},
			Target: MetricTarget{Type: MetricTargetAverageValue, AverageValue: q("10")}}}},
		Behavior: &HorizontalPodAutoscalerBehavior{ScaleDown: &HPAScalingRules{StabilizationWindowSeconds: i32(30)}}},
		Status: HorizontalPodAutoscalerStatus{CurrentReplicas: 2, DesiredReplicas: 3, CurrentMetrics: []MetricStatus{{Type: MetricSourceResource,
			Resource: &ResourceMetricStatus{Name: ResourceCPU, Current: MetricValueStatus{AverageUtilization: i32(90), AverageValue: q("90m")}}}},
			Conditions: []HorizontalPodAutoscalerCondition{{Type: HPAScalingActive, Status: "True", Reason: "ValidMetricFound"}}}}
	got := HorizontalPodAutoscalerToV1(v2)
	want := &HorizontalPodAutoscalerV1{TypeMeta: TypeMeta{APIVersion: "autoscaling/v1", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: ObjectMeta{Name: "web", Namespace: "default", Annotations: map[string]string{
			HPAMetricsAnnotation:        `[{"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"10"}}]`,
			HPACurrentMetricsAnnotation: `[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":90,"currentAverageValue":"90m"}}]`,
			HPABehaviorAnnotation:       `{"scaleDown":{"stabilizationWindowSeconds":30}}`,
			HPAConditionsAnnotation:     `[{"type":"ScalingActive","status":"True","lastTransitionTime":null,"reason":"ValidMetricFound"}]`,
		}},
		Spec:   HorizontalPodAutoscalerSpecV1{ScaleTargetRef: ref, MinReplicas: i32(1), MaxReplicas: 5, TargetCPUUtilizationPercentage: i32(50)},
		Status: HorizontalPodAutoscalerStatusV1{CurrentReplicas: 2, DesiredReplicas: 3, CurrentCPUUtilizationPercentage: i32(90)}}
	if diff := cmp.Diff(jsonOf(t, want), jsonOf(t, got)); diff != "" {
		t.Errorf("HorizontalPodAutoscalerToV1 (-want +got):\n%s", diff)
	}
	// The CPU metric comes back last.
	back := HorizontalPodAutoscalerToV2(got)
	if g := back.Spec.Metrics[1]; !isCPUUtilization(g) {
		t.Errorf("ToV2(ToV1(h)).spec.metrics[1] = %s, want the CPU utilization metric", jsonOf(t, g))
	}
	// No target, no annotation: CPU at 80%, as Kubernetes reads it.
	bare := HorizontalPodAutoscalerToV2(&HorizontalPodAutoscalerV1{ObjectMeta: meta, Spec: HorizontalPodAutoscalerSpecV1{ScaleTargetRef: ref, MaxReplicas: 3}})
	if diff := cmp.Diff(jsonOf(t, []MetricSpec{cpuUtilization(80)}), jsonOf(t, bare.Spec.Metrics)); diff != "" {
		t.Errorf("ToV2(v1 without target).spec.metrics (-want +got):\n%s", diff)
	}
	// A broken annotation is ignored, and round-trip annotations never
	// reach the stored form.
	broken := HorizontalPodAutoscalerToV2(&HorizontalPodAutoscalerV1{ObjectMeta: ObjectMeta{Name: "web", Annotations: map[string]string{HPAMetricsAnnotation: "{", "keep": "me"}},
		Spec: HorizontalPodAutoscalerSpecV1{ScaleTargetRef: ref, MaxReplicas: 3, TargetCPUUtilizationPercentage: i32(60)}})
	if diff := cmp.Diff(map[string]string{"keep": "me"}, broken.Annotations); diff != "" {
		t.Errorf("ToV2(v1 with a broken annotation).annotations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(jsonOf(t, []MetricSpec{cpuUtilization(60)}), jsonOf(t, broken.Spec.Metrics)); diff != "" {
		t.Errorf("ToV2(v1 with a broken annotation).spec.metrics (-want +got):\n%s", diff)
	}
}

func TestValidateHorizontalPodAutoscalerV1(t *testing.T) {
	i32 := func(n int32) *int32 { return &n }
	ref := CrossVersionObjectReference{Kind: "Deployment", Name: "web"}
	meta := ObjectMeta{Name: "web", Namespace: "default"}
	tests := []struct {
		name string
		spec HorizontalPodAutoscalerSpecV1
		want []string // fields
	}{
		{"valid", HorizontalPodAutoscalerSpecV1{ScaleTargetRef: ref, MinReplicas: i32(1), MaxReplicas: 5, TargetCPUUtilizationPercentage: i32(50)}, nil},
		{"cpu 0", HorizontalPodAutoscalerSpecV1{ScaleTargetRef: ref, MinReplicas: i32(1), MaxReplicas: 5, TargetCPUUtilizationPercentage: i32(0)},
			[]string{"spec.targetCPUUtilizationPercentage"}},
		{"max below min", HorizontalPodAutoscalerSpecV1{ScaleTargetRef: ref, MinReplicas: i32(3), MaxReplicas: 2}, []string{"spec.maxReplicas"}},
		{"no target", HorizontalPodAutoscalerSpecV1{MaxReplicas: 2}, []string{"spec.scaleTargetRef.kind", "spec.scaleTargetRef.name"}},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range Validate(&HorizontalPodAutoscalerV1{ObjectMeta: meta, Spec: tt.spec}) {
			got = append(got, e.Field)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Validate(v1) fields (-want +got):\n%s", tt.name, diff)
		}
	}
}
