package api

import (
	"encoding/json"
	"maps"
)

// Converting autoscalers between autoscaling/v1 and autoscaling/v2, as
// Kubernetes does. v1 has one metric, a CPU utilization target; v2 any
// number of metrics of five sources, a behavior, and conditions. v1 keeps
// what it has no field for in four annotations, so that an object read
// through v1 and written back loses nothing:
//
//	autoscaling.alpha.kubernetes.io/metrics          the metrics but the CPU utilization one
//	autoscaling.alpha.kubernetes.io/current-metrics  status.currentMetrics, all of them
//	autoscaling.alpha.kubernetes.io/behavior         spec.behavior (v2's own JSON)
//	autoscaling.alpha.kubernetes.io/conditions       status.conditions
//
// The two metric lists are written in the v2beta1 shape Kubernetes uses
// there (targetAverageUtilization, metricName …, see the v1Metric types
// below), not in v2's, so that annotations written by Kubernetes read the
// same here. The annotations exist only in the v1 view: converting to v2
// removes them, and converting to v1 replaces whatever a v2 object had
// under those names.
//
// The round trip v2 → v1 → v2 is the identity except where Kubernetes'
// own conversion loses (TestHPAConversionRoundTrip checks the rest):
//
//   - the CPU utilization metric moves after the others, and only the
//     first of several CPU utilization metrics is kept;
//   - a v2 object without metrics gains the default one (CPU at 80%);
//   - the v2beta1 shape has no target type and non-optional quantities:
//     an Object metric's target gets value 0 beside its averageValue, a
//     Resource or ContainerResource target is Utilization when it has a
//     utilization and AverageValue otherwise, External Value when it has a
//     value; the measured Pods, Resource, ContainerResource, Object and
//     External values gain a 0 where v2 had none;
//   - an empty behavior ({}) is dropped, and an empty currentMetrics
//     ([]) reads back as null.
//
// v1 → v2 → v1 is the identity but that an unset
// targetCPUUtilizationPercentage comes back as 80 and a
// currentCPUUtilizationPercentage comes back with its current-metrics
// annotation.

// The annotations autoscaling/v1 keeps v2's extra fields in.
const (
	HPAMetricsAnnotation        = "autoscaling.alpha.kubernetes.io/metrics"
	HPACurrentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics"
	HPABehaviorAnnotation       = "autoscaling.alpha.kubernetes.io/behavior"
	HPAConditionsAnnotation     = "autoscaling.alpha.kubernetes.io/conditions"
)

// hpaRoundTripAnnotations are the four, which exist only in the v1 view.
var hpaRoundTripAnnotations = []string{HPAMetricsAnnotation, HPACurrentMetricsAnnotation, HPABehaviorAnnotation, HPAConditionsAnnotation}

// HorizontalPodAutoscalerToV1 returns the autoscaling/v1 view of in, a
// stored autoscaler. in is not changed and shares nothing with the
// result.
func HorizontalPodAutoscalerToV1(in *HorizontalPodAutoscaler) *HorizontalPodAutoscalerV1 {
	h := DeepCopy(in)
	out := &HorizontalPodAutoscalerV1{ObjectMeta: h.ObjectMeta}
	out.APIVersion, out.Kind = "autoscaling/v1", "HorizontalPodAutoscaler"
	out.Spec = HorizontalPodAutoscalerSpecV1{ScaleTargetRef: h.Spec.ScaleTargetRef, MinReplicas: h.Spec.MinReplicas, MaxReplicas: h.Spec.MaxReplicas}
	var others []v1MetricSpec
	for _, m := range h.Spec.Metrics {
		if isCPUUtilization(m) {
			if out.Spec.TargetCPUUtilizationPercentage == nil {
				out.Spec.TargetCPUUtilizationPercentage = m.Resource.Target.AverageUtilization
			}
			continue
		}
		others = append(others, metricSpecToV1(m))
	}
	st := h.Status
	out.Status = HorizontalPodAutoscalerStatusV1{ObservedGeneration: st.ObservedGeneration, LastScaleTime: st.LastScaleTime,
		CurrentReplicas: st.CurrentReplicas, DesiredReplicas: st.DesiredReplicas}
	var current []v1MetricStatus
	for _, m := range st.CurrentMetrics {
		if m.Type == MetricSourceResource && m.Resource != nil && m.Resource.Name == ResourceCPU && m.Resource.Current.AverageUtilization != nil {
			out.Status.CurrentCPUUtilizationPercentage = m.Resource.Current.AverageUtilization
		}
		current = append(current, metricStatusToV1(m))
	}
	ann := withoutRoundTripAnnotations(out.Annotations)
	set := func(k string, v any) {
		b, _ := json.Marshal(v) // plain structs of strings, numbers and quantities: cannot fail
		if ann == nil {
			ann = map[string]string{}
		}
		ann[k] = string(b)
	}
	if len(others) > 0 {
		set(HPAMetricsAnnotation, others)
	}
	if len(current) > 0 {
		set(HPACurrentMetricsAnnotation, current)
	}
	if h.Spec.Behavior != nil {
		set(HPABehaviorAnnotation, h.Spec.Behavior)
	}
	if len(st.Conditions) > 0 {
		set(HPAConditionsAnnotation, st.Conditions)
	}
	out.Annotations = ann
	return out
}

// HorizontalPodAutoscalerToV2 returns the stored form of in, an
// autoscaling/v1 autoscaler: its CPU target becomes a Resource metric
// (after the metrics of the metrics annotation), the annotations fill
// behavior, currentMetrics (replacing what currentCPUUtilizationPercentage
// says, as they say more) and conditions, and are then removed. An
// annotation that does not decode is ignored, as in Kubernetes. With no
// metric at all the result has the default one, CPU at 80%. in is not
// changed and shares nothing with the result.
func HorizontalPodAutoscalerToV2(in *HorizontalPodAutoscalerV1) *HorizontalPodAutoscaler {
	h := DeepCopy(in)
	out := &HorizontalPodAutoscaler{ObjectMeta: h.ObjectMeta}
	out.APIVersion, out.Kind = "autoscaling/v2", "HorizontalPodAutoscaler"
	out.Spec = HorizontalPodAutoscalerSpec{ScaleTargetRef: h.Spec.ScaleTargetRef, MinReplicas: h.Spec.MinReplicas, MaxReplicas: h.Spec.MaxReplicas}
	ann := h.Annotations
	var others []v1MetricSpec
	if s, ok := ann[HPAMetricsAnnotation]; ok && json.Unmarshal([]byte(s), &others) == nil {
		for _, m := range others {
			out.Spec.Metrics = append(out.Spec.Metrics, metricSpecFromV1(m))
		}
	}
	if t := h.Spec.TargetCPUUtilizationPercentage; t != nil {
		out.Spec.Metrics = append(out.Spec.Metrics, cpuUtilization(*t))
	}
	if len(out.Spec.Metrics) == 0 {
		out.Spec.Metrics = []MetricSpec{cpuUtilization(DefaultCPUUtilization)}
	}
	var b HorizontalPodAutoscalerBehavior
	if s, ok := ann[HPABehaviorAnnotation]; ok && json.Unmarshal([]byte(s), &b) == nil && (b.ScaleUp != nil || b.ScaleDown != nil) {
		out.Spec.Behavior = &b
	}
	st := h.Status
	out.Status = HorizontalPodAutoscalerStatus{ObservedGeneration: st.ObservedGeneration, LastScaleTime: st.LastScaleTime,
		CurrentReplicas: st.CurrentReplicas, DesiredReplicas: st.DesiredReplicas}
	if c := st.CurrentCPUUtilizationPercentage; c != nil {
		out.Status.CurrentMetrics = []MetricStatus{{Type: MetricSourceResource, Resource: &ResourceMetricStatus{
			Name: ResourceCPU, Current: MetricValueStatus{AverageUtilization: c}}}}
	}
	var current []v1MetricStatus
	if s, ok := ann[HPACurrentMetricsAnnotation]; ok && json.Unmarshal([]byte(s), &current) == nil {
		out.Status.CurrentMetrics = nil
		for _, m := range current {
			out.Status.CurrentMetrics = append(out.Status.CurrentMetrics, metricStatusFromV1(m))
		}
	}
	var conds []HorizontalPodAutoscalerCondition
	if s, ok := ann[HPAConditionsAnnotation]; ok && json.Unmarshal([]byte(s), &conds) == nil {
		out.Status.Conditions = conds
	}
	out.Annotations = withoutRoundTripAnnotations(ann)
	return out
}

// withoutRoundTripAnnotations returns a copy of ann without the four
// round-trip annotations, nil when nothing is left.
func withoutRoundTripAnnotations(ann map[string]string) map[string]string {
	out := maps.Clone(ann)
	for _, k := range hpaRoundTripAnnotations {
		delete(out, k)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// isCPUUtilization reports whether m is the metric v1's
// targetCPUUtilizationPercentage stands for.
func isCPUUtilization(m MetricSpec) bool {
	return m.Type == MetricSourceResource && m.Resource != nil && m.Resource.Name == ResourceCPU && m.Resource.Target.AverageUtilization != nil
}

// cpuUtilization is the v2 metric of a v1 CPU target of pct percent.
func cpuUtilization(pct int32) MetricSpec {
	return MetricSpec{Type: MetricSourceResource, Resource: &ResourceMetricSource{
		Name: ResourceCPU, Target: MetricTarget{Type: MetricTargetUtilization, AverageUtilization: &pct}}}
}

// The metric shapes of the metrics and current-metrics annotations
// (Kubernetes' autoscaling/v1 MetricSpec and MetricStatus, which are
// v2beta1's). They exist only as JSON in annotations, so they stay
// unexported.

type v1MetricSpec struct {
	Type              string                           `json:"type"`
	Object            *v1ObjectMetricSource            `json:"object,omitempty"`
	Pods              *v1PodsMetricSource              `json:"pods,omitempty"`
	Resource          *v1ResourceMetricSource          `json:"resource,omitempty"`
	ContainerResource *v1ContainerResourceMetricSource `json:"containerResource,omitempty"`
	External          *v1ExternalMetricSource          `json:"external,omitempty"`
}

type v1ObjectMetricSource struct {
	Target       CrossVersionObjectReference `json:"target"`
	MetricName   string                      `json:"metricName"`
	TargetValue  Quantity                    `json:"targetValue"`
	Selector     *LabelSelector              `json:"selector,omitempty"`
	AverageValue *Quantity                   `json:"averageValue,omitempty"`
}

type v1PodsMetricSource struct {
	MetricName         string         `json:"metricName"`
	TargetAverageValue Quantity       `json:"targetAverageValue"`
	Selector           *LabelSelector `json:"selector,omitempty"`
}

type v1ResourceMetricSource struct {
	Name                     ResourceName `json:"name"`
	TargetAverageUtilization *int32       `json:"targetAverageUtilization,omitempty"`
	TargetAverageValue       *Quantity    `json:"targetAverageValue,omitempty"`
}

type v1ContainerResourceMetricSource struct {
	Name                     ResourceName `json:"name"`
	TargetAverageUtilization *int32       `json:"targetAverageUtilization,omitempty"`
	TargetAverageValue       *Quantity    `json:"targetAverageValue,omitempty"`
	Container                string       `json:"container"`
}

type v1ExternalMetricSource struct {
	MetricName         string         `json:"metricName"`
	MetricSelector     *LabelSelector `json:"metricSelector,omitempty"`
	TargetValue        *Quantity      `json:"targetValue,omitempty"`
	TargetAverageValue *Quantity      `json:"targetAverageValue,omitempty"`
}

type v1MetricStatus struct {
	Type              string                           `json:"type"`
	Object            *v1ObjectMetricStatus            `json:"object,omitempty"`
	Pods              *v1PodsMetricStatus              `json:"pods,omitempty"`
	Resource          *v1ResourceMetricStatus          `json:"resource,omitempty"`
	ContainerResource *v1ContainerResourceMetricStatus `json:"containerResource,omitempty"`
	External          *v1ExternalMetricStatus          `json:"external,omitempty"`
}

type v1ObjectMetricStatus struct {
	Target       CrossVersionObjectReference `json:"target"`
	MetricName   string                      `json:"metricName"`
	CurrentValue Quantity                    `json:"currentValue"`
	Selector     *LabelSelector              `json:"selector,omitempty"`
	AverageValue *Quantity                   `json:"averageValue,omitempty"`
}

type v1PodsMetricStatus struct {
	MetricName          string         `json:"metricName"`
	CurrentAverageValue Quantity       `json:"currentAverageValue"`
	Selector            *LabelSelector `json:"selector,omitempty"`
}

type v1ResourceMetricStatus struct {
	Name                      ResourceName `json:"name"`
	CurrentAverageUtilization *int32       `json:"currentAverageUtilization,omitempty"`
	CurrentAverageValue       Quantity     `json:"currentAverageValue"`
}

type v1ContainerResourceMetricStatus struct {
	Name                      ResourceName `json:"name"`
	CurrentAverageUtilization *int32       `json:"currentAverageUtilization,omitempty"`
	CurrentAverageValue       Quantity     `json:"currentAverageValue"`
	Container                 string       `json:"container"`
}

type v1ExternalMetricStatus struct {
	MetricName          string         `json:"metricName"`
	MetricSelector      *LabelSelector `json:"metricSelector,omitempty"`
	CurrentValue        Quantity       `json:"currentValue"`
	CurrentAverageValue *Quantity      `json:"currentAverageValue,omitempty"`
}

// deref returns *q, or zero for nil.
func deref(q *Quantity) Quantity {
	if q == nil {
		return Quantity{}
	}
	return *q
}

// metricSpecToV1 converts a metric to the annotation's shape.
func metricSpecToV1(m MetricSpec) v1MetricSpec {
	out := v1MetricSpec{Type: m.Type}
	if s := m.Object; s != nil {
		out.Object = &v1ObjectMetricSource{Target: s.DescribedObject, MetricName: s.Metric.Name, TargetValue: deref(s.Target.Value),
			Selector: s.Metric.Selector, AverageValue: s.Target.AverageValue}
	}
	if s := m.Pods; s != nil {
		out.Pods = &v1PodsMetricSource{MetricName: s.Metric.Name, TargetAverageValue: deref(s.Target.AverageValue), Selector: s.Metric.Selector}
	}
	if s := m.Resource; s != nil {
		out.Resource = &v1ResourceMetricSource{Name: s.Name, TargetAverageUtilization: s.Target.AverageUtilization, TargetAverageValue: s.Target.AverageValue}
	}
	if s := m.ContainerResource; s != nil {
		out.ContainerResource = &v1ContainerResourceMetricSource{Name: s.Name, TargetAverageUtilization: s.Target.AverageUtilization,
			TargetAverageValue: s.Target.AverageValue, Container: s.Container}
	}
	if s := m.External; s != nil {
		out.External = &v1ExternalMetricSource{MetricName: s.Metric.Name, MetricSelector: s.Metric.Selector,
			TargetValue: s.Target.Value, TargetAverageValue: s.Target.AverageValue}
	}
	return out
}

// utilizationOrAverage is the target type of a v1 Resource or
// ContainerResource target: Utilization when it has a utilization.
func utilizationOrAverage(u *int32) string {
	if u != nil {
		return MetricTargetUtilization
	}
	return MetricTargetAverageValue
}

// metricSpecFromV1 converts a metric of the annotation's shape back.
func metricSpecFromV1(m v1MetricSpec) MetricSpec {
	out := MetricSpec{Type: m.Type}
	if s := m.Object; s != nil {
		t := MetricTarget{Type: MetricTargetValue, Value: &s.TargetValue, AverageValue: s.AverageValue}
		if s.AverageValue != nil {
			t.Type = MetricTargetAverageValue
		}
		out.Object = &ObjectMetricSource{DescribedObject: s.Target, Target: t, Metric: MetricIdentifier{Name: s.MetricName, Selector: s.Selector}}
	}
	if s := m.Pods; s != nil {
		out.Pods = &PodsMetricSource{Metric: MetricIdentifier{Name: s.MetricName, Selector: s.Selector},
			Target: MetricTarget{Type: MetricTargetAverageValue, AverageValue: &s.TargetAverageValue}}
	}
	if s := m.Resource; s != nil {
		out.Resource = &ResourceMetricSource{Name: s.Name, Target: MetricTarget{Type: utilizationOrAverage(s.TargetAverageUtilization),
			AverageUtilization: s.TargetAverageUtilization, AverageValue: s.TargetAverageValue}}
	}
	if s := m.ContainerResource; s != nil {
		out.ContainerResource = &ContainerResourceMetricSource{Name: s.Name, Container: s.Container,
			Target: MetricTarget{Type: utilizationOrAverage(s.TargetAverageUtilization), AverageUtilization: s.TargetAverageUtilization, AverageValue: s.TargetAverageValue}}
	}
	if s := m.External; s != nil {
		t := MetricTarget{Type: MetricTargetAverageValue, Value: s.TargetValue, AverageValue: s.TargetAverageValue}
		if s.TargetValue != nil {
			t.Type = MetricTargetValue
		}
		out.External = &ExternalMetricSource{Metric: MetricIdentifier{Name: s.MetricName, Selector: s.MetricSelector}, Target: t}
	}
	return out
}

// metricStatusToV1 converts a measured metric to the annotation's shape.
func metricStatusToV1(m MetricStatus) v1MetricStatus {
	out := v1MetricStatus{Type: m.Type}
	if s := m.Object; s != nil {
		out.Object = &v1ObjectMetricStatus{Target: s.DescribedObject, MetricName: s.Metric.Name, CurrentValue: deref(s.Current.Value),
			Selector: s.Metric.Selector, AverageValue: s.Current.AverageValue}
	}
	if s := m.Pods; s != nil {
		out.Pods = &v1PodsMetricStatus{MetricName: s.Metric.Name, CurrentAverageValue: deref(s.Current.AverageValue), Selector: s.Metric.Selector}
	}
	if s := m.Resource; s != nil {
		out.Resource = &v1ResourceMetricStatus{Name: s.Name, CurrentAverageUtilization: s.Current.AverageUtilization, CurrentAverageValue: deref(s.Current.AverageValue)}
	}
	if s := m.ContainerResource; s != nil {
		out.ContainerResource = &v1ContainerResourceMetricStatus{Name: s.Name, CurrentAverageUtilization: s.Current.AverageUtilization,
			CurrentAverageValue: deref(s.Current.AverageValue), Container: s.Container}
	}
	if s := m.External; s != nil {
		out.External = &v1ExternalMetricStatus{MetricName: s.Metric.Name, MetricSelector: s.Metric.Selector,
			CurrentValue: deref(s.Current.Value), CurrentAverageValue: s.Current.AverageValue}
	}
	return out
}

// metricStatusFromV1 converts a measured metric of the annotation's shape
// back.
func metricStatusFromV1(m v1MetricStatus) MetricStatus {
	out := MetricStatus{Type: m.Type}
	if s := m.Object; s != nil {
		out.Object = &ObjectMetricStatus{DescribedObject: s.Target, Metric: MetricIdentifier{Name: s.MetricName, Selector: s.Selector},
			Current: MetricValueStatus{Value: &s.CurrentValue, AverageValue: s.AverageValue}}
	}
	if s := m.Pods; s != nil {
		out.Pods = &PodsMetricStatus{Metric: MetricIdentifier{Name: s.MetricName, Selector: s.Selector},
			Current: MetricValueStatus{AverageValue: &s.CurrentAverageValue}}
	}
	if s := m.Resource; s != nil {
		out.Resource = &ResourceMetricStatus{Name: s.Name, Current: MetricValueStatus{AverageUtilization: s.CurrentAverageUtilization, AverageValue: &s.CurrentAverageValue}}
	}
	if s := m.ContainerResource; s != nil {
		out.ContainerResource = &ContainerResourceMetricStatus{Name: s.Name, Container: s.Container,
			Current: MetricValueStatus{AverageUtilization: s.CurrentAverageUtilization, AverageValue: &s.CurrentAverageValue}}
	}
	if s := m.External; s != nil {
		out.External = &ExternalMetricStatus{Metric: MetricIdentifier{Name: s.MetricName, Selector: s.MetricSelector},
			Current: MetricValueStatus{Value: &s.CurrentValue, AverageValue: s.CurrentAverageValue}}
	}
	return out
}
