package replicasetlab

import (
	"cmp"
	"slices"

	"github.com/tinykube/tinykube/core/api"
)

// The checker's own answer, written apart from the reference (ranks
// compared as tuples instead of a chain of ifs) so that one mistake in
// either would show as a disagreement in the checker's tests.

func isActive(p *api.Pod) bool {
	switch {
	case p.DeletionTimestamp != nil:
		return false
	case p.Status.Phase == api.PodSucceeded, p.Status.Phase == api.PodFailed:
		return false
	}
	return true
}

func restartsOf(p *api.Pod) int32 {
	var most int32
	for _, cs := range p.Status.ContainerStatuses {
		most = max(most, cs.RestartCount)
	}
	return most
}

// rank is a pod's value: the pod with the lowest rank is deleted first.
type rank struct {
	scheduled, phase, ready int
	fewerRestarts           int32
	age                     int64 // nanoseconds before the epoch of creation
	name                    string
}

func rankOf(p *api.Pod) rank {
	r := rank{fewerRestarts: -restartsOf(p), name: p.Name}
	if p.Spec.NodeName != "" {
		r.scheduled = 1
	}
	switch p.Status.Phase {
	case api.PodUnknown:
		r.phase = 1
	case api.PodRunning:
		r.phase = 2
	}
	if api.IsPodReady(p) {
		r.ready = 1
	}
	if p.CreationTimestamp == nil {
		r.age = 1 << 62 // older than anything
	} else {
		r.age = -p.CreationTimestamp.UnixNano()
	}
	return r
}

func compareRank(a, b rank) int {
	return cmp.Or(
		cmp.Compare(a.scheduled, b.scheduled),
		cmp.Compare(a.phase, b.phase),
		cmp.Compare(a.ready, b.ready),
		cmp.Compare(a.fewerRestarts, b.fewerRestarts),
		cmp.Compare(a.age, b.age),
		cmp.Compare(a.name, b.name),
	)
}

func expected(rs *api.ReplicaSet, pods []*api.Pod) (int, []string) {
	want := 1
	if rs.Spec.Replicas != nil {
		want = int(*rs.Spec.Replicas)
	}
	var ranks []rank
	for _, p := range pods {
		if isActive(p) {
			ranks = append(ranks, rankOf(p))
		}
	}
	if len(ranks) <= want {
		return want - len(ranks), nil
	}
	slices.SortFunc(ranks, compareRank)
	var names []string
	for _, r := range ranks[:len(ranks)-want] {
		names = append(names, r.name)
	}
	return 0, names
}
