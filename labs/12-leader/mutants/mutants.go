package mutants

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/leader"
	leaderlab "github.com/tinykube/tinykube/labs/12-leader"
	"github.com/tinykube/tinykube/labs/12-leader/reference"
)

// Mutant is a named broken answer.
type Mutant struct {
	Name string
	Impl leaderlab.Impl
}

func holder(l *api.Lease) string {
	if l == nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

// All are the kept mutants.
var All = []Mutant{
	// Judges expiry by the renewTime the holder wrote, on the holder's
	// clock, against its own: with clocks an hour apart, a candidate
	// ahead takes every lease over at once.
	{"trusts-renew-time", leaderlab.Impl{Decide: func(v leader.View) leader.Action {
		if !v.Leading && v.Lease != nil && holder(v.Lease) != "" && holder(v.Lease) != v.Identity {
			if v.Lease.Spec.RenewTime != nil && v.Now.Sub(v.Lease.Spec.RenewTime.Time) >= v.LeaseDuration {
				return leader.Acquire
			}
			return leader.Wait
		}
		return reference.Decide(v)
	}}},
	// Never steps down on its own clock: only when it sees another holder.
	// A leader whose reads are stale goes on acting after it is replaced.
	{"no-renew-deadline", leaderlab.Impl{Decide: func(v leader.View) leader.Action {
		if v.Leading {
			if holder(v.Lease) != v.Identity {
				return leader.StepDown
			}
			return leader.Renew
		}
		return reference.Decide(v)
	}}},
	// Times its own renewals against the lease duration instead of the
	// renew deadline: no margin left for clocks that drift.
	{"deadline-is-lease-duration", leaderlab.Impl{Decide: func(v leader.View) leader.Action {
		if v.Leading {
			v.RenewDeadline = v.LeaseDuration
		}
		return reference.Decide(v)
	}}},
	// Takes a held lease over without waiting a lease duration.
	{"no-wait", leaderlab.Impl{Decide: func(v leader.View) leader.Action {
		if !v.Leading && v.Lease != nil {
			return leader.Acquire
		}
		return reference.Decide(v)
	}}},
	// Renews whoever the Lease names: a deposed leader writes itself back
	// over its successor.
	{"renews-any-holder", leaderlab.Impl{Decide: func(v leader.View) leader.Action {
		if v.Leading && v.Lease != nil && v.Now.Sub(v.RenewedAt) < v.RenewDeadline {
			return leader.Renew
		}
		return reference.Decide(v)
	}}},
	// Waits on a held lease forever: nobody replaces a lost leader.
	{"never-takes-over", leaderlab.Impl{Decide: func(v leader.View) leader.Action {
		a := reference.Decide(v)
		if a == leader.Acquire && holder(v.Lease) != "" && holder(v.Lease) != v.Identity {
			return leader.Wait
		}
		return a
	}}},
	// Off by one at the boundary: waits while now - observedAt <= the
	// duration, one instant longer than the contract.
	{"boundary-off-by-one", leaderlab.Impl{Decide: func(v leader.View) leader.Action {
		a := reference.Decide(v)
		if a == leader.Acquire && v.Lease != nil && holder(v.Lease) != "" && holder(v.Lease) != v.Identity &&
			v.Now.Sub(v.ObservedAt) == leaseDuration(v) {
			return leader.Wait
		}
		return a
	}}},
}

func leaseDuration(v leader.View) time.Duration {
	if s := v.Lease.Spec.LeaseDurationSeconds; s != nil && *s > 0 {
		return time.Duration(*s) * time.Second
	}
	return v.LeaseDuration
}
