package replicasetlab

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// shape says what a generated pod set may contain.
type shape struct {
	// surplus makes more active pods than replicas.
	surplus bool
	// inactive adds pods being deleted or finished.
	inactive bool
}

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func generate(r *rand.Rand, s shape) (*api.ReplicaSet, []*api.Pod) {
	n := r.IntN(9)
	if s.surplus {
		n = 3 + r.IntN(8)
	}
	pods := make([]*api.Pod, 0, n)
	seen := map[string]bool{}
	for len(pods) < n {
		name := "web-" + suffix(r)
		if seen[name] {
			continue
		}
		seen[name] = true
		pods = append(pods, genPod(r, name, s.inactive && r.IntN(4) == 0))
	}
	active := 0
	for _, p := range pods {
		if isActive(p) {
			active++
		}
	}
	var replicas *int32
	switch {
	case s.surplus && active > 0:
		v := int32(r.IntN(active))
		replicas = &v
	case r.IntN(8) == 0:
		// nil: one replica
	default:
		v := int32(r.IntN(9))
		replicas = &v
	}
	rs := &api.ReplicaSet{
		ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default", UID: "rs-web"},
		Spec: api.ReplicaSetSpec{
			Replicas: replicas,
			Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		},
	}
	return rs, pods
}

// suffix is a short random name suffix, as Kubernetes' generateName
// gives, so name order is unrelated to creation order.
func suffix(r *rand.Rand) string {
	const letters = "bcdfghjklmnpqrstvwxz2456789"
	var b strings.Builder
	for range 3 {
		b.WriteByte(letters[r.IntN(len(letters))])
	}
	return b.String()
}

// genPod draws a pod in a state a real one can be in: an unscheduled pod is
// Pending and not ready; a scheduled one is in any phase.
func genPod(r *rand.Rand, name string, inactive bool) *api.Pod {
	p := &api.Pod{ObjectMeta: api.ObjectMeta{
		Name: name, Namespace: "default", Labels: map[string]string{"app": "web"},
	}}
	// A few creation times only, so ties are common; now and then none.
	if r.IntN(10) > 0 {
		p.CreationTimestamp = &api.Time{Time: epoch.Add(time.Duration(r.IntN(4)) * time.Minute)}
	}
	if r.IntN(5) == 0 {
		p.Status.Phase = pick(r, []api.PodPhase{api.PodPending, ""})
	} else {
		p.Spec.NodeName = pick(r, []string{"n-1", "n-2", "n-3"})
		p.Status.Phase = pick(r, []api.PodPhase{api.PodPending, api.PodUnknown, api.PodRunning, api.PodRunning, api.PodRunning})
		if p.Status.Phase != api.PodPending {
			status := pick(r, []api.ConditionStatus{api.ConditionTrue, api.ConditionTrue, api.ConditionFalse})
			p.Status.Conditions = []api.PodCondition{{Type: api.PodReady, Status: status}}
		}
		for i := range 1 + r.IntN(2) {
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, api.ContainerStatus{
				Name: fmt.Sprintf("c%d", i), RestartCount: int32(pick(r, []int{0, 0, 1, 2})),
			})
		}
	}
	if inactive {
		if r.IntN(2) == 0 {
			p.DeletionTimestamp = &api.Time{Time: epoch.Add(10 * time.Minute)}
		} else {
			p.Spec.NodeName = pick(r, []string{"n-1", "n-2", "n-3"})
			p.Status.Phase = pick(r, []api.PodPhase{api.PodSucceeded, api.PodFailed})
			p.Status.Conditions = []api.PodCondition{{Type: api.PodReady, Status: api.ConditionFalse}}
		}
	}
	return p
}

// describe lists rs and its pods, one line each, in the order Diff got
// them.
func describe(rs *api.ReplicaSet, pods []*api.Pod) string {
	var b strings.Builder
	if rs.Spec.Replicas == nil {
		b.WriteString("replicas nil (means 1)")
	} else {
		fmt.Fprintf(&b, "replicas %d", *rs.Spec.Replicas)
	}
	fmt.Fprintf(&b, ", %d pods:", len(pods))
	for _, p := range pods {
		node := p.Spec.NodeName
		if node == "" {
			node = "unscheduled"
		}
		phase := string(p.Status.Phase)
		if phase == "" {
			phase = `""`
		}
		ready := "not ready"
		if api.IsPodReady(p) {
			ready = "ready"
		}
		created := "created nil"
		if p.CreationTimestamp != nil {
			created = "created " + p.CreationTimestamp.Format("15:04")
		}
		fmt.Fprintf(&b, "\n  %s  %-11s %-9s %-9s restarts %d  %s", p.Name, node, phase, ready, restartsOf(p), created)
		if p.DeletionTimestamp != nil {
			b.WriteString("  DELETING")
		}
	}
	return b.String()
}
