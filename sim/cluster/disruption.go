package cluster

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
)

// The pdb-eviction invariant: an eviction never takes a budget's healthy
// pods below its minimum. It is judged from the store's writes alone. An
// eviction shows as a PodDisruptionBudget write that adds a pod to
// status.disruptedPods (the API server spends the budget before it
// deletes the pod). At that write the checker counts, from the pod
// writes it has seen, the budget's pods that are Ready, not being deleted
// and not among the disrupted: they must be at least the budget's minimum
// — spec.minAvailable when it is an integer, else status.desiredHealthy.
//
// Pods lost by accident (a crashed node) are not an eviction's doing, so
// scenarios that judge this invariant keep their nodes alive; the faults
// that matter here are lost answers, stale caches and restarts.

type pdbChecker struct {
	pods      map[string]*api.Pod // by namespace/name, live pods as last written
	disrupted map[string]map[string]bool
}

// disruptionPod follows a pod write for the invariant.
func (c *checker) disruptionPod(p *api.Pod, deleted bool) {
	if !c.enabled["pdb-eviction"] {
		return
	}
	d := &c.pdb
	if d.pods == nil {
		d.pods = map[string]*api.Pod{}
	}
	k := p.Namespace + "/" + p.Name
	if deleted {
		delete(d.pods, k)
		return
	}
	d.pods[k] = p
}

// pdbEvent follows a PodDisruptionBudget write and judges the evictions
// it records.
func (c *checker) pdbEvent(ev store.Event) {
	if !c.enabled["pdb-eviction"] {
		return
	}
	d := &c.pdb
	if d.disrupted == nil {
		d.disrupted = map[string]map[string]bool{}
	}
	if ev.Type == store.EventDelete {
		delete(d.disrupted, ev.KV.Key)
		return
	}
	var pdb api.PodDisruptionBudget
	if json.Unmarshal(ev.KV.Value, &pdb) != nil {
		return
	}
	prev := d.disrupted[ev.KV.Key]
	now := map[string]bool{}
	var added []string
	for name := range pdb.Status.DisruptedPods {
		now[name] = true
		if !prev[name] {
			added = append(added, name)
		}
	}
	d.disrupted[ev.KV.Key] = now
	if len(added) == 0 {
		return
	}
	sort.Strings(added)
	minimum := pdb.Status.DesiredHealthy
	if m := pdb.Spec.MinAvailable; m != nil && !m.IsString {
		minimum = m.IntVal
	}
	var healthy int32
	for _, p := range d.pods {
		if p.Namespace == pdb.Namespace && pdb.Covers(p) && p.DeletionTimestamp == nil && !now[p.Name] && api.IsPodReady(p) {
			healthy++
		}
	}
	if healthy < minimum {
		c.err = fmt.Errorf("pdb-eviction: evicting %s/%s left PodDisruptionBudget %s/%s with %d healthy pods, below its minimum of %d (status said disruptionsAllowed=%d)",
			pdb.Namespace, added[0], pdb.Namespace, pdb.Name, healthy, minimum, pdb.Status.DisruptionsAllowed)
	}
}
