package mutants

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/controller/node"
	"github.com/tinykube/tinykube/labs/07-node-failure/reference"
)

// Mutant is a named broken answer.
type Mutant struct {
	Name   string
	Assess func(node.HealthView) node.Verdict
}

// All are the kept mutants.
var All = []Mutant{
	// Measures the heartbeat's age with the kubelet's own timestamp: a
	// node whose clock is behind looks dead at once, one ahead never.
	{"trusts-renew-time", func(v node.HealthView) node.Verdict {
		if !v.RenewTime.IsZero() {
			v.LastSeen = v.RenewTime
		}
		return reference.Assess(v)
	}},
	// Gives up on a node after half the grace period: a blip in the
	// network evicts its pods.
	{"half-grace", func(v node.HealthView) node.Verdict {
		v.GracePeriod /= 2
		return reference.Assess(v)
	}},
	// Never declares a node lost: its pods are never replaced.
	{"never-stale", func(v node.HealthView) node.Verdict {
		return node.Verdict{Taint: reference.TaintFor(v.Ready)}
	}},
	// Stale at exactly the grace period, one instant early.
	{"grace-inclusive", func(v node.HealthView) node.Verdict {
		if v.Now.Sub(v.LastSeen) == v.GracePeriod {
			v.GracePeriod--
		}
		return reference.Assess(v)
	}},
	// Taints an unreachable node as merely not ready.
	{"unknown-is-not-ready", func(v node.HealthView) node.Verdict {
		out := reference.Assess(v)
		if out.Taint == node.TaintUnreachable {
			out.Taint = node.TaintNotReady
		}
		return out
	}},
	// Writes Ready=Unknown again at every check of a lost node.
	{"marks-unknown-again", func(v node.HealthView) node.Verdict {
		out := reference.Assess(v)
		if reference.Stale(v) && v.Ready == api.ConditionUnknown {
			out.MarkUnknown = true
		}
		return out
	}},
}
