package rolloutlab

import (
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// The checker's own answer, written apart from the reference (integer
// rounding instead of floats, old pods removed one at a time instead of
// in counts) so that one mistake in either would show as a disagreement
// in the checker's tests.

func expectedResolve(v api.IntOrString, total int32, up bool) int32 {
	if !v.IsString {
		return max(v.IntVal, 0)
	}
	if !strings.HasSuffix(v.StrVal, "%") {
		return 0
	}
	pct, err := strconv.Atoi(v.StrVal[:len(v.StrVal)-1])
	if err != nil {
		return 0
	}
	x := int64(pct) * int64(total)
	if up {
		return int32((x + 99) / 100)
	}
	return int32(x / 100)
}

func expectedBounds(replicas int32, maxSurge, maxUnavailable api.IntOrString) (int32, int32) {
	s, u := expectedResolve(maxSurge, replicas, true), expectedResolve(maxUnavailable, replicas, false)
	if s == 0 && u == 0 {
		u = 1
	}
	if u > replicas {
		u = replicas
	}
	return s, u
}

// availableOf is what rs can still count on: its status, capped by its
// spec.
func availableOf(spec, reported int32) int32 {
	a := reported
	if a > spec {
		a = spec
	}
	if a < 0 {
		a = 0
	}
	return a
}

func total(in Input) int32 {
	t := in.New.Spec
	for _, rs := range in.Old {
		t += rs.Spec
	}
	return t
}

// newTarget is the new ReplicaSet's target, the first half of a step.
func newTarget(in Input) int32 {
	if in.New.Spec >= in.Replicas {
		return in.Replicas
	}
	target := in.New.Spec
	for target < in.Replicas && total(in)+(target-in.New.Spec) < in.Replicas+in.MaxSurge {
		target++
	}
	return target
}

func expected(in Input) Output {
	if n := newTarget(in); n != in.New.Spec {
		return Output{New: n, Old: specs(in.Old)}
	}
	old := specs(in.Old)
	out := Output{New: in.New.Spec, Old: old}
	var oldTotal int32
	for _, s := range old {
		oldTotal += s
	}
	if oldTotal == 0 {
		return out
	}
	floor := in.Replicas - in.MaxUnavailable
	budget := total(in) - floor - (in.New.Spec - availableOf(in.New.Spec, in.New.Available))
	// One unhealthy pod at a time, from the oldest ReplicaSet that has
	// one.
	for budget > 0 {
		i := 0
		for i < len(old) && old[i] <= availableOf(old[i], in.Old[i].Available) {
			i++
		}
		if i == len(old) {
			break
		}
		old[i]--
		budget--
	}
	avail := availableOf(in.New.Spec, in.New.Available)
	for i := range old {
		avail += availableOf(old[i], in.Old[i].Available)
	}
	// Then one healthy pod at a time, while availability stays above the
	// floor.
	for budget > 0 && avail > floor {
		i := 0
		for i < len(old) && old[i] == 0 {
			i++
		}
		if i == len(old) {
			break
		}
		old[i]--
		budget--
		avail--
	}
	return out
}
