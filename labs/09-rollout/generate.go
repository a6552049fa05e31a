package rolloutlab

import (
	"fmt"
	"math/rand/v2"

	"github.com/tinykube/tinykube/core/api"
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// shape says what a generated rollout may contain.
type shape struct {
	// stuck makes the new ReplicaSet unable to grow, so the step is about
	// the old ones.
	stuck bool
	// start is the first step of a rollout: an empty new ReplicaSet.
	start bool
}

// genBound draws a maxSurge or maxUnavailable value as people write them.
func genBound(r *rand.Rand) api.IntOrString {
	if r.IntN(2) == 0 {
		return api.FromInt(int32(pick(r, []int{0, 0, 1, 1, 2, 3})))
	}
	return api.FromString(fmt.Sprintf("%d%%", pick(r, []int{0, 10, 20, 25, 25, 30, 33, 50, 75, 100})))
}

// genRS draws a ReplicaSet with spec replicas: mostly all available,
// often some not, now and then reporting more than its spec (it was just
// scaled down).
func genRS(r *rand.Rand, spec int32) RS {
	rs := RS{Spec: spec, Available: spec}
	switch r.IntN(6) {
	case 0, 1:
		rs.Available = int32(r.IntN(int(spec) + 1))
	case 2:
		rs.Available = spec + int32(1+r.IntN(3))
	}
	return rs
}

func generate(r *rand.Rand, s shape) Input {
	in := Input{Replicas: int32(r.IntN(11))}
	in.MaxSurge, in.MaxUnavailable = expectedBounds(in.Replicas, genBound(r), genBound(r))
	spread := int(in.Replicas) + 3
	for range r.IntN(4) {
		in.Old = append(in.Old, genRS(r, int32(r.IntN(spread))))
	}
	switch {
	case s.start:
		in.New = RS{}
	case r.IntN(10) == 0:
		in.New = genRS(r, in.Replicas+int32(r.IntN(3))) // at or above replicas
	default:
		in.New = genRS(r, int32(r.IntN(int(in.Replicas)+1)))
	}
	if s.stuck && newTarget(in) != in.New.Spec {
		// Fill the surge with old replicas, or make the new one complete.
		if in.New.Spec < in.Replicas && r.IntN(4) > 0 {
			in.Old = append(in.Old, genRS(r, in.Replicas+in.MaxSurge-total(in)+int32(r.IntN(2))))
		} else {
			in.New = genRS(r, in.Replicas)
		}
	}
	return in
}
