package mutants

import (
	"math"

	"github.com/tinykube/tinykube/core/controller/podautoscaler"
	hpalab "github.com/tinykube/tinykube/labs/19-hpa"
	"github.com/tinykube/tinykube/labs/19-hpa/reference"
)

// Mutant is a named broken answer.
type Mutant struct {
	Name string
	Impl hpalab.Impl
}

// with is the reference with its rules changed by f.
func with(f func(r *reference.Rules)) hpalab.Impl {
	r := reference.Default
	f(&r)
	return hpalab.Impl{Recommend: r.Recommend}
}

// All are the kept mutants.
var All = []Mutant{
	// Acts on any difference from the target: noise around it scales
	// the target out and in.
	{"ignores-tolerance", with(func(r *reference.Rules) {
		r.Within = func(ratio float64, _ podautoscaler.Tolerance) bool { return ratio == 1 }
	})},
	// Takes a pod without a metric as idle on a scale-down too: a node
	// whose stats are down makes the load look smaller, and the target
	// loses pods it needs.
	{"missing-as-idle", with(func(r *reference.Rules) {
		r.Missing = func(_ podautoscaler.PodUsage, _ podautoscaler.Target, ratio float64) (int64, bool) {
			return 0, ratio != 1
		}
	})},
	// Puts a not-yet-ready pod back with the use it was measured at: a
	// start-up burst of CPU is taken for load, every new pod asks for
	// more pods.
	{"counts-unready-usage", with(func(r *reference.Rules) {
		r.Unready = func(p podautoscaler.PodUsage) int64 { return p.Usage }
	})},
	// Rounds the product down: 1.5 pods' worth of load gets 1 pod.
	{"rounds-down", with(func(r *reference.Rules) { r.Round = math.Floor })},
	// Drops the two checks after putting the left-out pods back: a
	// guess that turned the direction around still scales.
	{"no-direction-check", with(func(r *reference.Rules) { r.KeepDirection = false })},
	// Multiplies the ratio by the target's current replicas, the book's
	// short formula, instead of by the pods it measured.
	{"times-current", with(func(r *reference.Rules) {
		r.Pods = func(_ int, current int32) int { return int(current) }
	})},
}
