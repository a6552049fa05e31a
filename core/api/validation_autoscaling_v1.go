package api

import (
	"fmt"
	"strings"
)

// validateHorizontalPodAutoscalerV1 checks an autoscaling/v1 autoscaler as
// what it is stored as: its autoscaling/v2 form (validateHorizontalPodAutoscaler),
// with the errors of the metric its targetCPUUtilizationPercentage became
// named at that field, so that the message points at what the client
// wrote. Errors in what the round-trip annotations carried (the other
// metrics, the behavior) keep their autoscaling/v2 paths: v1 has no field
// for them.
func validateHorizontalPodAutoscalerV1(h *HorizontalPodAutoscalerV1) FieldErrors {
	v2 := HorizontalPodAutoscalerToV2(h)
	errs := validateHorizontalPodAutoscaler(v2)
	if h.Spec.TargetCPUUtilizationPercentage == nil {
		return errs
	}
	// The CPU target is the last metric (see HorizontalPodAutoscalerToV2).
	cpu := fmt.Sprintf("spec.metrics[%d].resource", len(v2.Spec.Metrics)-1)
	for _, e := range errs {
		if rest, ok := strings.CutPrefix(e.Field, cpu); ok && (rest == "" || strings.HasPrefix(rest, ".")) {
			e.Field = "spec.targetCPUUtilizationPercentage"
		}
	}
	return errs
}
