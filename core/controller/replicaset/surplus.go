package replicaset

import (
	"sort"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// surplus returns the n pods to delete first, in Kubernetes' order of
// least value (controller.ActivePods): a pod that is further from serving
// goes first, so scaling down costs as little running capacity as possible.
//
//  1. not yet scheduled before scheduled;
//  2. Pending before Unknown before Running;
//  3. not ready before ready;
//  4. more container restarts before fewer (it is likelier to be broken);
//  5. newer before older (an old pod has proved itself);
//  6. by name, so that the choice is the same every run.
func surplus(pods []*api.Pod, n int) []*api.Pod {
	out := append([]*api.Pod(nil), pods...)
	sort.SliceStable(out, func(i, j int) bool { return deleteFirst(out[i], out[j]) })
	if n > len(out) {
		n = len(out)
	}
	return out[:n]
}

// deleteFirst reports whether a should be deleted before b.
func deleteFirst(a, b *api.Pod) bool {
	if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
		return a.Spec.NodeName == ""
	}
	if ra, rb := phaseRank(a.Status.Phase), phaseRank(b.Status.Phase); ra != rb {
		return ra < rb
	}
	if ra, rb := api.IsPodReady(a), api.IsPodReady(b); ra != rb {
		return !ra
	}
	if ra, rb := restarts(a), restarts(b); ra != rb {
		return ra > rb
	}
	ta, tb := created(a), created(b)
	if !ta.Equal(tb) {
		return ta.After(tb)
	}
	return a.Name < b.Name
}

func phaseRank(p api.PodPhase) int {
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

// restarts is the highest restart count of the pod's containers.
func restarts(p *api.Pod) int32 {
	var most int32
	for _, cs := range p.Status.ContainerStatuses {
		most = max(most, cs.RestartCount)
	}
	return most
}

func created(p *api.Pod) time.Time {
	if p.CreationTimestamp == nil {
		return time.Time{}
	}
	return p.CreationTimestamp.Time
}
