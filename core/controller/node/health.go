package node

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// HealthView is what the controller knows of one node when it checks it.
// Now and LastSeen are on the controller's own clock.
type HealthView struct {
	// Now is the controller's clock now.
	Now time.Time
	// LastSeen is when the controller first heard of the node or last saw
	// its Lease's renewTime change, whichever is later.
	LastSeen time.Time
	// RenewTime is the Lease's spec.renewTime as last seen, written by the
	// kubelet with its own clock (zero when there is no Lease yet): only
	// its changes mean something here, which LastSeen already records.
	RenewTime time.Time
	// GracePeriod is Config.GracePeriod.
	GracePeriod time.Duration
	// Ready is the status of the node's Ready condition: True, False,
	// Unknown, or "" when the node has none.
	Ready api.ConditionStatus
}

// Verdict is Assess's answer for one node.
type Verdict struct {
	// MarkUnknown: set the node's Ready condition to Unknown, because its
	// kubelet has not been heard from for longer than the grace period.
	MarkUnknown bool
	// Taint is the managed taint the node must carry, NoSchedule and
	// NoExecute: TaintUnreachable, TaintNotReady, or "" for none.
	Taint string
}

// Assess is the controller's failure detection for one node: a heartbeat
// older than the grace period, on the controller's own clock, makes the
// Ready condition Unknown; the taint then follows the condition
// (Unknown: unreachable, False: not-ready, True or none: no taint).
func Assess(v HealthView) Verdict {
	var out Verdict
	ready := v.Ready
	if v.Now.Sub(v.LastSeen) > v.GracePeriod && ready != api.ConditionUnknown {
		out.MarkUnknown, ready = true, api.ConditionUnknown
	}
	switch ready {
	case api.ConditionUnknown:
		out.Taint = TaintUnreachable
	case api.ConditionFalse:
		out.Taint = TaintNotReady
	}
	return out
}
