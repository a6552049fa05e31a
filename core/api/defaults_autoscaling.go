package api

// DefaultCPUUtilization is the target an autoscaler without metrics gets:
// 80% of the pods' CPU requests.
const DefaultCPUUtilization = 80

// defaultHorizontalPodAutoscaler fills an autoscaler as autoscaling/v2's
// defaulting does: minReplicas 1; with no metrics, one metric of CPU at
// 80% utilization; and, only when a behavior is given, each direction's
// missing parts from DefaultScaleUpRules and DefaultScaleDownRules. A
// nil behavior stays nil (the controller then scales as it always did,
// see core/controller/podautoscaler), and scaleDown's window stays unset
// (the controller reads it as its own default, 300 s).
func defaultHorizontalPodAutoscaler(s *HorizontalPodAutoscalerSpec) {
	if s.MinReplicas == nil {
		s.MinReplicas = ptrTo[int32](1)
	}
	if len(s.Metrics) == 0 {
		s.Metrics = []MetricSpec{{Type: MetricSourceResource, Resource: &ResourceMetricSource{
			Name:   ResourceCPU,
			Target: MetricTarget{Type: MetricTargetUtilization, AverageUtilization: ptrTo[int32](DefaultCPUUtilization)},
		}}}
	}
	if s.Behavior != nil {
		s.Behavior.ScaleUp = FillScalingRules(s.Behavior.ScaleUp, DefaultScaleUpRules())
		s.Behavior.ScaleDown = FillScalingRules(s.Behavior.ScaleDown, DefaultScaleDownRules())
	}
}

// DefaultScaleUpRules are the scale-up rules of an autoscaler that gives
// none: no stabilization, and per 15 s at most 4 pods more or double,
// whichever allows more.
func DefaultScaleUpRules() *HPAScalingRules {
	return &HPAScalingRules{
		StabilizationWindowSeconds: ptrTo[int32](0),
		SelectPolicy:               ptrTo(ScalingPolicySelectMax),
		Policies: []HPAScalingPolicy{
			{Type: ScalingPolicyPods, Value: 4, PeriodSeconds: 15},
			{Type: ScalingPolicyPercent, Value: 100, PeriodSeconds: 15},
		},
	}
}

// DefaultScaleDownRules are the scale-down rules of an autoscaler that
// gives none: any number of pods per 15 s (100%). The window is left
// unset: the controller's default (300 s) applies.
func DefaultScaleDownRules() *HPAScalingRules {
	return &HPAScalingRules{
		SelectPolicy: ptrTo(ScalingPolicySelectMax),
		Policies:     []HPAScalingPolicy{{Type: ScalingPolicyPercent, Value: 100, PeriodSeconds: 15}},
	}
}

// FillScalingRules returns have with every unset part taken from def
// (have nil: def itself).
func FillScalingRules(have, def *HPAScalingRules) *HPAScalingRules {
	if have == nil {
		return def
	}
	if have.SelectPolicy == nil {
		have.SelectPolicy = def.SelectPolicy
	}
	if have.StabilizationWindowSeconds == nil {
		have.StabilizationWindowSeconds = def.StabilizationWindowSeconds
	}
	if have.Policies == nil {
		have.Policies = def.Policies
	}
	return have
}
