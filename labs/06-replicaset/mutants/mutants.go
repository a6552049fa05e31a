package mutants

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/labs/06-replicaset/reference"
)

// Mutant is one broken answer.
type Mutant struct {
	Name string
	Diff func(*api.ReplicaSet, []*api.Pod) (int, []string)
}

// All are the mutants the checker must kill.
var All = []Mutant{
	{"deletes-ready-first", func(rs *api.ReplicaSet, pods []*api.Pod) (int, []string) {
		return reference.DiffWith(rs, pods, api.IsPodActive, readyFirst)
	}},
	{"counts-terminating-pods", func(rs *api.ReplicaSet, pods []*api.Pod) (int, []string) {
		return reference.DiffWith(rs, pods, notFinished, reference.DeleteFirst)
	}},
	{"creates-one-too-many", func(rs *api.ReplicaSet, pods []*api.Pod) (int, []string) {
		n, del := reference.Diff(rs, pods)
		if n > 0 {
			n++
		}
		return n, del
	}},
	{"deletes-older-first", func(rs *api.ReplicaSet, pods []*api.Pod) (int, []string) {
		return reference.DiffWith(rs, pods, api.IsPodActive, olderFirst)
	}},
	{"ignores-unscheduled", func(rs *api.ReplicaSet, pods []*api.Pod) (int, []string) {
		return reference.DiffWith(rs, pods, api.IsPodActive, scheduledIgnored)
	}},
	{"nil-replicas-is-zero", func(rs *api.ReplicaSet, pods []*api.Pod) (int, []string) {
		if rs.Spec.Replicas == nil {
			zero := int32(0)
			c := *rs
			c.Spec.Replicas = &zero
			rs = &c
		}
		return reference.Diff(rs, pods)
	}},
}

// notFinished counts a terminating pod as if it were still serving.
func notFinished(p *api.Pod) bool {
	return !api.IsPodTerminal(p)
}

// readyFirst deletes ready pods before pods that are not ready.
func readyFirst(a, b *api.Pod) bool {
	if ra, rb := api.IsPodReady(a), api.IsPodReady(b); ra != rb && (a.Spec.NodeName == "") == (b.Spec.NodeName == "") &&
		reference.PhaseRank(a.Status.Phase) == reference.PhaseRank(b.Status.Phase) {
		return ra
	}
	return reference.DeleteFirst(a, b)
}

// olderFirst deletes the pods that have proved themselves first.
func olderFirst(a, b *api.Pod) bool {
	if reference.Restarts(a) == reference.Restarts(b) && api.IsPodReady(a) == api.IsPodReady(b) &&
		(a.Spec.NodeName == "") == (b.Spec.NodeName == "") && reference.PhaseRank(a.Status.Phase) == reference.PhaseRank(b.Status.Phase) {
		if ta, tb := reference.Created(a), reference.Created(b); !ta.Equal(tb) {
			return ta.Before(tb)
		}
	}
	return reference.DeleteFirst(a, b)
}

// scheduledIgnored skips rule 1: an unscheduled pod is judged by its phase
// alone.
func scheduledIgnored(a, b *api.Pod) bool {
	a2, b2 := *a, *b
	a2.Spec.NodeName, b2.Spec.NodeName = "x", "x"
	return reference.DeleteFirst(&a2, &b2)
}
