// Lab 09: your code goes in this file (labs/09-rollout/README.md);
// the contract comments below are the specification.

package student

import (
	"github.com/tinykube/tinykube/core/api"
	rolloutlab "github.com/tinykube/tinykube/labs/09-rollout"
)

// Input, RS and Output are defined in labs/09-rollout/types.go:
//
//	Input{Replicas, MaxSurge, MaxUnavailable int32; New RS; Old []RS}
//	RS{Spec, Available int32}
//	Output{New int32; Old []int32}
type (
	Input  = rolloutlab.Input
	RS     = rolloutlab.RS
	Output = rolloutlab.Output
)

// Bounds resolves a RollingUpdate strategy's maxSurge and maxUnavailable
// against replicas.
//
// Contract: each value is an int (IsString false: IntVal, a negative one
// counts as 0) or a percentage string "NN%" of replicas (anything else
// counts as 0).
//
//   - surge rounds a percentage up: 25% of 1 replica is a surge of 1;
//   - unavailable rounds it down: 25% of 3 replicas is 0;
//   - if both come out 0, unavailable is 1, or nothing could ever move;
//   - unavailable is never more than replicas.
func Bounds(replicas int32, maxSurge, maxUnavailable api.IntOrString) (surge, unavailable int32) {
	// LAB 09: your code here
	return -1, -1 // -1 tells the checker this is not written yet
}

// Step takes ONE step of a rolling update, as the Deployment controller's
// rolloutRolling does, and returns every ReplicaSet's target replicas.
//
// Contract: Step changes nothing in in. A ReplicaSet's available count
// is min(Available, Spec), never below 0: pods reported available after
// a scale-down are on their way out and do not count. Let total be the
// sum of Spec over the new and all old ReplicaSets.
//
//  1. Scale the new ReplicaSet up, within the surge:
//     - if New.Spec >= Replicas, its target is exactly Replicas;
//     - otherwise room = Replicas + MaxSurge - total, and if room > 0
//     its target is New.Spec + min(room, Replicas - New.Spec).
//     If the new ReplicaSet's target differs from New.Spec, that is the
//     whole step: every old ReplicaSet keeps its Spec.
//  2. Only if it did not move, scale old ReplicaSets down (none if their
//     Specs add up to 0):
//     minAvailable   = Replicas - MaxUnavailable
//     newUnavailable = New.Spec - available(New)
//     budget         = total - minAvailable - newUnavailable
//     If budget <= 0, nothing moves. Otherwise:
//     a. unhealthy replicas first (Spec - available of each old one),
//     oldest ReplicaSet first, at most budget of them in all;
//     b. then healthy ones, oldest ReplicaSet first, at most
//     min(budget left, available - minAvailable), where available is
//     the sum of available(rs) over the new and old ReplicaSets after
//     a, so that availability never drops below minAvailable.
//
// Output.Old has one entry per Input.Old, in the same order.
func Step(in Input) Output {
	// LAB 09: your code here
	return Output{New: -1} // -1 tells the checker this is not written yet
}
