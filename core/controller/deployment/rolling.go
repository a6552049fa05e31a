package deployment

import (
	"math"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// rolloutRolling takes one step of a rolling update: it makes sure the
// new ReplicaSet exists, asks rollingStep (RollingStep unless a lab
// replaced it) for the step, and takes it.
func (c *Controller) rolloutRolling(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (*api.ReplicaSet, error) {
	newRS, err := c.ensureNewRS(d, newRS, olds)
	if err != nil {
		return nil, err
	}
	return c.applyStep(d, newRS, olds)
}

// applyStep takes the step rollingStep decides: the new ReplicaSet
// scaled first, and if it moved, nothing else in this pass; else each old
// ReplicaSet whose target differs, oldest first, stopping at the first
// failure.
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

// RollingStep decides one step of a rolling update, as Kubernetes'
// rolloutRolling does: scale the new ReplicaSet up within the surge; if
// that does not move it, scale old ones down within the unavailability
// budget. One kind of step per pass keeps the two budgets from being
// spent on the same stale view; the writes bring the controller back for
// the next step. It returns the new ReplicaSet's target replicas and the
// old ones', in the order of olds (oldest first).
//
// It is a pure function of what the controller's caches show, so a lab
// can replace it (Config.RollingStep) and a test can call it alone.
func RollingStep(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (newReplicas int32, oldReplicas []int32) {
	oldReplicas = make([]int32, len(olds))
	for i, rs := range olds {
		oldReplicas[i] = replicasOf(rs)
	}
	if n := scaleNew(d, newRS, olds); n != replicasOf(newRS) {
		return n, oldReplicas
	}
	return replicasOf(newRS), scaleOld(d, newRS, olds, oldReplicas)
}

// scaleNew is the new ReplicaSet's target: towards spec.replicas without
// letting the ReplicaSets' replicas add up to more than replicas+maxSurge.
func scaleNew(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) int32 {
	want := desired(d)
	have := replicasOf(newRS)
	if have >= want {
		return want
	}
	surge, _ := bounds(d)
	room := want + surge - specTotal(append([]*api.ReplicaSet{newRS}, olds...)...)
	if room <= 0 {
		return have
	}
	return have + min(room, want-have)
}

// scaleOld lowers the old ReplicaSets' targets in out (their current
// replicas on entry) while at least replicas-maxUnavailable pods stay
// available:
//
//  1. first the old ReplicaSets' unavailable replicas (they serve nobody;
//     left alone they could block the rollout forever), oldest first, at
//     most allSpec - minAvailable - newUnavailable of them;
//  2. then available old replicas, oldest ReplicaSet first, as many as
//     the available count exceeds minAvailable.
//
// A ReplicaSet's available count is min(status.availableReplicas, its
// target): right after this controller scales it down its status still
// shows the pods being deleted, and counting them would spend the budget
// twice.
func scaleOld(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet, out []int32) []int32 {
	if specTotal(olds...) == 0 {
		return out
	}
	_, unavailable := bounds(d)
	minAvailable := desired(d) - unavailable
	newAvailable := available(newRS, replicasOf(newRS))
	budget := specTotal(append([]*api.ReplicaSet{newRS}, olds...)...) - minAvailable - (replicasOf(newRS) - newAvailable)
	if budget <= 0 {
		return out
	}
	// 1. Unhealthy replicas first.
	for i, rs := range olds {
		if budget <= 0 {
			break
		}
		unhealthy := out[i] - available(rs, out[i])
		if unhealthy <= 0 {
			continue
		}
		n := min(budget, unhealthy)
		out[i] -= n
		budget -= n
	}
	// 2. Then healthy ones, never below minAvailable (and within budget).
	avail := newAvailable
	for i, rs := range olds {
		avail += available(rs, out[i])
	}
	n := min(budget, avail-minAvailable)
	for i := range olds {
		if n <= 0 {
			break
		}
		k := min(n, out[i])
		out[i] -= k
		n -= k
	}
	return out
}

// available is how many of rs's replicas count as available once it is
// scaled to replicas: what its status reports, capped by replicas.
func available(rs *api.ReplicaSet, replicas int32) int32 {
	return max(0, min(rs.Status.AvailableReplicas, replicas))
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
