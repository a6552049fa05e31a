package cluster

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
)

// The rollout-bounds invariant: a rolling update's promise. While a
// Deployment moves from one template to the next, at least replicas -
// maxUnavailable of its pods are available (terminating pods do not
// count), and its ReplicaSets together ask for at most replicas + maxSurge
// pods. The ceiling is on what the Deployment controller asks for, as in
// Kubernetes, not on pods: the pods follow through the ReplicaSet
// controller, which may create a pod of the new ReplicaSet a moment before
// it deletes one of the old (the simulator found exactly that: 13 pods for
// a ceiling of 12, for a few milliseconds). The promise
// is about the controller's own steps, so it holds only while nothing else
// takes pods away: the checker arms it once the Deployment is fully
// available, and disarms it for good when a fault is injected, when one
// of its available pods stops being available without being deleted
// (a crash, a failed probe), and until it is fully available again when
// its replica count changes.
//
// The arithmetic is written here again on purpose, independent of the
// Deployment controller's code, so a controller that computes its bounds
// wrongly is caught rather than agreed with.

type rolloutFacts struct {
	key            string // namespace/name
	replicas       int32
	surge, unavail int32
	minReady       time.Duration
	armed          bool
	disturbed      bool
}

// deployment records a Deployment's bounds.
func (c *checker) deployment(ev store.Event) {
	var d api.Deployment
	if ev.Type == store.EventDelete {
		if ev.Prev != nil && json.Unmarshal(ev.Prev.Value, &d) == nil {
			delete(c.rollouts, d.UID)
		}
		return
	}
	if json.Unmarshal(ev.KV.Value, &d) != nil {
		return
	}
	f := c.rollouts[d.UID]
	if f == nil {
		f = &rolloutFacts{key: d.Namespace + "/" + d.Name}
		c.rollouts[d.UID] = f
	}
	replicas := int32(1)
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	if replicas != f.replicas {
		f.armed = false // scaling is not a rollout: wait until fully available again
	}
	f.replicas = replicas
	f.surge, f.unavail = rolloutBounds(&d, replicas)
	f.minReady = time.Duration(d.Spec.MinReadySeconds) * time.Second
	if d.Spec.Strategy.Type == api.StrategyRecreate || d.DeletionTimestamp != nil || d.Spec.Paused {
		f.disturbed = true // Recreate promises nothing; deletion and pauses are not rollouts
	}
	c.rolloutDirty[d.UID] = true
}

// replicaSet records which Deployment controls a ReplicaSet.
func (c *checker) replicaSet(ev store.Event) {
	var rs api.ReplicaSet
	if ev.Type == store.EventDelete {
		if ev.Prev != nil && json.Unmarshal(ev.Prev.Value, &rs) == nil {
			c.rolloutDirty[c.rsOwner[rs.UID]] = true
			delete(c.rsOwner, rs.UID)
			delete(c.rsReplicas, rs.UID)
		}
		return
	}
	if json.Unmarshal(ev.KV.Value, &rs) != nil {
		return
	}
	if ref := rs.ControllerRef(); ref != nil && ref.Kind == "Deployment" {
		c.rsOwner[rs.UID] = ref.UID
		replicas := int32(1)
		if rs.Spec.Replicas != nil {
			replicas = *rs.Spec.Replicas
		}
		c.rsReplicas[rs.UID] = replicas
		c.rolloutDirty[ref.UID] = true
	}
}

// podRollout keeps what the rollout check needs of a pod.
func (c *checker) podRollout(f *podFacts, p *api.Pod) {
	if ref := p.ControllerRef(); ref != nil {
		f.owner = ref.UID
	}
	wasAvailable := f.readySince >= 0 && !f.terminating
	f.terminating = p.DeletionTimestamp != nil
	ready := p.Status.Phase == api.PodRunning && api.IsPodReady(p)
	switch {
	case !ready:
		f.readySince = -1
	case f.readySince < 0:
		f.readySince = c.now() // ready from this write on
	}
	if wasAvailable && f.readySince < 0 && !f.terminating {
		// An available pod lost without being deleted: a disruption the
		// controller did not cause and cannot be held to.
		if d := c.rollouts[c.rsOwner[f.owner]]; d != nil {
			d.disturbed = true
		}
	}
	c.rolloutDirty[c.rsOwner[f.owner]] = true
}

// checkRollouts checks the Deployments whose pods changed this step.
func (c *checker) checkRollouts() error {
	uids := make([]string, 0, len(c.rolloutDirty))
	for uid := range c.rolloutDirty {
		uids = append(uids, uid)
	}
	sort.Strings(uids)
	c.rolloutDirty = map[string]bool{}
	now := c.now()
	for _, uid := range uids {
		d := c.rollouts[uid]
		if d == nil || d.disturbed || c.faulted {
			continue
		}
		var total, available, asked int32
		for rs, owner := range c.rsOwner {
			if owner == uid {
				asked += c.rsReplicas[rs]
			}
		}
		for _, p := range c.pods {
			if p.terminal || p.terminating || c.rsOwner[p.owner] != uid {
				continue
			}
			total++
			if p.readySince >= 0 && now-p.readySince >= d.minReady {
				available++
			}
		}
		if !d.armed {
			// Armed once fully available (and no more pods than asked for).
			d.armed = available >= d.replicas && total <= d.replicas && asked <= d.replicas
			continue
		}
		if floor := d.replicas - d.unavail; available < floor {
			return fmt.Errorf("rollout-bounds: deployment %s has %d available pods, below replicas - maxUnavailable = %d - %d = %d", d.key, available, d.replicas, d.unavail, floor)
		}
		if ceiling := d.replicas + d.surge; asked > ceiling {
			return fmt.Errorf("rollout-bounds: deployment %s's ReplicaSets ask for %d pods, above replicas + maxSurge = %d + %d = %d", d.key, asked, d.replicas, d.surge, ceiling)
		}
	}
	return nil
}

// rolloutBounds resolves maxSurge (rounded up) and maxUnavailable (rounded
// down) against replicas, defaulting to 25% each; both 0 makes
// maxUnavailable 1, as Kubernetes does.
func rolloutBounds(d *api.Deployment, replicas int32) (surge, unavail int32) {
	pct25 := api.FromString("25%")
	ms, mu := &pct25, &pct25
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		if ru.MaxSurge != nil {
			ms = ru.MaxSurge
		}
		if ru.MaxUnavailable != nil {
			mu = ru.MaxUnavailable
		}
	}
	surge, unavail = scaled(*ms, replicas, true), scaled(*mu, replicas, false)
	if surge == 0 && unavail == 0 {
		unavail = 1
	}
	return surge, unavail
}

func scaled(v api.IntOrString, total int32, up bool) int32 {
	if !v.IsString {
		return v.IntVal
	}
	pct, _ := strconv.Atoi(strings.TrimSuffix(v.StrVal, "%"))
	x := float64(pct) * float64(total) / 100
	if up {
		return int32(math.Ceil(x))
	}
	return int32(math.Floor(x))
}
