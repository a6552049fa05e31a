// Lab 19: your code goes in this file (labs/19-hpa/README.md); the
// contract comments below are the specification.

package student

import (
	"github.com/tinykube/tinykube/core/controller/podautoscaler"
)

// PodUsage, PodState, Target, Tolerance and Recommendation are
// core/controller/podautoscaler's (replicas.go):
//
//	PodUsage{Name string; State PodState; Measured bool; Usage, Request int64}
//	PodState: podautoscaler.PodReady, podautoscaler.PodUnready, podautoscaler.PodIgnored
//	Target{Utilization int32; AverageValue int64}
//	Tolerance{Down, Up float64}
//	Recommendation{Replicas, Utilization int32; AverageUsage int64}
//
// Usage, Request and AverageValue are milli-units (millicores of CPU).
// The controller has already sorted the pods (Classify): a pod being
// deleted or failed is PodIgnored; a pending pod, and for CPU a pod not
// ready yet or whose sample began before it became ready (its first
// minutes), is PodUnready; Measured is false when the metrics API had
// nothing for the pod.
type (
	PodUsage       = podautoscaler.PodUsage
	Target         = podautoscaler.Target
	Tolerance      = podautoscaler.Tolerance
	Recommendation = podautoscaler.Recommendation
)

// Recommend is the HorizontalPodAutoscaler's formula for one resource
// metric: the replicas that bring the pods' average use back to target,
// given the replicas the target has now (current), its pods, the target
// (a Utilization in percent of the pods' requests when Utilization > 0,
// else an AverageValue per pod) and the tolerance.
//
// Contract — a pure function of its arguments, Kubernetes'
// GetResourceReplicas:
//
//   - Errors (any non-nil error; the controller records it and keeps the
//     scale): no pods at all; no pod both PodReady and Measured; a
//     Utilization target and any pod, whatever its state, with Request 0.
//   - The first ratio is measured over the ready pods, the PodReady and
//     Measured ones only. Utilization target: utilization = Σusage × 100
//     / Σrequest, truncated to a whole percent, and ratio = utilization /
//     target.Utilization. AverageValue target: ratio = (Σusage / n) /
//     target.AverageValue, in floating point. Recommendation.Utilization
//     is that utilization (0 for an AverageValue target) and AverageUsage
//     is Σusage / n, truncated, over the ready pods.
//   - PodIgnored pods do not count at all. PodUnready pods count only
//     when ratio > 1 (a scale-up). Pods not Measured (and not ignored or
//     unready) always count.
//   - If nothing else counts: within tolerance (1-tol.Down ≤ ratio ≤
//     1+tol.Up, both ends included) Replicas is current; otherwise
//     Replicas = ⌈ratio × number of ready pods⌉.
//   - Otherwise put the left-out pods back, each as the guess that argues
//     against the change: a pod without a metric uses nothing when
//     ratio > 1, and when ratio < 1 its whole request × max(100,
//     target.Utilization) / 100 (integer division), or target.AverageValue
//     per pod (when ratio is exactly 1 it stays out: nothing to argue
//     against); an unready pod (on a scale-up) uses nothing. Work out the
//     new ratio over all of them, the same way. If it is within tolerance,
//     or on the other side of 1 from the first ratio, Replicas is current.
//     Else n = ⌈newRatio × number of pods counted⌉, and if n moves
//     against newRatio's direction (newRatio < 1 and n > current, or
//     newRatio > 1 and n < current) Replicas is current; otherwise n.
//     Utilization and AverageUsage stay the first ratio's.
func Recommend(current int32, pods []PodUsage, target Target, tol Tolerance) (Recommendation, error) {
	// LAB 19: your code here
	return Recommendation{Replicas: -1}, nil // -1 tells the checker this is not written yet
}
