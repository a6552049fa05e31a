package deployment

import (
	"math"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// rolloutRolling takes one step of a rolling update, as Kubernetes'
// rolloutRolling does: scale the new ReplicaSet up within the surge; if it
// did not move, scale old ones down within the unavailability budget. One
// kind of step per pass keeps the two budgets from being spent on the same
// stale view; the writes bring the controller back for the next step.
func (c *Controller) rolloutRolling(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (*api.ReplicaSet, error) {
	newRS, err := c.ensureNewRS(d, newRS, olds)
	if err != nil {
		return nil, err
	}
	if c.rollingStep != nil {
		return c.applyStep(d, newRS, olds)
	}
	before := replicasOf(newRS)
	newRS, err = c.reconcileNewRS(d, newRS, olds)
	if err != nil || replicasOf(newRS) != before {
		return newRS, err
	}
	return newRS, c.reconcileOldRSes(d, newRS, olds)
}

// applyStep takes the step Config.RollingStep decides: the new ReplicaSet
// scaled first, and if it moved, nothing else in this pass.
func (c *Controller) applyStep(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (*api.ReplicaSet, error) {
	want, oldWant := c.rollingStep(d, newRS, olds)
	if want != replicasOf(newRS) {
		return c.scaleRS(d, newRS, want)
	}
	for i, rs := range olds {
		if i < len(oldWant) && oldWant[i] != replicasOf(rs) {
			if _, err := c.scaleRS(d, rs, oldWant[i]); err != nil {
				return newRS, err
			}
		}
	}
	return newRS, nil
}

// reconcileNewRS scales the new ReplicaSet towards spec.replicas without
// letting the ReplicaSets' replicas add up to more than replicas+maxSurge.
func (c *Controller) reconcileNewRS(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (*api.ReplicaSet, error) {
	want := desired(d)
	have := replicasOf(newRS)
	if have >= want {
		return c.scaleRS(d, newRS, want)
	}
	surge, _ := bounds(d)
	room := want + surge - specTotal(append([]*api.ReplicaSet{newRS}, olds...)...)
	if room <= 0 {
		return newRS, nil
	}
	return c.scaleRS(d, newRS, have+min(room, want-have))
}

// reconcileOldRSes scales old ReplicaSets down while at least
// replicas-maxUnavailable pods stay available:
//
//  1. first the old ReplicaSets' unavailable replicas (they serve nobody;
//     left alone they could block the rollout forever), oldest first, at
//     most allSpec - minAvailable - newUnavailable of them;
//  2. then available old replicas, oldest ReplicaSet first, as many as
//     the available count exceeds minAvailable.
//
// A ReplicaSet's available count is min(status.availableReplicas,
// spec.replicas): right after this controller scales it down its status
// still shows the pods being deleted, and counting them would spend the
// budget twice.
func (c *Controller) reconcileOldRSes(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) error {
	if specTotal(olds...) == 0 {
		return nil
	}
	_, unavailable := bounds(d)
	minAvailable := desired(d) - unavailable
	newUnavailable := replicasOf(newRS) - c.available(newRS)
	budget := specTotal(append([]*api.ReplicaSet{newRS}, olds...)...) - minAvailable - newUnavailable
	if budget <= 0 {
		return nil
	}
	olds = append([]*api.ReplicaSet(nil), olds...)
	// 1. Unhealthy replicas first.
	for i, rs := range olds {
		if budget <= 0 {
			break
		}
		unhealthy := replicasOf(rs) - c.available(rs)
		if unhealthy <= 0 {
			continue
		}
		n := min(budget, unhealthy)
		out, err := c.scaleRS(d, rs, replicasOf(rs)-n)
		if err != nil {
			return err
		}
		olds[i] = out
		budget -= n
	}
	// 2. Then healthy ones, never below minAvailable (and within budget).
	var avail int32
	for _, rs := range append([]*api.ReplicaSet{newRS}, olds...) {
		avail += c.available(rs)
	}
	n := min(budget, avail-minAvailable)
	for _, rs := range olds {
		if n <= 0 {
			break
		}
		k := min(n, replicasOf(rs))
		if k == 0 {
			continue
		}
		if _, err := c.scaleRS(d, rs, replicasOf(rs)-k); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// available is rs's available replicas it can still have: what its status
// reports, capped by its spec.
func (c *Controller) available(rs *api.ReplicaSet) int32 {
	if c.assumeAvailable {
		return replicasOf(rs) // the deliberate bug: asked for is not available
	}
	return max(0, min(rs.Status.AvailableReplicas, replicasOf(rs)))
}

// bounds resolves maxSurge and maxUnavailable against spec.replicas:
// surge rounds up and unavailable rounds down (so 25% of 1 pod is a surge
// of 1 and no unavailability). If both come out 0 (possible with
// percentages of small counts) unavailable becomes 1, as in Kubernetes,
// or nothing could ever move. Recreate has neither.
func bounds(d *api.Deployment) (surge, unavailable int32) {
	ru := d.Spec.Strategy.RollingUpdate
	if d.Spec.Strategy.Type == api.StrategyRecreate || ru == nil {
		return 0, 0
	}
	n := desired(d)
	surge = resolve(ru.MaxSurge, n, true)
	unavailable = resolve(ru.MaxUnavailable, n, false)
	if surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	return surge, min(unavailable, n)
}

// resolve turns an int or a "NN%" of total into a count. A malformed
// value (validation refuses those) counts as 0.
func resolve(v *api.IntOrString, total int32, roundUp bool) int32 {
	if v == nil {
		return 0
	}
	if !v.IsString {
		return max(0, v.IntVal)
	}
	pct, err := strconv.Atoi(strings.TrimSuffix(v.StrVal, "%"))
	if err != nil || !strings.HasSuffix(v.StrVal, "%") {
		return 0
	}
	x := float64(pct) * float64(total) / 100
	if roundUp {
		return int32(math.Ceil(x))
	}
	return int32(math.Floor(x))
}
