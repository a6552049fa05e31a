package daemonset

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// maxUnavailable resolves the rolling update's maxUnavailable against the
// number of nodes that should run the pod, rounding a percentage up as
// Kubernetes does for DaemonSets; 0 (a small percentage of few nodes, or
// maxSurge carrying the update, which tinykube does not implement) becomes
// 1, or nothing could ever move.
func maxUnavailable(ds *api.DaemonSet, desired int) int {
	ru := ds.Spec.UpdateStrategy.RollingUpdate
	n := 1
	if ru != nil && ru.MaxUnavailable != nil {
		v := ru.MaxUnavailable
		if !v.IsString {
			n = int(v.IntVal)
		} else if pct, err := strconv.Atoi(strings.TrimSuffix(v.StrVal, "%")); err == nil {
			n = int(math.Ceil(float64(pct) * float64(desired) / 100))
		}
	}
	return max(n, 1)
}

// rollingVictims picks the old-revision pods to delete now (their
// replacements are created on a later pass, once they are gone):
//
//	a node without a pod, or whose pod is new but not available, or which
//	has several pods: counts as unavailable
//	an old pod that is not available: deleted at once (nothing to lose)
//	an old available pod: deleted while fewer than maxUnavailable nodes
//	are unavailable, counting those already chosen
//
// Only nodes that should run the pod take part (as in Kubernetes).
func rollingVictims(ds *api.DaemonSet, hash string, byNode map[string]*nodePods, now time.Time) []*api.Pod {
	desired := 0
	for _, np := range byNode {
		if np.shouldRun {
			desired++
		}
	}
	budget := maxUnavailable(ds, desired)
	unavailable := 0
	var victims, candidates []*api.Pod
	for _, name := range sortedNodes(byNode) {
		np := byNode[name]
		if !np.shouldRun {
			continue
		}
		if len(np.live) != 1 {
			unavailable++
			continue
		}
		p := np.live[0]
		available := isAvailable(p, ds.Spec.MinReadySeconds, now)
		switch {
		case p.Labels[RevisionHashLabel] == hash:
			if !available {
				unavailable++
			}
		case !available:
			unavailable++
			victims = append(victims, p)
		default:
			candidates = append(candidates, p)
		}
	}
	for _, p := range candidates {
		if unavailable >= budget {
			break
		}
		victims = append(victims, p)
		unavailable++
	}
	return victims
}

// isAvailable: ready for at least minReadySeconds.
func isAvailable(p *api.Pod, minReadySeconds int32, now time.Time) bool {
	if !api.IsPodReady(p) {
		return false
	}
	if minReadySeconds == 0 {
		return true
	}
	cond := p.Status.FindCondition(api.PodReady)
	if cond.LastTransitionTime == nil {
		return false
	}
	return !now.Before(cond.LastTransitionTime.Add(time.Duration(minReadySeconds) * time.Second))
}
