package leader

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// Action is what a replica does after reading the Lease.
type Action int

const (
	// Wait: do nothing this period.
	Wait Action = iota
	// Create: there is no Lease; create one naming this replica.
	Create
	// Acquire: take the Lease over — an update carrying the
	// resourceVersion just read, so it fails if anyone wrote since.
	Acquire
	// Renew: this replica holds the Lease; write a new renewTime.
	Renew
	// StepDown: stop acting at once.
	StepDown
)

func (a Action) String() string {
	switch a {
	case Wait:
		return "Wait"
	case Create:
		return "Create"
	case Acquire:
		return "Acquire"
	case Renew:
		return "Renew"
	case StepDown:
		return "StepDown"
	}
	return "Action(?)"
}

// View is everything a replica knows when it decides. Times are on the
// replica's own clock.
type View struct {
	// Identity is this replica's name.
	Identity string
	// Now is the replica's clock.
	Now time.Time
	// Lease is the record as last read; nil when there is none.
	Lease *api.Lease
	// ObservedAt is when this replica first saw Lease as it is now (the
	// same resourceVersion).
	ObservedAt time.Time
	// Leading: this replica holds the Lease, as far as it knows, and
	// RenewedAt is when it sent its last successful acquire or renewal.
	Leading   bool
	RenewedAt time.Time
	// LeaseDuration and RenewDeadline are the configured timings.
	LeaseDuration, RenewDeadline time.Duration
}

// Decide is the election's rule, a pure function of what the replica
// knows:
//
//   - a leader steps down once RenewDeadline has passed since its last
//     successful renewal, or when the Lease names someone else (or is
//     gone); otherwise it renews;
//   - a candidate creates a missing Lease; takes over one that is free
//     (no holder), already names it (a restart under the same identity),
//     or has not changed for a lease duration since it first saw it;
//     otherwise it waits.
//
// It never compares Now with a time written in the Lease: that time comes
// from another machine's clock.
func Decide(v View) Action {
	if v.Leading {
		if v.Now.Sub(v.RenewedAt) >= v.RenewDeadline || holderOf(v.Lease) != v.Identity {
			return StepDown
		}
		return Renew
	}
	if v.Lease == nil {
		return Create
	}
	holder := holderOf(v.Lease)
	if holder == "" || holder == v.Identity || !v.Now.Before(v.ObservedAt.Add(leaseDuration(v.Lease, v.LeaseDuration))) {
		return Acquire
	}
	return Wait
}
