package hpalab

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/tinykube/tinykube/core/controller/podautoscaler"
)

// expected is the contract, worked out on its own with the reason in
// words; checker_test holds it to the controller's own
// podautoscaler.Recommend on every seed.
func expected(in input) (podautoscaler.Recommendation, error, string) {
	t := in.target
	if len(in.pods) == 0 {
		return podautoscaler.Recommendation{}, errors.New("no pods"), "the selector found no pods: there is nothing to measure"
	}
	var ready, unready, missing []podautoscaler.PodUsage
	for _, p := range in.pods {
		if t.Utilization > 0 && p.Request <= 0 {
			return podautoscaler.Recommendation{}, errors.New("no request"), fmt.Sprintf("%s has no request, and a utilization is a percentage of the pods' requests", p.Name)
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
		return podautoscaler.Recommendation{}, errors.New("no ready metrics"), "no pod is both ready and measured: the first ratio has nothing to stand on"
	}
	ratio, util, avg, said := ratioOf(ready, t)
	out := podautoscaler.Recommendation{Replicas: in.current, Utilization: util, AverageUsage: avg}
	lo, hi := 1-in.tol.Down, 1+in.tol.Up
	within := func(r float64) bool { return lo <= r && r <= hi }
	why := fmt.Sprintf("ready and measured: %s, ratio %.4g", said, ratio)
	unreadyBack := ratio > 1 && len(unready) > 0
	if !unreadyBack && len(missing) == 0 {
		if within(ratio) {
			return out, nil, why + fmt.Sprintf(", within the tolerance [%.4g, %.4g]: keep %d", lo, hi, in.current)
		}
		out.Replicas = int32(math.Ceil(ratio * float64(len(ready))))
		return out, nil, why + fmt.Sprintf(", outside the tolerance [%.4g, %.4g], nobody left out: ⌈%.4g × %d ready pods⌉ = %d", lo, hi, ratio, len(ready), out.Replicas)
	}
	counted := append([]podautoscaler.PodUsage(nil), ready...)
	var back []string
	for _, p := range missing {
		switch {
		case ratio > 1:
			p.Usage = 0
			back = append(back, "put "+p.Name+" (no metric) back as idle, on a scale-up")
		case ratio < 1 && t.Utilization > 0:
			p.Usage = p.Request * int64(max(100, t.Utilization)) / 100
			back = append(back, fmt.Sprintf("put %s (no metric) back at %dm, %d%% of its request, on a scale-down", p.Name, p.Usage, max(100, t.Utilization)))
		case ratio < 1:
			p.Usage = t.AverageValue
			back = append(back, fmt.Sprintf("put %s (no metric) back at the target %dm, on a scale-down", p.Name, p.Usage))
		default:
			back = append(back, p.Name+" (no metric) stays out: the ratio is exactly 1")
			continue
		}
		counted = append(counted, p)
	}
	if unreadyBack {
		for _, p := range unready {
			p.Usage = 0
			counted = append(counted, p)
			back = append(back, "put "+p.Name+" (unready) back as idle, on a scale-up")
		}
	} else if len(unready) > 0 {
		back = append(back, fmt.Sprintf("%d unready pods stay out: not a scale-up", len(unready)))
	}
	why += "; " + strings.Join(back, "; ")
	newRatio, _, _, said := ratioOf(counted, t)
	why += fmt.Sprintf("; then %s, new ratio %.4g", said, newRatio)
	switch {
	case within(newRatio):
		return out, nil, why + fmt.Sprintf(", within the tolerance [%.4g, %.4g]: keep %d", lo, hi, in.current)
	case ratio < 1 && newRatio > 1, ratio > 1 && newRatio < 1:
		return out, nil, why + fmt.Sprintf(", on the other side of 1 from %.4g: the guesses turned the direction around, keep %d", ratio, in.current)
	}
	n := int32(math.Ceil(newRatio * float64(len(counted))))
	why += fmt.Sprintf("; ⌈%.4g × %d⌉ = %d", newRatio, len(counted), n)
	if (newRatio < 1 && n > in.current) || (newRatio > 1 && n < in.current) {
		return out, nil, why + fmt.Sprintf(", which moves against the ratio's direction from %d: keep %d", in.current, in.current)
	}
	out.Replicas = n
	return out, nil, why
}

// ratioOf is pods' use against t, and what it is in words.
func ratioOf(pods []podautoscaler.PodUsage, t podautoscaler.Target) (ratio float64, util int32, avg int64, said string) {
	var usage, request int64
	for _, p := range pods {
		usage += p.Usage
		request += p.Request
	}
	avg = usage / int64(len(pods))
	if t.Utilization > 0 {
		util = int32(usage * 100 / request)
		return float64(util) / float64(t.Utilization), util, avg,
			fmt.Sprintf("%d pods use %dm of %dm requested, %d%% (truncated) of a %d%% target", len(pods), usage, request, util, t.Utilization)
	}
	ratio = float64(usage) / float64(len(pods)) / float64(t.AverageValue)
	return ratio, 0, avg, fmt.Sprintf("%d pods use %dm, %.4gm each against a %dm target", len(pods), usage, float64(usage)/float64(len(pods)), t.AverageValue)
}
