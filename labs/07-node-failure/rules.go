package nodefailurelab

import (
	"fmt"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/controller/node"
	"github.com/tinykube/tinykube/labs/lab"
)

var base = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)

// drawView draws what the node controller might know of one node.
func drawView(env *lab.Env) node.HealthView {
	r := env.Rand
	v := node.HealthView{GracePeriod: 10 * time.Second}
	if r.IntN(3) == 0 {
		v.GracePeriod = 40 * time.Second // Kubernetes' default
	}
	v.Now = base.Add(time.Duration(r.Int64N(int64(time.Hour))))
	v.LastSeen = v.Now.Add(-env.Near(v.GracePeriod))
	v.Ready = []api.ConditionStatus{api.ConditionTrue, api.ConditionFalse, api.ConditionUnknown, ""}[r.IntN(4)]
	if r.IntN(5) > 0 {
		// The kubelet's clock: anything, an hour either way.
		v.RenewTime = v.Now.Add(time.Duration(r.Int64N(int64(2*time.Hour))) - time.Hour)
	}
	return v
}

// expected is the contract, worked out on its own, with the reason in
// words.
func expected(v node.HealthView) (node.Verdict, string) {
	var want node.Verdict
	age := v.Now.Sub(v.LastSeen)
	ready, why := v.Ready, ""
	switch {
	case age > v.GracePeriod && ready != api.ConditionUnknown:
		want.MarkUnknown, ready = true, api.ConditionUnknown
		why = fmt.Sprintf("the heartbeat was last seen %v ago, more than the grace period %v, and Ready is not Unknown yet: mark it Unknown; ", age, v.GracePeriod)
	case age > v.GracePeriod:
		why = fmt.Sprintf("the heartbeat was last seen %v ago, more than the grace period %v, but Ready is Unknown already; ", age, v.GracePeriod)
	default:
		why = fmt.Sprintf("the heartbeat was last seen %v ago, not more than the grace period %v (renewTime, on the kubelet's clock, does not count); ", age, v.GracePeriod)
	}
	switch ready {
	case api.ConditionUnknown:
		want.Taint = node.TaintUnreachable
		why += "an Unknown node is tainted unreachable"
	case api.ConditionFalse:
		want.Taint = node.TaintNotReady
		why += "a node whose kubelet reports Ready=False is tainted not-ready"
	case api.ConditionTrue:
		why += "a Ready node carries no taint"
	default:
		why += "a node with no Ready condition carries no taint"
	}
	return want, why
}

func describe(v node.HealthView) string {
	renew := "no Lease yet"
	if !v.RenewTime.IsZero() {
		renew = fmt.Sprintf("renewTime %v from now by the kubelet's clock", v.RenewTime.Sub(v.Now))
	}
	ready := string(v.Ready)
	if ready == "" {
		ready = `"" (no condition)`
	}
	return fmt.Sprintf("heartbeat last seen %v ago, %s, grace period %v, Ready %s", v.Now.Sub(v.LastSeen), renew, v.GracePeriod, ready)
}

func verdict(v node.Verdict) string {
	taint := `""`
	if v.Taint != "" {
		taint = v.Taint
	}
	return fmt.Sprintf("{MarkUnknown %v, Taint %s}", v.MarkUnknown, taint)
}
