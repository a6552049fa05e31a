package api

// HorizontalPodAutoscalerV1 is the autoscaler as autoscaling/v1 serves
// it: the first version, which scales on CPU alone. It is a view of the
// one stored form, HorizontalPodAutoscaler (autoscaling/v2): the API server
// converts every object on the way in (ToV2) and out (ToV1), keeping in
// annotations what v2 holds that v1 has no field for (see
// autoscaling_v1_conversion.go). `kubectl autoscale` writes this version.
type HorizontalPodAutoscalerV1 struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       HorizontalPodAutoscalerSpecV1   `json:"spec,omitempty"`
	Status     HorizontalPodAutoscalerStatusV1 `json:"status,omitempty"`
}

// HorizontalPodAutoscalerSpecV1 is what to scale, within which bounds, and
// the average CPU use, as a percentage of the pods' requests, to keep.
type HorizontalPodAutoscalerSpecV1 struct {
	ScaleTargetRef CrossVersionObjectReference `json:"scaleTargetRef"`
	// MinReplicas is 1 when unset.
	MinReplicas *int32 `json:"minReplicas,omitempty"`
	MaxReplicas int32  `json:"maxReplicas"`
	// TargetCPUUtilizationPercentage unset reads back as 80 once stored:
	// the stored form always has a metric (DefaultCPUUtilization).
	TargetCPUUtilizationPercentage *int32 `json:"targetCPUUtilizationPercentage,omitempty"`
}

// HorizontalPodAutoscalerStatusV1 is what the controller last saw and did,
// with the CPU use alone of the metrics it measured.
type HorizontalPodAutoscalerStatusV1 struct {
	ObservedGeneration              *int64 `json:"observedGeneration,omitempty"`
	LastScaleTime                   *Time  `json:"lastScaleTime,omitempty"`
	CurrentReplicas                 int32  `json:"currentReplicas"`
	DesiredReplicas                 int32  `json:"desiredReplicas"`
	CurrentCPUUtilizationPercentage *int32 `json:"currentCPUUtilizationPercentage,omitempty"`
}
