package reference

import (
	"errors"
	"math"

	"github.com/tinykube/tinykube/core/controller/podautoscaler"
)

// Rules are the parts of the calculation a mistake can change; Default is
// the contract.
type Rules struct {
	// Within reports whether ratio is close enough to 1 to keep the count.
	Within func(ratio float64, tol podautoscaler.Tolerance) bool
	// Round turns ratio × pods into replicas.
	Round func(x float64) float64
	// Missing is what a pod without a metric is taken to use, given the
	// first ratio; ok false leaves it out.
	Missing func(p podautoscaler.PodUsage, t podautoscaler.Target, ratio float64) (use int64, ok bool)
	// Unready is what an unready pod is taken to use when a scale-up puts
	// it back.
	Unready func(p podautoscaler.PodUsage) int64
	// Pods is how many pods a ratio is multiplied by: those it was
	// measured over.
	Pods func(counted int, current int32) int
	// KeepDirection applies the two checks after the left-out pods are
	// put back: no change of side, no count against the direction.
	KeepDirection bool
}

// Default is the contract of student.Recommend.
var Default = Rules{Within: Within, Round: math.Ceil, Missing: Missing, KeepDirection: true,
	Unready: func(podautoscaler.PodUsage) int64 { return 0 },
	Pods:    func(counted int, _ int32) int { return counted }}

// Recommend is the contract of student.Recommend.
func Recommend(current int32, pods []podautoscaler.PodUsage, t podautoscaler.Target, tol podautoscaler.Tolerance) (podautoscaler.Recommendation, error) {
	return Default.Recommend(current, pods, t, tol)
}

// Within: 1-Down ≤ ratio ≤ 1+Up.
func Within(ratio float64, tol podautoscaler.Tolerance) bool {
	return ratio >= 1-tol.Down && ratio <= 1+tol.Up
}

// Missing: the guess that argues against the change.
func Missing(p podautoscaler.PodUsage, t podautoscaler.Target, ratio float64) (int64, bool) {
	switch {
	case ratio > 1:
		return 0, true
	case ratio < 1 && t.Utilization > 0:
		return p.Request * int64(max(100, t.Utilization)) / 100, true
	case ratio < 1:
		return t.AverageValue, true
	}
	return 0, false
}

// measure is the pods' use against t: the ratio, the utilization in whole
// percent (0 for an average-value target), the mean use.
func measure(pods []podautoscaler.PodUsage, t podautoscaler.Target) (ratio float64, util int32, avg int64) {
	var usage, request int64
	for _, p := range pods {
		usage += p.Usage
		request += p.Request
	}
	avg = usage / int64(len(pods))
	if t.Utilization > 0 {
		util = int32(usage * 100 / request)
		return float64(util) / float64(t.Utilization), util, avg
	}
	return float64(usage) / float64(len(pods)) / float64(t.AverageValue), 0, avg
}

// Recommend is the calculation under rules r.
func (r Rules) Recommend(current int32, pods []podautoscaler.PodUsage, t podautoscaler.Target, tol podautoscaler.Tolerance) (podautoscaler.Recommendation, error) {
	if len(pods) == 0 {
		return podautoscaler.Recommendation{}, errors.New("no pods")
	}
	var ready, unready, missing []podautoscaler.PodUsage
	for _, p := range pods {
		if t.Utilization > 0 && p.Request <= 0 {
			return podautoscaler.Recommendation{}, errors.New("a pod has no request")
		}
		switch {
		case p.State == podautoscaler.PodIgnored:
		case p.State == podautoscaler.PodUnready:
			unready = append(unready, p)
		case !p.Measured:
			missing = append(missing, p)
		default:
			ready = append(ready, p)
		}
	}
	if len(ready) == 0 {
		return podautoscaler.Recommendation{}, errors.New("no ready pod with a metric")
	}
	ratio, util, avg := measure(ready, t)
	out := podautoscaler.Recommendation{Replicas: current, Utilization: util, AverageUsage: avg}
	withUnready := ratio > 1 && len(unready) > 0
	if !withUnready && len(missing) == 0 {
		if !r.Within(ratio, tol) {
			out.Replicas = int32(r.Round(ratio * float64(r.Pods(len(ready), current))))
		}
		return out, nil
	}
	counted := ready
	for _, p := range missing {
		if use, ok := r.Missing(p, t, ratio); ok {
			p.Usage = use
			counted = append(counted, p)
		}
	}
	if withUnready {
		for _, p := range unready {
			p.Usage = r.Unready(p)
			counted = append(counted, p)
		}
	}
	newRatio, _, _ := measure(counted, t)
	if r.Within(newRatio, tol) {
		return out, nil
	}
	if r.KeepDirection && ((ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
		return out, nil
	}
	n := int32(r.Round(newRatio * float64(r.Pods(len(counted), current))))
	if r.KeepDirection && ((newRatio < 1 && n > current) || (newRatio > 1 && n < current)) {
		return out, nil
	}
	out.Replicas = n
	return out, nil
}
