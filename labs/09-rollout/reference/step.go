package reference

import (
	"math"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	rolloutlab "github.com/tinykube/tinykube/labs/09-rollout"
)

type (
	Input  = rolloutlab.Input
	RS     = rolloutlab.RS
	Output = rolloutlab.Output
)

// Bounds is the contract of student.Bounds.
func Bounds(replicas int32, maxSurge, maxUnavailable api.IntOrString) (int32, int32) {
	surge := Resolve(maxSurge, replicas, true)
	unavailable := Resolve(maxUnavailable, replicas, false)
	if surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	return surge, min(unavailable, replicas)
}

// Resolve turns an int or a "NN%" of total into a count.
func Resolve(v api.IntOrString, total int32, roundUp bool) int32 {
	if !v.IsString {
		return max(0, v.IntVal)
	}
	pct, err := strconv.Atoi(strings.TrimSuffix(v.StrVal, "%"))
	if err != nil || !strings.HasSuffix(v.StrVal, "%") {
		return 0
	}
	x := float64(pct) * float64(total) / 100
	if roundUp {
		return int32(math.Ceil(x))
	}
	return int32(math.Floor(x))
}

// Rules are the parts of a step a mutant may replace.
type Rules struct {
	// Available is a ReplicaSet's available count.
	Available func(RS) int32
	// Room is how far the new ReplicaSet may grow within the surge.
	Room func(in Input) int32
	// NewUnavailable is how many of the new ReplicaSet's pods the budget
	// cannot count on.
	NewUnavailable func(in Input, available func(RS) int32) int32
	// MinAvailable is the availability floor.
	MinAvailable func(in Input) int32
}

// Default are the contract's rules.
var Default = Rules{Available: Available, Room: Room, NewUnavailable: NewUnavailable, MinAvailable: MinAvailable}

// Step is the contract of student.Step.
func Step(in Input) Output { return StepWith(in, Default) }

// StepWith is Step with rules r.
func StepWith(in Input, r Rules) Output {
	if n := ScaleNew(in, r); n != in.New.Spec {
		return Output{New: n, Old: Specs(in.Old)}
	}
	return Output{New: in.New.Spec, Old: ScaleOld(in, r)}
}

// ScaleNew is the new ReplicaSet's target (rule 1).
func ScaleNew(in Input, r Rules) int32 {
	if in.New.Spec >= in.Replicas {
		return in.Replicas
	}
	room := r.Room(in)
	if room <= 0 {
		return in.New.Spec
	}
	return in.New.Spec + min(room, in.Replicas-in.New.Spec)
}

// ScaleOld is the old ReplicaSets' targets (rule 2).
func ScaleOld(in Input, r Rules) []int32 {
	out := Specs(in.Old)
	var oldTotal int32
	for _, s := range out {
		oldTotal += s
	}
	if oldTotal == 0 {
		return out
	}
	minAvailable := r.MinAvailable(in)
	budget := Total(in) - minAvailable - r.NewUnavailable(in, r.Available)
	if budget <= 0 {
		return out
	}
	// a. Unhealthy replicas first.
	for i, rs := range in.Old {
		if budget <= 0 {
			break
		}
		unhealthy := rs.Spec - r.Available(rs)
		if unhealthy <= 0 {
			continue
		}
		n := min(budget, unhealthy)
		out[i] -= n
		budget -= n
	}
	// b. Then healthy ones, never below minAvailable.
	avail := r.Available(in.New)
	for i, rs := range in.Old {
		avail += r.Available(RS{Spec: out[i], Available: rs.Available})
	}
	n := min(budget, avail-minAvailable)
	for i := range out {
		if n <= 0 {
			break
		}
		k := min(n, out[i])
		out[i] -= k
		n -= k
	}
	return out
}

// Available is min(Available, Spec), never below 0.
func Available(rs RS) int32 { return max(0, min(rs.Available, rs.Spec)) }

// Room is Replicas + MaxSurge - total.
func Room(in Input) int32 { return in.Replicas + in.MaxSurge - Total(in) }

// NewUnavailable is New.Spec - available(New).
func NewUnavailable(in Input, available func(RS) int32) int32 {
	return in.New.Spec - available(in.New)
}

// MinAvailable is Replicas - MaxUnavailable.
func MinAvailable(in Input) int32 { return in.Replicas - in.MaxUnavailable }

// Total is the sum of every ReplicaSet's Spec.
func Total(in Input) int32 {
	t := in.New.Spec
	for _, rs := range in.Old {
		t += rs.Spec
	}
	return t
}

// Specs are the old ReplicaSets' Specs, unchanged.
func Specs(olds []RS) []int32 {
	out := make([]int32, len(olds))
	for i, rs := range olds {
		out[i] = rs.Spec
	}
	return out
}
