package reference

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/leader"
)

func holder(l *api.Lease) string {
	if l == nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

func duration(v leader.View) time.Duration {
	if s := v.Lease.Spec.LeaseDurationSeconds; s != nil && *s > 0 {
		return time.Duration(*s) * time.Second
	}
	return v.LeaseDuration
}

// Decide is the rule of the lab's contract.
func Decide(v leader.View) leader.Action {
	if v.Leading {
		if v.Now.Sub(v.RenewedAt) >= v.RenewDeadline || holder(v.Lease) != v.Identity {
			return leader.StepDown
		}
		return leader.Renew
	}
	if v.Lease == nil {
		return leader.Create
	}
	h := holder(v.Lease)
	if h == "" || h == v.Identity || !v.Now.Before(v.ObservedAt.Add(duration(v))) {
		return leader.Acquire
	}
	return leader.Wait
}
