package deployment

import (
	"math"
	"sort"
	"strconv"

	"github.com/tinykube/tinykube/core/api"
)

// Annotations the controller keeps on each ReplicaSet it scales, as
// Kubernetes does: the Deployment's replicas, and replicas + maxSurge, at
// the time. They are how the controller tells a change of spec.replicas
// (a scaling event) from the steps of a rollout, and what proportional
// scaling measures each ReplicaSet's share against.
const (
	DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas"
	MaxReplicasAnnotation     = "deployment.kubernetes.io/max-replicas"
)

// setScaleAnnotations records d's replicas and replicas+maxSurge on m. It
// reports whether anything changed.
func setScaleAnnotations(d *api.Deployment, m *api.ObjectMeta) bool {
	surge, _ := bounds(d)
	want := map[string]string{
		DesiredReplicasAnnotation: strconv.Itoa(int(desired(d))),
		MaxReplicasAnnotation:     strconv.Itoa(int(desired(d) + surge)),
	}
	changed := false
	for k, v := range want {
		if m.Annotations[k] != v {
			if m.Annotations == nil {
				m.Annotations = map[string]string{}
			}
			m.Annotations[k] = v
			changed = true
		}
	}
	return changed
}

func intAnnotation(rs *api.ReplicaSet, key string) (int32, bool) {
	v, err := strconv.ParseInt(rs.Annotations[key], 10, 32)
	return int32(v), err == nil
}

// isScalingEvent reports whether spec.replicas changed since the
// controller last scaled d's active ReplicaSets.
func isScalingEvent(d *api.Deployment, rss []*api.ReplicaSet) bool {
	for _, rs := range rss {
		if replicasOf(rs) == 0 {
			continue
		}
		if want, ok := intAnnotation(rs, DesiredReplicasAnnotation); ok && want != desired(d) {
			return true
		}
	}
	return false
}

// scale absorbs a change of spec.replicas — also while paused, when no
// rollout step runs — the way Kubernetes does:
//
//   - one active ReplicaSet (or none): it (or the newest) gets all of them;
//   - the new ReplicaSet already has them all and they are available: the
//     old ones go to 0;
//   - mid rolling update, several active: proportional scaling. The
//     ReplicaSets together may have replicas + maxSurge; what is missing
//     (or too much) is shared out in proportion to each one's size, so a
//     rollout that was 30% done stays 30% done at the new size, and
//     neither revision is starved. Rounding leftovers go to the largest.
//
// It returns whether it changed anything (then the rollout step waits for
// the next pass, on fresh data).
func (c *Controller) scale(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (bool, error) {
	all := append([]*api.ReplicaSet{}, olds...)
	if newRS != nil {
		all = append([]*api.ReplicaSet{newRS}, all...)
	}
	var active []*api.ReplicaSet
	for _, rs := range all {
		if replicasOf(rs) > 0 {
			active = append(active, rs)
		}
	}
	want := desired(d)
	switch {
	case len(active) <= 1:
		target := newRS
		if len(active) == 1 {
			target = active[0]
		} else if target == nil && len(olds) > 0 {
			target = olds[len(olds)-1] // the newest old one
		}
		if target == nil {
			return false, nil
		}
		return c.resize(d, target, want)
	case newRS != nil && replicasOf(newRS) == want && newRS.Status.AvailableReplicas == want:
		changed := false
		for _, rs := range olds {
			ch, err := c.resize(d, rs, 0)
			if err != nil {
				return changed, err
			}
			changed = changed || ch
		}
		return changed, nil
	case d.Spec.Strategy.Type == api.StrategyRecreate:
		return false, nil // Recreate has one active ReplicaSet at a time
	}

	surge, _ := bounds(d)
	allowed := want + surge
	if want == 0 {
		allowed = 0
	}
	toAdd := allowed - specTotal(active...)
	// Who gets the rounding: the largest first (newer on ties) when
	// growing, the largest first (older on ties) when shrinking.
	sort.SliceStable(active, func(i, j int) bool {
		a, b := replicasOf(active[i]), replicasOf(active[j])
		if a != b {
			return a > b
		}
		ti, tj := active[i].CreationTimestamp, active[j].CreationTimestamp
		if ti == nil || tj == nil || ti.Equal(tj.Time) {
			return active[i].Name < active[j].Name
		}
		if toAdd > 0 {
			return ti.After(tj.Time)
		}
		return ti.Before(tj.Time)
	})
	sizes := make([]int32, len(active))
	var added int32
	for i, rs := range active {
		sizes[i] = replicasOf(rs)
		if toAdd == 0 {
			continue
		}
		share := proportion(d, rs, allowed, toAdd-added)
		sizes[i] += share
		added += share
	}
	if len(active) > 0 {
		sizes[0] += toAdd - added // the leftover, to the largest
		if sizes[0] < 0 {
			sizes[0] = 0
		}
	}
	changed := false
	for i, rs := range active {
		ch, err := c.resize(d, rs, sizes[i])
		if err != nil {
			return changed, err
		}
		changed = changed || ch
	}
	return changed, nil
}

// proportion is rs's share of a change: its size scaled from the
// deployment size it was last scaled for (max-replicas) to allowed, minus
// its size now, and never more than what is left to share.
func proportion(d *api.Deployment, rs *api.ReplicaSet, allowed, left int32) int32 {
	if left == 0 {
		return 0
	}
	was, ok := intAnnotation(rs, MaxReplicasAnnotation)
	if !ok || was <= 0 {
		was = d.Status.Replicas
	}
	if was <= 0 {
		return 0
	}
	share := int32(math.Round(float64(replicasOf(rs))*float64(allowed)/float64(was))) - replicasOf(rs)
	if left > 0 {
		return max(0, min(share, left))
	}
	return min(0, max(share, left))
}

// resize scales rs to n and reports whether it wrote anything.
func (c *Controller) resize(d *api.Deployment, rs *api.ReplicaSet, n int32) (bool, error) {
	out, err := c.scaleRS(d, rs, n)
	if err != nil {
		return false, err
	}
	return out.ResourceVersion != rs.ResourceVersion, nil
}
