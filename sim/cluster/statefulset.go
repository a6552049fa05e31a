package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/core/store"
)

// The statefulset-ordinals invariant: a StatefulSet's ordinal is one
// identity (one name, one claim, one hostname), so at no moment may two
// different pods of the same ordinal run. It is judged from the machines,
// not from the API: what counts is which containers really run. A
// partitioned node's containers keep running and count; a crashed node's
// are gone and do not. The identity of a running container is read from
// the labels the kubelet puts on it (namespace, pod name, pod uid); its
// ordinal from the pod name SET-i, for every StatefulSet name ever seen.
// None of this asks the StatefulSet controller anything, so a controller
// that replaces a pod too early is caught rather than agreed with.

// ordinalCheck follows the StatefulSets in the store with its own watch
// and checks the machines after every step.
type ordinalCheck struct {
	c    *Cluster
	w    store.Watcher
	sets map[string]bool // "namespace/name" of every StatefulSet ever seen
}

func newOrdinalCheck(c *Cluster) *ordinalCheck {
	w, err := c.Store.Watch(context.Background(), "/registry/statefulsets/", 0)
	if err != nil {
		panic(fmt.Sprintf("statefulset-ordinals: watching the store: %v", err)) // the memory store always can
	}
	return &ordinalCheck{c: c, w: w, sets: map[string]bool{}}
}

// check runs after every step. It costs nothing until a StatefulSet
// exists, then one pass over the running containers of the live machines.
func (o *ordinalCheck) check() error {
	for {
		ev, ok := o.w.Next()
		if !ok {
			break
		}
		var s api.StatefulSet
		if ev.Type != store.EventDelete && json.Unmarshal(ev.KV.Value, &s) == nil {
			o.sets[s.Namespace+"/"+s.Name] = true // kept after deletion: its pods may still run
		}
	}
	if len(o.sets) == 0 || !o.c.checker.enabled["statefulset-ordinals"] {
		return nil
	}
	type holder struct{ uid, node string }
	seen := map[string]holder{} // "namespace/set ordinal" -> first pod seen running it
	for _, n := range o.c.Nodes {
		if !n.Machine.Up() || n.Runtime == nil {
			continue
		}
		for _, ctr := range n.Runtime.Running() {
			ns, name, uid := ctr.Labels[kubelet.LabelPodNamespace], ctr.Labels[kubelet.LabelPodName], ctr.Labels[kubelet.LabelPodUID]
			set, ord, ok := o.ordinal(ns, name)
			if !ok {
				continue
			}
			key := fmt.Sprintf("%s/%s ordinal %d", ns, set, ord)
			h, taken := seen[key]
			if !taken {
				seen[key] = holder{uid, n.Name}
				continue
			}
			if h.uid != uid {
				return fmt.Errorf("statefulset-ordinals: statefulset %s runs as two pods at once: pod %s uid %s on %s and uid %s on %s; an ordinal must never have two live pods",
					key, name, h.uid, h.node, uid, n.Name)
			}
		}
	}
	return nil
}

// ordinal splits a pod name SET-i of a known StatefulSet of namespace ns.
func (o *ordinalCheck) ordinal(ns, pod string) (set string, ord int, ok bool) {
	i := strings.LastIndexByte(pod, '-')
	if i <= 0 {
		return "", 0, false
	}
	ord, err := strconv.Atoi(pod[i+1:])
	if err != nil || ord < 0 || !o.sets[ns+"/"+pod[:i]] {
		return "", 0, false
	}
	return pod[:i], ord, true
}

// statefulSetsLive checks the liveness promise of every StatefulSet once
// faults are over: ordinals 0..replicas-1 each have a pod Running and
// Ready whose containers really run on its node, nothing above, each at
// the update revision from the partition up, a claim per template and
// ordinal, and a status that says so. It adds every StatefulSet's uid to
// v.owners (the live owners the orphan check then accepts).
func (c *Cluster) statefulSetsLive(v *liveView) error {
	pods, running, owners := v.pods, v.running, v.owners
	ctx := context.Background()
	sets, err := client.For[*api.StatefulSet](c.Admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return err
	}
	if len(sets.Items) == 0 {
		return nil
	}
	for _, s := range sets.Items {
		owners[s.UID] = true
	}
	claims, err := client.For[*api.PersistentVolumeClaim](c.Admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return err
	}
	haveClaim := map[string]bool{}
	for _, cl := range claims.Items {
		haveClaim[cl.Namespace+"/"+cl.Name] = true
	}
	byName := map[string]*api.Pod{}
	for _, p := range pods {
		byName[p.Namespace+"/"+p.Name] = p
	}
	sort.Slice(sets.Items, func(i, j int) bool { return sets.Items[i].Name < sets.Items[j].Name })
	for _, s := range sets.Items {
		if s.DeletionTimestamp != nil {
			continue
		}
		want := 1
		if s.Spec.Replicas != nil {
			want = int(*s.Spec.Replicas)
		}
		partition := 0
		if ru := s.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil && s.Spec.UpdateStrategy.Type != api.StrategyOnDelete {
			partition = int(*ru.Partition)
		}
		st := s.Status
		for i := 0; i < want; i++ {
			name := fmt.Sprintf("%s-%d", s.Name, i)
			p := byName[s.Namespace+"/"+name]
			switch {
			case p == nil:
				return fmt.Errorf("statefulset %s/%s has no pod %s", s.Namespace, s.Name, name)
			case !p.IsControlledBy(s.UID) || p.DeletionTimestamp != nil:
				return fmt.Errorf("statefulset %s/%s: pod %s is not its own live pod (terminating or owned elsewhere)", s.Namespace, s.Name, name)
			case p.Status.Phase != api.PodRunning || !api.IsPodReady(p) || p.Spec.NodeName == "" || running[p.UID] != p.Spec.NodeName:
				return fmt.Errorf("statefulset %s/%s: pod %s is not running and ready on its node (phase %s, node %q)", s.Namespace, s.Name, name, p.Status.Phase, p.Spec.NodeName)
			case p.Spec.Hostname != name || p.Spec.Subdomain != s.Spec.ServiceName:
				return fmt.Errorf("statefulset %s/%s: pod %s has hostname %q and subdomain %q, want %q and %q", s.Namespace, s.Name, name, p.Spec.Hostname, p.Spec.Subdomain, name, s.Spec.ServiceName)
			case i >= partition && s.Spec.UpdateStrategy.Type != api.StrategyOnDelete && p.Labels["controller-revision-hash"] != st.UpdateRevision:
				return fmt.Errorf("statefulset %s/%s: pod %s is at revision %q, not the update revision %q", s.Namespace, s.Name, name, p.Labels["controller-revision-hash"], st.UpdateRevision)
			}
			for _, t := range s.Spec.VolumeClaimTemplates {
				if !haveClaim[s.Namespace+"/"+t.Name+"-"+name] {
					return fmt.Errorf("statefulset %s/%s: pod %s has no claim %s-%s", s.Namespace, s.Name, name, t.Name, name)
				}
			}
		}
		for _, p := range pods {
			if p.IsControlledBy(s.UID) && p.DeletionTimestamp == nil {
				if ord, err := strconv.Atoi(strings.TrimPrefix(p.Name, s.Name+"-")); err != nil || ord >= want {
					return fmt.Errorf("statefulset %s/%s still has pod %s beyond its %d replicas", s.Namespace, s.Name, p.Name, want)
				}
			}
		}
		if st.ObservedGeneration != s.Generation || int(st.Replicas) != want || int(st.ReadyReplicas) != want {
			return fmt.Errorf("statefulset %s/%s reports %d/%d ready of %d (observed generation %d of %d)", s.Namespace, s.Name, st.ReadyReplicas, st.Replicas, want, st.ObservedGeneration, s.Generation)
		}
	}
	return nil
}
