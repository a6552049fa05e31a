package api

import (
	"fmt"
	"slices"
)

// Bounds on an autoscaler's behavior, as autoscaling/v2 has them.
const (
	// MaxHPAPeriodSeconds is the longest period a scaling policy may
	// count its changes over (30 minutes).
	MaxHPAPeriodSeconds = 1800
	// MaxHPAStabilizationWindowSeconds is the longest stabilization
	// window (one hour).
	MaxHPAStabilizationWindowSeconds = 3600
)

// validateHorizontalPodAutoscaler checks an autoscaler as autoscaling/v2
// does: a target it can name in a URL, minReplicas ≥ 1 (Kubernetes allows
// 0 only behind its alpha HPAScaleToZero gate, which tinykube does not
// have), maxReplicas ≥ 1 and ≥ minReplicas, each metric of exactly the
// source its type names with a target that source can have, and
// behavior rules within their bounds.
func validateHorizontalPodAutoscaler(h *HorizontalPodAutoscaler) FieldErrors {
	errs := validateObjectMeta(&h.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	p := path("spec")
	s := &h.Spec
	if s.MinReplicas != nil && *s.MinReplicas < 1 {
		errs = append(errs, FieldInvalid(p.child("minReplicas").String(), *s.MinReplicas, "must be greater than or equal to 1"))
	}
	if s.MaxReplicas < 1 {
		errs = append(errs, FieldInvalid(p.child("maxReplicas").String(), s.MaxReplicas, "must be greater than 0"))
	}
	if s.MinReplicas != nil && s.MaxReplicas < *s.MinReplicas {
		errs = append(errs, FieldInvalid(p.child("maxReplicas").String(), s.MaxReplicas, "must be greater than or equal to `minReplicas`"))
	}
	errs = append(errs, validateCrossVersionObjectReference(s.ScaleTargetRef, p.child("scaleTargetRef"))...)
	for i, m := range s.Metrics {
		errs = append(errs, validateMetricSpec(m, p.child("metrics").index(i))...)
	}
	if b := s.Behavior; b != nil {
		errs = append(errs, validateScalingRules(b.ScaleUp, p.child("behavior", "scaleUp"))...)
		errs = append(errs, validateScalingRules(b.ScaleDown, p.child("behavior", "scaleDown"))...)
	}
	return errs
}

// validateCrossVersionObjectReference checks that a reference has a kind
// and a name, each usable as one segment of a URL.
func validateCrossVersionObjectReference(ref CrossVersionObjectReference, p path) FieldErrors {
	var errs FieldErrors
	for _, f := range []struct{ name, v string }{{"kind", ref.Kind}, {"name", ref.Name}} {
		if f.v == "" {
			errs = append(errs, FieldRequired(p.child(f.name).String(), ""))
			continue
		}
		for _, msg := range IsValidPathSegmentName(f.v) {
			errs = append(errs, FieldInvalid(p.child(f.name).String(), f.v, msg))
		}
	}
	return errs
}

// metricSourceTypes are the metric types autoscaling/v2 knows.
var metricSourceTypes = []string{MetricSourceContainerResource, MetricSourceExternal, MetricSourceObject, MetricSourcePods, MetricSourceResource}

// validateMetricSpec checks one metric: a known type, that type's source
// set and no other, and the source's own rules.
func validateMetricSpec(m MetricSpec, p path) FieldErrors {
	var errs FieldErrors
	if m.Type == "" {
		errs = append(errs, FieldRequired(p.child("type").String(), "must specify a metric source type"))
	}
	// Each source present, in Kubernetes' order; only the first is
	// checked further, the others are refused below.
	present := []struct {
		field string
		set   bool
		check func(path) FieldErrors
	}{
		{"object", m.Object != nil, func(q path) FieldErrors { return validateObjectSource(m.Object, q) }},
		{"external", m.External != nil, func(q path) FieldErrors { return validateExternalSource(m.External, q) }},
		{"pods", m.Pods != nil, func(q path) FieldErrors { return validatePodsSource(m.Pods, q) }},
		{"resource", m.Resource != nil, func(q path) FieldErrors {
			return validateResourceTarget(m.Resource.Name, m.Resource.Target, q)
		}},
		{"containerResource", m.ContainerResource != nil, func(q path) FieldErrors {
			errs := validateResourceTarget(m.ContainerResource.Name, m.ContainerResource.Target, q)
			if c := m.ContainerResource.Container; c == "" {
				errs = append(errs, FieldRequired(q.child("container").String(), "must specify a container"))
			} else {
				for _, msg := range IsDNS1123Label(c) {
					errs = append(errs, FieldInvalid(q.child("container").String(), c, msg))
				}
			}
			return errs
		}},
	}
	var set []string
	for _, s := range present {
		if !s.set {
			continue
		}
		set = append(set, s.field)
		if len(set) == 1 {
			errs = append(errs, s.check(p.child(s.field))...)
		}
	}
	expected := map[string]string{
		MetricSourceObject: "object", MetricSourcePods: "pods", MetricSourceResource: "resource",
		MetricSourceExternal: "external", MetricSourceContainerResource: "containerResource",
	}[m.Type]
	switch {
	case expected == "":
		errs = append(errs, FieldNotSupported(p.child("type").String(), m.Type, metricSourceTypes))
	case !slices.Contains(set, expected):
		errs = append(errs, FieldRequired(p.child(expected).String(), "must populate information for the given metric source"))
	}
	if len(set) != 1 {
		for _, f := range set {
			if f != expected {
				errs = append(errs, FieldForbidden(p.child(f).String(), "must populate the given metric source only"))
			}
		}
	}
	return errs
}

// validateResourceTarget checks a Resource or ContainerResource source: a
// resource name and a target of either a utilization or an average
// value, not both.
func validateResourceTarget(name ResourceName, t MetricTarget, p path) FieldErrors {
	var errs FieldErrors
	if name == "" {
		errs = append(errs, FieldRequired(p.child("name").String(), "must specify a resource name"))
	}
	errs = append(errs, validateMetricTarget(t, p.child("target"))...)
	if t.AverageUtilization == nil && t.AverageValue == nil {
		errs = append(errs, FieldRequired(p.child("target", "averageUtilization").String(), "must set either a target raw value or a target utilization"))
	}
	if t.AverageUtilization != nil && t.AverageValue != nil {
		errs = append(errs, FieldForbidden(p.child("target", "averageValue").String(), "may not set both a target raw value and a target utilization"))
	}
	return errs
}

// validateObjectSource checks an Object source: the object described, the
// metric, and a target value or average value.
func validateObjectSource(s *ObjectMetricSource, p path) FieldErrors {
	errs := validateCrossVersionObjectReference(s.DescribedObject, p.child("describedObject"))
	errs = append(errs, validateMetricIdentifier(s.Metric, p.child("metric"))...)
	errs = append(errs, validateMetricTarget(s.Target, p.child("target"))...)
	if s.Target.Value == nil && s.Target.AverageValue == nil {
		errs = append(errs, FieldRequired(p.child("target", "averageValue").String(), "must set either a target value or averageValue"))
	}
	return errs
}

// validateExternalSource checks an External source: the metric and
// exactly one of a value and an average value.
func validateExternalSource(s *ExternalMetricSource, p path) FieldErrors {
	errs := validateMetricIdentifier(s.Metric, p.child("metric"))
	errs = append(errs, validateMetricTarget(s.Target, p.child("target"))...)
	if s.Target.Value == nil && s.Target.AverageValue == nil {
		errs = append(errs, FieldRequired(p.child("target", "averageValue").String(), "must set either a target value for metric or a per-pod target"))
	}
	if s.Target.Value != nil && s.Target.AverageValue != nil {
		errs = append(errs, FieldForbidden(p.child("target", "value").String(), "may not set both a target value for metric and a per-pod target"))
	}
	return errs
}

// validatePodsSource checks a Pods source: the metric and an average
// value per pod.
func validatePodsSource(s *PodsMetricSource, p path) FieldErrors {
	errs := validateMetricIdentifier(s.Metric, p.child("metric"))
	errs = append(errs, validateMetricTarget(s.Target, p.child("target"))...)
	if s.Target.AverageValue == nil {
		errs = append(errs, FieldRequired(p.child("target", "averageValue").String(), "must specify a positive target averageValue"))
	}
	return errs
}

// validateMetricTarget checks a target: a known type and positive values.
func validateMetricTarget(t MetricTarget, p path) FieldErrors {
	var errs FieldErrors
	if t.Type == "" {
		errs = append(errs, FieldRequired(p.child("type").String(), "must specify a metric target type"))
	}
	if !oneOf(t.Type, MetricTargetUtilization, MetricTargetValue, MetricTargetAverageValue) {
		errs = append(errs, FieldInvalid(p.child("type").String(), t.Type, "must be either Utilization, Value, or AverageValue"))
	}
	if t.Value != nil && t.Value.MilliValue() <= 0 {
		errs = append(errs, FieldInvalid(p.child("value").String(), t.Value.String(), "must be positive"))
	}
	if t.AverageValue != nil && t.AverageValue.MilliValue() <= 0 {
		errs = append(errs, FieldInvalid(p.child("averageValue").String(), t.AverageValue.String(), "must be positive"))
	}
	if t.AverageUtilization != nil && *t.AverageUtilization < 1 {
		errs = append(errs, FieldInvalid(p.child("averageUtilization").String(), *t.AverageUtilization, "must be greater than 0"))
	}
	return errs
}

// validateMetricIdentifier checks a custom metric's name.
func validateMetricIdentifier(id MetricIdentifier, p path) FieldErrors {
	if id.Name == "" {
		return FieldErrors{FieldRequired(p.child("name").String(), "must specify a metric name")}
	}
	var errs FieldErrors
	for _, msg := range IsValidPathSegmentName(id.Name) {
		errs = append(errs, FieldInvalid(p.child("name").String(), id.Name, msg))
	}
	return errs
}

// validateScalingRules checks one direction's rules: a window within
// 0..3600 s, a known selectPolicy, at least one policy, each valid, and a
// tolerance that is not negative.
func validateScalingRules(r *HPAScalingRules, p path) FieldErrors {
	if r == nil {
		return nil
	}
	var errs FieldErrors
	if w := r.StabilizationWindowSeconds; w != nil {
		if *w < 0 {
			errs = append(errs, FieldInvalid(p.child("stabilizationWindowSeconds").String(), *w, "must be greater than or equal to zero"))
		}
		if *w > MaxHPAStabilizationWindowSeconds {
			errs = append(errs, FieldInvalid(p.child("stabilizationWindowSeconds").String(), *w, fmt.Sprintf("must be less than or equal to %d", MaxHPAStabilizationWindowSeconds)))
		}
	}
	selects := []string{ScalingPolicySelectDisabled, ScalingPolicySelectMax, ScalingPolicySelectMin}
	if sp := r.SelectPolicy; sp != nil && !oneOf(*sp, selects...) {
		errs = append(errs, FieldNotSupported(p.child("selectPolicy").String(), *sp, selects))
	}
	pp := p.child("policies")
	if len(r.Policies) == 0 {
		errs = append(errs, FieldRequired(pp.String(), "must specify at least one Policy"))
	}
	for i, pol := range r.Policies {
		ip := pp.index(i)
		if !oneOf(pol.Type, ScalingPolicyPercent, ScalingPolicyPods) {
			errs = append(errs, FieldNotSupported(ip.child("type").String(), pol.Type, []string{ScalingPolicyPercent, ScalingPolicyPods}))
		}
		if pol.Value <= 0 {
			errs = append(errs, FieldInvalid(ip.child("value").String(), pol.Value, "must be greater than zero"))
		}
		if pol.PeriodSeconds <= 0 {
			errs = append(errs, FieldInvalid(ip.child("periodSeconds").String(), pol.PeriodSeconds, "must be greater than zero"))
		}
		if pol.PeriodSeconds > MaxHPAPeriodSeconds {
			errs = append(errs, FieldInvalid(ip.child("periodSeconds").String(), pol.PeriodSeconds, fmt.Sprintf("must be less than or equal to %d", MaxHPAPeriodSeconds)))
		}
	}
	if t := r.Tolerance; t != nil && t.MilliValue() < 0 {
		errs = append(errs, FieldInvalid(p.child("tolerance").String(), t.String(), "must be greater than or equal to 0"))
	}
	return errs
}

// validateHorizontalPodAutoscalerStatus checks what the controller
// writes: counts that are not negative, and well-formed conditions.
// Kubernetes checks only the counts.
func validateHorizontalPodAutoscalerStatus(s *HorizontalPodAutoscalerStatus, p path) FieldErrors {
	var errs FieldErrors
	for _, f := range []struct {
		name string
		v    int32
	}{{"currentReplicas", s.CurrentReplicas}, {"desiredReplicas", s.DesiredReplicas}} {
		if f.v < 0 {
			errs = append(errs, FieldInvalid(p.child(f.name).String(), f.v, "must be greater than or equal to 0"))
		}
	}
	conds := make([]conditionFields, len(s.Conditions))
	for i, c := range s.Conditions {
		conds[i] = conditionFields{Type: c.Type, Status: c.Status}
	}
	return append(errs, validateConditions(conds, p.child("conditions"))...)
}
