package disruption

import (
	"fmt"
	"math"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// DeletionTimeout is how long an evicted pod may take to disappear before
// the controller stops treating it as on its way out (Kubernetes' value).
const DeletionTimeout = 2 * time.Minute

// Counts is what the controller observes for one budget.
type Counts struct {
	Expected, Desired, Healthy int32
}

// AllowedFunc turns a budget's counts into status.disruptionsAllowed.
type AllowedFunc func(c Counts) int32

// Allowed is the real rule: the healthy pods above the desired ones, and
// none at all while no pod is expected — a budget whose pods have not
// appeared yet must not let the first ones be evicted before it has
// counted them.
func Allowed(c Counts) int32 {
	if c.Expected <= 0 || c.Healthy <= c.Desired {
		return 0
	}
	return c.Healthy - c.Desired
}

// ScaleFunc returns the replicas wanted by the controller of pod, with a
// key (the controller's uid) that identifies it, so that pods of one
// controller count its scale once. ok is false when the pod has a
// controller that cannot be resolved, or none.
type ScaleFunc func(pod *api.Pod) (key string, replicas int32, ok bool)

// Expect works out how many pods the budget expects and how many of them
// must stay healthy, as Kubernetes does: maxUnavailable and percentage
// minAvailable are shares of the controllers' scale (rounded up, so a
// budget never allows more than it says); an integer minAvailable is
// taken as is, against the pods that exist. A budget with neither expects
// nothing.
func Expect(pdb *api.PodDisruptionBudget, pods []*api.Pod, scale ScaleFunc) (expected, desired int32, err error) {
	s := pdb.Spec
	switch {
	case s.MaxUnavailable != nil:
		if expected, err = expectedScale(pods, scale); err != nil {
			return 0, 0, err
		}
		maxUnavailable, err := scaled(*s.MaxUnavailable, expected)
		if err != nil {
			return 0, 0, err
		}
		return expected, max(expected-maxUnavailable, 0), nil
	case s.MinAvailable != nil && !s.MinAvailable.IsString:
		return int32(len(pods)), s.MinAvailable.IntVal, nil
	case s.MinAvailable != nil:
		if expected, err = expectedScale(pods, scale); err != nil {
			return 0, 0, err
		}
		desired, err := scaled(*s.MinAvailable, expected)
		return expected, desired, err
	}
	return 0, 0, nil
}

// expectedScale sums the scale of the pods' controllers, each once.
func expectedScale(pods []*api.Pod, scale ScaleFunc) (int32, error) {
	seen := map[string]bool{}
	var total int32
	for _, p := range pods {
		key, n, ok := scale(p)
		if !ok {
			return 0, fmt.Errorf("found no controller with a scale for pod %q", p.Name)
		}
		if !seen[key] {
			seen[key] = true
			total += n
		}
	}
	return total, nil
}

// scaled resolves an integer or "N%" of total, rounding up.
func scaled(v api.IntOrString, total int32) (int32, error) {
	if !v.IsString {
		return v.IntVal, nil
	}
	var pct int
	if _, err := fmt.Sscanf(v.StrVal, "%d%%", &pct); err != nil {
		return 0, fmt.Errorf("invalid value %q: it must be an integer or a percentage", v.StrVal)
	}
	return int32(math.Ceil(float64(pct) * float64(total) / 100)), nil
}

// Healthy counts the pods that are Ready, not being deleted and not
// already evicted (in disrupted). It also returns disrupted pruned of the
// entries that no longer hold back a pod — its pod is gone or being
// deleted, or DeletionTimeout has passed — and the earliest time a kept
// entry expires (zero when none does).
func Healthy(pods []*api.Pod, disrupted map[string]api.Time, now time.Time) (healthy int32, kept map[string]api.Time, recheck time.Time) {
	byName := map[string]*api.Pod{}
	for _, p := range pods {
		byName[p.Name] = p
	}
	for name, at := range disrupted {
		p := byName[name]
		if p == nil || p.DeletionTimestamp != nil {
			continue
		}
		expires := at.Add(DeletionTimeout)
		if !expires.After(now) {
			continue
		}
		if kept == nil {
			kept = map[string]api.Time{}
		}
		kept[name] = at
		if recheck.IsZero() || expires.Before(recheck) {
			recheck = expires
		}
	}
	for _, p := range pods {
		if _, evicted := kept[p.Name]; evicted || p.DeletionTimestamp != nil {
			continue
		}
		if api.IsPodReady(p) {
			healthy++
		}
	}
	return healthy, kept, recheck
}
