package hpalab

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/controller/podautoscaler"
	"github.com/tinykube/tinykube/labs/lab"
)

// input is one call of Recommend.
type input struct {
	current int32
	pods    []podautoscaler.PodUsage
	target  podautoscaler.Target
	tol     podautoscaler.Tolerance
}

// levels are how hard the pods work, as a multiple of the target: around
// the tolerance's edges more often than not, where the mistakes show.
var levels = []float64{0, 0.1, 0.3, 0.5, 0.8, 0.85, 0.9, 0.95, 1, 1, 1.05, 1.1, 1.15, 1.2, 1.5, 2, 3, 6}

// drawInput draws what the controller might hand Recommend: up to 8 pods
// (rarely none) in every state, a utilization or average-value target,
// Kubernetes' tolerance or another, and a current count that is the pods'
// or not (a rollout, a scale not caught up yet).
func drawInput(env *lab.Env) input {
	r := env.Rand
	var in input
	if r.IntN(3) > 0 {
		in.target.Utilization = []int32{50, 60, 70, 80, 100, 150, 200}[r.IntN(7)]
	} else {
		in.target.AverageValue = []int64{50, 100, 250, 500}[r.IntN(4)]
	}
	tols := []float64{0, 0.05, 0.1, 0.2}
	switch r.IntN(4) {
	case 0, 1:
		in.tol = podautoscaler.DefaultTolerance
	case 2:
	default:
		in.tol = podautoscaler.Tolerance{Down: tols[r.IntN(4)], Up: tols[r.IntN(4)]}
	}
	n := r.IntN(9)
	if n == 0 && r.IntN(4) > 0 {
		n = 1 + r.IntN(8)
	}
	level := levels[r.IntN(len(levels))]
	jitter := r.IntN(2) == 0
	active := 0
	for i := range n {
		p := podautoscaler.PodUsage{Name: fmt.Sprintf("web-%d", i+1), Request: 100 + 50*int64(r.IntN(19))}
		switch {
		case in.target.Utilization > 0 && r.IntN(60) == 0:
			p.Request = 0 // a container without a request
		case in.target.Utilization == 0 && r.IntN(4) == 0:
			p.Request = 0 // fine for an average value
		}
		// What the pod would use at level: its share of the target.
		aim := float64(in.target.AverageValue)
		if in.target.Utilization > 0 {
			aim = float64(max(p.Request, 100) * int64(in.target.Utilization) / 100)
		}
		use := aim * level
		if jitter {
			use *= 0.9 + 0.2*r.Float64()
		}
		switch s := r.IntN(10); {
		case s < 6:
			p.Measured, p.Usage = true, int64(use)
		case s < 8:
			// Not ready yet: often measured, burning start-up CPU.
			p.State = podautoscaler.PodUnready
			if r.IntN(4) > 0 {
				p.Measured, p.Usage = true, int64(aim*levels[r.IntN(len(levels))])
			}
		case s < 9:
			p.State = podautoscaler.PodIgnored
			if r.IntN(2) == 0 {
				p.Measured, p.Usage = true, int64(use)
			}
		default:
			// Ready, but the metrics API had nothing for it.
		}
		if p.State != podautoscaler.PodIgnored {
			active++
		}
		in.pods = append(in.pods, p)
	}
	switch r.IntN(4) {
	case 0, 1:
		in.current = int32(active)
	case 2:
		in.current = int32(n)
	default:
		in.current = int32(max(1, active+r.IntN(5)-2))
	}
	return in
}

// describe is the call's arguments as a student reads them.
func (in input) describe() string {
	var pods []string
	for _, p := range in.pods {
		var s string
		switch {
		case p.State == podautoscaler.PodIgnored:
			s = "ignored (being deleted or failed)"
		case p.State == podautoscaler.PodUnready && p.Measured:
			s = fmt.Sprintf("unready, using %dm", p.Usage)
		case p.State == podautoscaler.PodUnready:
			s = "unready, no metric"
		case p.Measured:
			s = fmt.Sprintf("ready, using %dm", p.Usage)
		default:
			s = "ready, no metric"
		}
		pods = append(pods, fmt.Sprintf("%s %s of %dm requested", p.Name, s, p.Request))
	}
	target := fmt.Sprintf("%d%% utilization", in.target.Utilization)
	if in.target.Utilization <= 0 {
		target = fmt.Sprintf("%dm average value", in.target.AverageValue)
	}
	return fmt.Sprintf("current %d,\n  pods [%s],\n  target %s, tolerance {Down %v, Up %v}",
		in.current, strings.Join(pods, ",\n        "), target, in.tol.Down, in.tol.Up)
}
