// Package podautoscaler is the HorizontalPodAutoscaler controller: every
// sync period (15 s) it reads each autoscaler's target through the scale
// subresource (any scalable kind: Deployments, ReplicaSets, StatefulSets,
// custom resources that serve scale), lists the target's pods by the
// scale's selector, reads their use from the resource metrics API
// (metrics.k8s.io, through a MetricsClient), and computes the replicas
// that bring the use back to the target:
//
//	metrics ──► Classify ──► Recommend ──► stabilize ──► limit ──► scale
//	(per pod)   ready/unready/  (the formula,   (the window's   (policies,
//	            missing/ignored  tolerance)      most cautious)  min/max)
//
// Recommend (replicas.go) is the pure formula, desired = ⌈current ×
// usage/target⌉ with Kubernetes' care for missing and unready pods;
// stabilize and limit (behavior.go) keep a per-autoscaler history of
// recommendations and scale events in memory, as Kubernetes does, so a
// restarted controller starts them afresh. Status (currentReplicas,
// desiredReplicas, currentMetrics, lastScaleTime) and the conditions
// AbleToScale, ScalingActive and ScalingLimited say what it saw and why
// it did what it did, with Kubernetes' reasons.
//
// Vocabulary: the recommendation is the formula's raw answer; the
// stabilized recommendation is the most cautious of the window; desired
// is what the policies and bounds let through.
//
// Book: book/19-measuring-and-autoscaling.md, "Code: the HorizontalPodAutoscaler".
package podautoscaler
