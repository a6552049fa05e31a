// Lab 12: your code goes in this file (labs/12-leader/README.md);
// the contract comments below are the specification.

package student

import (
	"github.com/tinykube/tinykube/core/leader"
)

// View and Action are core/leader's (core/leader/decide.go):
//
//	View{Identity string; Now time.Time; Lease *api.Lease; ObservedAt time.Time;
//	     Leading bool; RenewedAt time.Time; LeaseDuration, RenewDeadline time.Duration}
//	Action: leader.Wait, leader.Create, leader.Acquire, leader.Renew, leader.StepDown
//
// The Lease's holder is *v.Lease.Spec.HolderIdentity (nil or "" means no
// holder); its lease duration is *v.Lease.Spec.LeaseDurationSeconds (nil
// or 0 means: use v.LeaseDuration).
type (
	View   = leader.View
	Action = leader.Action
)

// Decide says what a replica does after reading the Lease, every retry
// period (and once more when its renew deadline passes).
//
// Contract — a pure function of v; every time in v is on this replica's
// own clock:
//
//   - A leader (v.Leading) returns StepDown if RenewDeadline or more has
//     passed since RenewedAt, or if the Lease does not name it (another
//     holder, no holder, or no Lease at all). Otherwise Renew.
//   - A candidate returns Create when there is no Lease. It returns
//     Acquire when the Lease has no holder, when it already names this
//     replica (a restarted process under the same identity), or when
//     the lease duration has passed since ObservedAt — the moment this
//     replica first saw the record as it is now. Otherwise Wait.
//   - Never compare v.Now with a time written in the Lease (renewTime,
//     acquireTime): those come from another machine's clock.
func Decide(v View) Action {
	// LAB 12: your code here
	return Action(-1) // -1 tells the checker this is not written yet
}
