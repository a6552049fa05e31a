package podautoscaler

import (
	"errors"
	"fmt"
	"math"
)

// PodState is how a pod counts in the replica calculation.
type PodState int

const (
	// PodReady is measured and counts fully.
	PodReady PodState = iota
	// PodUnready is pending, or (for CPU) not yet ready or still in its
	// first minutes of start-up, when its use says little about load:
	// it counts as using nothing, and only when that keeps a scale-up
	// from being overstated.
	PodUnready
	// PodIgnored is being deleted or has failed: it does not count.
	PodIgnored
)

// PodUsage is one pod of the target as the calculation sees it. Usage and
// Request are in milli-units of the resource (millicores of CPU,
// thousandths of a byte of memory).
type PodUsage struct {
	Name  string
	State PodState
	// Measured is false when the metrics API had nothing for the pod.
	Measured bool
	Usage    int64
	// Request is the sum of the pod's containers' requests (or the one
	// container's, for a ContainerResource metric).
	Request int64
}

// Target is what a metric aims at: a utilization (percent of the pods'
// requests) when Utilization > 0, else an average use per pod
// (AverageValue, milli-units).
type Target struct {
	Utilization  int32
	AverageValue int64
}

// Tolerance is how far the usage ratio may stray from 1 before the
// autoscaler acts: Down below, Up above (Kubernetes: 0.1 each).
type Tolerance struct{ Down, Up float64 }

// DefaultTolerance is Kubernetes' --horizontal-pod-autoscaler-tolerance.
var DefaultTolerance = Tolerance{Down: 0.1, Up: 0.1}

// within reports whether ratio is close enough to 1 to leave the scale as is.
func (t Tolerance) within(ratio float64) bool {
	return 1-t.Down <= ratio && ratio <= 1+t.Up
}

// Recommendation is the formula's answer for one metric.
type Recommendation struct {
	Replicas int32
	// Utilization is the ready pods' use as a percentage of their
	// requests (Utilization targets only).
	Utilization int32
	// AverageUsage is the ready pods' mean use, milli-units.
	AverageUsage int64
}

// Errors of the calculation, in Kubernetes' words.
var (
	errNoPods          = errors.New("no pods returned by selector while calculating replica count")
	errNoReadyMetrics  = errors.New("did not receive metrics for targeted pods (pods might be unready)")
	errNoMatchedMetric = errors.New("no metrics returned matched known pods")
)

// Recommend is the HorizontalPodAutoscaler's formula for one resource
// metric: given the replicas the target has now (current), its pods with
// their use, requests and states, the metric's target and the tolerance,
// it returns the replicas that would bring the average back to the target,
//
//	ratio   = (Σ usage / Σ request) / target     (utilization), or
//	          (Σ usage / n) / target              (average value)
//	desired = ⌈ratio × n⌉                         over the ready, measured pods
//
// and the current utilization (as the status reports it). It is
// Kubernetes' GetResourceReplicas:
//
//   - ignored pods do not count; unready ones and unmeasured ones are left
//     out of the first ratio;
//   - within tolerance (and with nobody left out) nothing changes;
//   - otherwise, to be cautious, the left-out pods are put back before the
//     final ratio: a pod without a metric as using nothing on a scale-up
//     and its whole request (or the target, if higher) on a scale-down; an
//     unready pod as using nothing, and only on a scale-up (with the
//     ratio exactly 1 a missing pod stays out: no direction to argue);
//   - if putting them back lands within tolerance or flips the direction,
//     nothing changes; a result that moves against the ratio's direction
//     is refused too.
//
// Every pod must have a request for a Utilization target. It is pure: the
// lab of chapter 19 has you write it.
func Recommend(current int32, pods []PodUsage, target Target, tol Tolerance) (Recommendation, error) {
	if len(pods) == 0 {
		return Recommendation{}, errNoPods
	}
	ready := map[string]PodUsage{}
	var unready, missing []PodUsage
	for _, p := range pods {
		switch {
		case p.State == PodIgnored:
		case p.State == PodUnready:
			unready = append(unready, p)
		case !p.Measured:
			missing = append(missing, p)
		default:
			ready[p.Name] = p
		}
	}
	if len(ready) == 0 {
		return Recommendation{}, errNoReadyMetrics
	}
	if target.Utilization > 0 {
		for _, p := range pods {
			if p.Request <= 0 {
				return Recommendation{}, fmt.Errorf("missing request for cpu or memory in pod %s: a Utilization target is a percentage of the pods' requests; set resources.requests in the pod template, or use an AverageValue target", p.Name)
			}
		}
	}
	ratio, util, avg, err := usageRatio(ready, target)
	if err != nil {
		return Recommendation{}, err
	}
	out := Recommendation{Replicas: current, Utilization: util, AverageUsage: avg}
	scaleUpWithUnready := len(unready) > 0 && ratio > 1
	if !scaleUpWithUnready && len(missing) == 0 {
		if tol.within(ratio) {
			return out, nil
		}
		out.Replicas = int32(math.Ceil(ratio * float64(len(ready))))
		return out, nil
	}
	// Put the left-out pods back, each as the cautious guess.
	all := make(map[string]PodUsage, len(ready)+len(missing)+len(unready))
	for k, v := range ready {
		all[k] = v
	}
	for _, p := range missing {
		switch {
		case ratio < 1:
			p.Usage = fullUse(p, target)
		case ratio > 1:
			p.Usage = 0
		default:
			// Exactly on target the guess has no direction to argue
			// against: the missing pods stay out, as in Kubernetes
			// (counted as idle here, they would halve a target whose
			// measured half sits at 100%).
			continue
		}
		all[p.Name] = p
	}
	if scaleUpWithUnready {
		for _, p := range unready {
			p.Usage = 0
			all[p.Name] = p
		}
	}
	newRatio, _, _, err := usageRatio(all, target)
	if err != nil {
		return Recommendation{}, err
	}
	if tol.within(newRatio) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1) {
		return out, nil
	}
	n := int32(math.Ceil(newRatio * float64(len(all))))
	if (newRatio < 1 && n > current) || (newRatio > 1 && n < current) {
		return out, nil
	}
	out.Replicas = n
	return out, nil
}

// fullUse is what a pod without a metric is taken to use on a
// scale-down: its whole request, or the target if the target is above
// 100%; for an average-value target, the target itself.
func fullUse(p PodUsage, t Target) int64 {
	if t.Utilization > 0 {
		return p.Request * int64(max(100, t.Utilization)) / 100
	}
	return t.AverageValue
}

// usageRatio is the pods' use against the target: the ratio, the
// utilization as a whole percentage (Kubernetes truncates it before
// dividing by the target, and so does this), and the mean use.
func usageRatio(pods map[string]PodUsage, t Target) (ratio float64, util int32, avg int64, err error) {
	var usage, requests int64
	for _, p := range pods {
		usage += p.Usage
		requests += p.Request
	}
	avg = usage / int64(len(pods))
	if t.Utilization <= 0 {
		return float64(usage) / float64(len(pods)) / float64(t.AverageValue), 0, avg, nil
	}
	if requests == 0 {
		return 0, 0, 0, errNoMatchedMetric
	}
	util = int32(usage * 100 / requests)
	return float64(util) / float64(t.Utilization), util, avg, nil
}
