package reference

import (
	"sort"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// Diff is the contract of student.Diff.
func Diff(rs *api.ReplicaSet, pods []*api.Pod) (int, []string) {
	return DiffWith(rs, pods, api.IsPodActive, DeleteFirst)
}

// DiffWith is Diff with the rule for which pods count and the order of
// deletion given.
func DiffWith(rs *api.ReplicaSet, pods []*api.Pod, active func(*api.Pod) bool, deleteFirst func(a, b *api.Pod) bool) (int, []string) {
	want := 1
	if rs.Spec.Replicas != nil {
		want = int(*rs.Spec.Replicas)
	}
	var act []*api.Pod
	for _, p := range pods {
		if active(p) {
			act = append(act, p)
		}
	}
	if len(act) <= want {
		return want - len(act), nil
	}
	sort.SliceStable(act, func(i, j int) bool { return deleteFirst(act[i], act[j]) })
	var names []string
	for _, p := range act[:len(act)-want] {
		names = append(names, p.Name)
	}
	return 0, names
}

// DeleteFirst reports whether a is to be deleted before b.
func DeleteFirst(a, b *api.Pod) bool {
	if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
		return a.Spec.NodeName == ""
	}
	if ra, rb := PhaseRank(a.Status.Phase), PhaseRank(b.Status.Phase); ra != rb {
		return ra < rb
	}
	if ra, rb := api.IsPodReady(a), api.IsPodReady(b); ra != rb {
		return !ra
	}
	if ra, rb := Restarts(a), Restarts(b); ra != rb {
		return ra > rb
	}
	if ta, tb := Created(a), Created(b); !ta.Equal(tb) {
		return ta.After(tb)
	}
	return a.Name < b.Name
}

// PhaseRank orders phases from least to most valuable.
func PhaseRank(p api.PodPhase) int {
	switch p {
	case api.PodPending, "":
		return 0
	case api.PodUnknown:
		return 1
	case api.PodRunning:
		return 2
	}
	return 3
}

// Restarts is the highest restart count of p's containers.
func Restarts(p *api.Pod) int32 {
	var most int32
	for _, cs := range p.Status.ContainerStatuses {
		most = max(most, cs.RestartCount)
	}
	return most
}

// Created is p's creation time, the zero time if unset.
func Created(p *api.Pod) time.Time {
	if p.CreationTimestamp == nil {
		return time.Time{}
	}
	return p.CreationTimestamp.Time
}
