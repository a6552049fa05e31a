package reference

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/controller/node"
)

// Assess is the contract of student.Assess.
func Assess(v node.HealthView) node.Verdict {
	var out node.Verdict
	ready := v.Ready
	if Stale(v) && ready != api.ConditionUnknown {
		out.MarkUnknown, ready = true, api.ConditionUnknown
	}
	out.Taint = TaintFor(ready)
	return out
}

// Stale: the controller has not seen the node's heartbeat change for
// longer than the grace period, on its own clock.
func Stale(v node.HealthView) bool { return v.Now.Sub(v.LastSeen) > v.GracePeriod }

// TaintFor is the taint a node with Ready condition status s carries.
func TaintFor(s api.ConditionStatus) string {
	switch s {
	case api.ConditionUnknown:
		return node.TaintUnreachable
	case api.ConditionFalse:
		return node.TaintNotReady
	}
	return ""
}
