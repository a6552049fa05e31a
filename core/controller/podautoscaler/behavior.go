package podautoscaler

import (
	"math"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// DefaultDownscaleStabilization is the scale-down window of an autoscaler
// that sets none (--horizontal-pod-autoscaler-downscale-stabilization).
const DefaultDownscaleStabilization = 5 * time.Minute

// Legacy limits of an autoscaler without behavior: per sync, at most
// double the replicas, or 4 if that is more.
const (
	legacyScaleUpFactor  = 2.0
	legacyScaleUpMinimum = 4.0
)

// history is what the controller remembers of one autoscaler between
// syncs: its recent recommendations (for the stabilization windows) and
// its scale changes (for the policies' periods). Both are kept in memory
// only, as in Kubernetes.
type history struct {
	recommendations []timedReplicas
	scaleUps        []timedReplicas // replicas added
	scaleDowns      []timedReplicas // replicas removed
}

// timedReplicas is a replica count (or change) and when it was made.
type timedReplicas struct {
	replicas int32
	at       time.Time
}

// limit is why the last step changed (or kept) a recommendation: the
// reason and message of the condition it sets.
type limit struct{ reason, message string }

// Limits, as Kubernetes words them.
var (
	withinRange   = limit{"DesiredWithinRange", "the desired count is within the acceptable range"}
	tooMany       = limit{"TooManyReplicas", "the desired replica count is more than the maximum replica count"}
	tooFew        = limit{"TooFewReplicas", "the desired replica count is less than the minimum replica count"}
	scaleUpRate   = limit{"ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"}
	scaleDownRate = limit{"ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"}
	upStabilized  = limit{"ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation"}
	downStabilzed = limit{"ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation"}
	readyForScale = limit{"ReadyForNewScale", "recommended size matches current size"}
)

// record remembers recommendation r made at now, reusing the slot of one
// older than keep (so the list stays as long as the window needs).
func (h *history) record(r int32, now time.Time, keep time.Duration) {
	for i, rec := range h.recommendations {
		if rec.at.Before(now.Add(-keep)) {
			h.recommendations[i] = timedReplicas{r, now}
			return
		}
	}
	h.recommendations = append(h.recommendations, timedReplicas{r, now})
}

// stabilizeLegacy is the window of an autoscaler without behavior: the
// highest recommendation of the last downWindow, this one included, so
// that a scale-down waits until the whole window agrees.
func (h *history) stabilizeLegacy(desired int32, now time.Time, downWindow time.Duration) int32 {
	out := desired
	for _, rec := range h.recommendations {
		if !rec.at.Before(now.Add(-downWindow)) && rec.replicas > out {
			out = rec.replicas
		}
	}
	h.record(desired, now, downWindow)
	return out
}

// stabilize is the window of an autoscaler with behavior: the
// recommendation is kept between the lowest of the scale-up window and
// the highest of the scale-down window, starting from the current
// replicas. So a scale-up happens only as far as every recommendation of
// the up window agrees, and a scale-down only as far as every one of the
// down window agrees.
func (h *history) stabilize(current, desired int32, up, down time.Duration, now time.Time) (int32, limit) {
	upRec, downRec := desired, desired
	for _, rec := range h.recommendations {
		if rec.at.After(now.Add(-up)) {
			upRec = min(upRec, rec.replicas)
		}
		if rec.at.After(now.Add(-down)) {
			downRec = max(downRec, rec.replicas)
		}
	}
	out := max(current, upRec)
	out = min(out, downRec)
	h.record(desired, now, max(up, down))
	if desired >= current {
		return out, upStabilized
	}
	return out, downStabilzed
}

// limitLegacy bounds a recommendation of an autoscaler without behavior:
// minReplicas, and maxReplicas or twice the current (at least 4),
// whichever is lower.
func limitLegacy(current, desired, minReplicas, maxReplicas int32) (int32, limit) {
	upLimit := int32(math.Max(legacyScaleUpFactor*float64(current), legacyScaleUpMinimum))
	ceiling, why := maxReplicas, tooMany
	if maxReplicas > upLimit {
		ceiling, why = upLimit, scaleUpRate
	}
	switch {
	case desired < minReplicas:
		return minReplicas, tooFew
	case desired > ceiling:
		return ceiling, why
	}
	return desired, withinRange
}

// limitByPolicies bounds a stabilized recommendation by the behavior's
// policies over the scale events of their periods, then by min and max.
func (h *history) limitByPolicies(current, desired, minReplicas, maxReplicas int32, b *api.HorizontalPodAutoscalerBehavior, now time.Time) (int32, limit) {
	switch {
	case desired > current:
		upLimit := max(h.scaleUpLimit(current, b.ScaleUp, now), current)
		ceiling, why := maxReplicas, tooMany
		if ceiling > upLimit {
			ceiling, why = upLimit, scaleUpRate
		}
		if desired > ceiling {
			return ceiling, why
		}
	case desired < current:
		downLimit := min(h.scaleDownLimit(current, b.ScaleDown, now), current)
		floor, why := minReplicas, tooFew
		if floor < downLimit {
			floor, why = downLimit, scaleDownRate
		}
		if desired < floor {
			return floor, why
		}
	}
	return desired, withinRange
}

// periodStart is how many replicas there were when a policy's period
// began: current, less what was added in it, plus what was removed.
func (h *history) periodStart(current int32, periodSeconds int32, now time.Time) int32 {
	cutoff := now.Add(-time.Duration(periodSeconds) * time.Second)
	start := current
	for _, e := range h.scaleUps {
		if e.at.After(cutoff) {
			start -= e.replicas
		}
	}
	for _, e := range h.scaleDowns {
		if e.at.After(cutoff) {
			start += e.replicas
		}
	}
	return start
}

// scaleUpLimit is the most replicas the scale-up policies allow now: per
// policy, the period's start plus its pods or percent; the most of them
// (selectPolicy Max), the least (Min), or current (Disabled).
func (h *history) scaleUpLimit(current int32, r *api.HPAScalingRules, now time.Time) int32 {
	sel := selectPolicy(r)
	if sel == api.ScalingPolicySelectDisabled {
		return current
	}
	out := int32(math.MinInt32)
	if sel == api.ScalingPolicySelectMin {
		out = math.MaxInt32
	}
	for _, p := range r.Policies {
		start := h.periodStart(current, p.PeriodSeconds, now)
		proposed := start + p.Value
		if p.Type == api.ScalingPolicyPercent {
			proposed = int32(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		}
		if sel == api.ScalingPolicySelectMin {
			out = min(out, proposed)
		} else {
			out = max(out, proposed)
		}
	}
	return out
}

// scaleDownLimit is the fewest replicas the scale-down policies allow
// now: per policy, the period's start less its pods or percent; the
// fewest of them (selectPolicy Max, the biggest change), the most (Min),
// or current (Disabled).
func (h *history) scaleDownLimit(current int32, r *api.HPAScalingRules, now time.Time) int32 {
	sel := selectPolicy(r)
	if sel == api.ScalingPolicySelectDisabled {
		return current
	}
	out := int32(math.MaxInt32)
	if sel == api.ScalingPolicySelectMin {
		out = math.MinInt32
	}
	for _, p := range r.Policies {
		start := h.periodStart(current, p.PeriodSeconds, now)
		proposed := start - p.Value
		if p.Type == api.ScalingPolicyPercent {
			proposed = int32(float64(start) * (1 - float64(p.Value)/100))
		}
		if sel == api.ScalingPolicySelectMin {
			out = max(out, proposed)
		} else {
			out = min(out, proposed)
		}
	}
	return out
}

// recordScale remembers a change from prev to next replicas for the
// policies' periods, reusing a slot older than the longest period. An
// autoscaler without behavior keeps none (it has no policies).
func (h *history) recordScale(b *api.HorizontalPodAutoscalerBehavior, prev, next int32, now time.Time) {
	if b == nil || prev == next {
		return
	}
	events, rules, change := &h.scaleUps, b.ScaleUp, next-prev
	if next < prev {
		events, rules, change = &h.scaleDowns, b.ScaleDown, prev-next
	}
	var longest int32
	for _, p := range rules.Policies {
		longest = max(longest, p.PeriodSeconds)
	}
	cutoff := now.Add(-time.Duration(longest) * time.Second)
	for i, e := range *events {
		if e.at.Before(cutoff) {
			(*events)[i] = timedReplicas{change, now}
			return
		}
	}
	*events = append(*events, timedReplicas{change, now})
}

// selectPolicy is a rules' selectPolicy, Max when unset.
func selectPolicy(r *api.HPAScalingRules) string {
	if r == nil || r.SelectPolicy == nil {
		return api.ScalingPolicySelectMax
	}
	return *r.SelectPolicy
}

// behaviorOf is an autoscaler's behavior with every part filled: the
// API's defaults for what the stored object lacks (an object written
// before defaulting, or by a test), and downWindow for an unset
// scale-down window. nil when the autoscaler has no behavior.
func behaviorOf(h *api.HorizontalPodAutoscaler, downWindow time.Duration) *api.HorizontalPodAutoscalerBehavior {
	if h.Spec.Behavior == nil {
		return nil
	}
	b := api.DeepCopy(h).Spec.Behavior
	b.ScaleUp = api.FillScalingRules(b.ScaleUp, api.DefaultScaleUpRules())
	b.ScaleDown = api.FillScalingRules(b.ScaleDown, api.DefaultScaleDownRules())
	if b.ScaleDown.StabilizationWindowSeconds == nil {
		w := int32(downWindow / time.Second)
		b.ScaleDown.StabilizationWindowSeconds = &w
	}
	return b
}

// window is a rules' stabilization window.
func window(r *api.HPAScalingRules) time.Duration {
	if r == nil || r.StabilizationWindowSeconds == nil {
		return 0
	}
	return time.Duration(*r.StabilizationWindowSeconds) * time.Second
}

// toleranceOf is the tolerance of each direction: the behavior's where it
// sets one (Kubernetes 1.33's configurable tolerance), else def.
func toleranceOf(b *api.HorizontalPodAutoscalerBehavior, def Tolerance) Tolerance {
	t := def
	if b == nil {
		return t
	}
	if b.ScaleUp != nil && b.ScaleUp.Tolerance != nil {
		t.Up = float64(b.ScaleUp.Tolerance.MilliValue()) / 1000
	}
	if b.ScaleDown != nil && b.ScaleDown.Tolerance != nil {
		t.Down = float64(b.ScaleDown.Tolerance.MilliValue()) / 1000
	}
	return t
}
