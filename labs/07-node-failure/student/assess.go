// Lab 07: your code goes in this file (labs/07-node-failure/README.md);
// the contract comments below are the specification.

package student

import (
	"github.com/tinykube/tinykube/core/controller/node"
)

// HealthView and Verdict are core/controller/node's
// (core/controller/node/health.go):
//
//	HealthView{Now, LastSeen, RenewTime time.Time; GracePeriod time.Duration;
//	           Ready api.ConditionStatus}
//	Verdict{MarkUnknown bool; Taint string}
//
// The taints are node.TaintUnreachable and node.TaintNotReady; the Ready
// statuses api.ConditionTrue, api.ConditionFalse, api.ConditionUnknown
// and "" (the node has no Ready condition yet).
type (
	HealthView = node.HealthView
	Verdict    = node.Verdict
)

// Assess judges one node, every monitor period (1s), from what the node
// controller has observed of its heartbeats.
//
// Contract — a pure function of v:
//
//   - The heartbeat is stale when more than GracePeriod has passed from
//     LastSeen to Now (exactly GracePeriod is not stale yet). Both are on
//     the controller's own clock. RenewTime was written by the kubelet,
//     on the node's clock, which may be hours off: never compare it with
//     Now.
//   - A stale heartbeat on a node whose Ready condition is not already
//     Unknown asks for MarkUnknown (the controller writes Ready=Unknown);
//     from then on the node counts as Unknown.
//   - The taint follows the Ready condition, as it is after that: Unknown
//     is TaintUnreachable, False (the kubelet says it is unwell) is
//     TaintNotReady, True or none is no taint ("").
//
// The controller puts the taint on with both effects, NoSchedule and
// NoExecute, removes it when you answer "", and evicts the node's pods
// once they have not tolerated the NoExecute taint long enough.
func Assess(v HealthView) Verdict {
	// LAB 07: your code here
	return Verdict{Taint: "not implemented"}
}
