package mutants

import (
	"github.com/tinykube/tinykube/core/api"
	rolloutlab "github.com/tinykube/tinykube/labs/09-rollout"
	"github.com/tinykube/tinykube/labs/09-rollout/reference"
)

// Mutant is one broken answer.
type Mutant struct {
	Name string
	Impl rolloutlab.Impl
}

// with is the reference with the rules changed by f.
func with(f func(r *reference.Rules)) rolloutlab.Impl {
	r := reference.Default
	f(&r)
	return rolloutlab.Impl{Bounds: reference.Bounds, Step: func(in rolloutlab.Input) rolloutlab.Output { return reference.StepWith(in, r) }}
}

// All are the mutants the checker must kill.
var All = []Mutant{
	{"surge-rounds-down", rolloutlab.Impl{Step: reference.Step, Bounds: surgeDown}},
	{"ignores-new-unavailable", with(func(r *reference.Rules) {
		r.NewUnavailable = func(reference.Input, func(reference.RS) int32) int32 { return 0 }
	})},
	{"scales-old-before-new", rolloutlab.Impl{Bounds: reference.Bounds, Step: oldFirst}},
	{"counts-asked-for-as-available", with(func(r *reference.Rules) {
		// The book's deliberate bug: spec.replicas taken as available.
		r.Available = func(rs reference.RS) int32 { return rs.Spec }
	})},
	{"min-available-off-by-one", with(func(r *reference.Rules) {
		r.MinAvailable = func(in reference.Input) int32 { return in.Replicas - in.MaxUnavailable - 1 }
	})},
	{"surge-room-off-by-one", with(func(r *reference.Rules) {
		r.Room = func(in reference.Input) int32 { return reference.Room(in) + 1 }
	})},
	{"counts-stale-available", with(func(r *reference.Rules) {
		r.Available = func(rs reference.RS) int32 { return max(0, rs.Available) }
	})},
}

// surgeDown rounds a maxSurge percentage down, as it does unavailable.
func surgeDown(replicas int32, maxSurge, maxUnavailable api.IntOrString) (int32, int32) {
	surge := reference.Resolve(maxSurge, replicas, false)
	unavailable := reference.Resolve(maxUnavailable, replicas, false)
	if surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	return surge, min(unavailable, replicas)
}

// oldFirst scales old ReplicaSets down first, and grows the new one only
// if no old one moved.
func oldFirst(in rolloutlab.Input) rolloutlab.Output {
	old := reference.ScaleOld(in, reference.Default)
	for i, rs := range in.Old {
		if old[i] != rs.Spec {
			return rolloutlab.Output{New: in.New.Spec, Old: old}
		}
	}
	return rolloutlab.Output{New: reference.ScaleNew(in, reference.Default), Old: old}
}
