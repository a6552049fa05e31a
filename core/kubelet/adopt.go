package kubelet

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
)

// Labels the kubelet puts on sandboxes and containers so that it — or a
// kubelet restarted after it — can tell which pod and which container of
// the spec each one runs.
const (
	LabelPodUID        = "tinykube.io/pod-uid"
	LabelPodName       = "tinykube.io/pod-name"
	LabelPodNamespace  = "tinykube.io/pod-namespace"
	LabelContainerName = "tinykube.io/container-name"
	LabelAttempt       = "tinykube.io/attempt"
)

// podView is what the runtime holds for one pod.
type podView struct {
	sandboxes []Sandbox // oldest first
	// containers holds each container name's runs, oldest attempt first.
	containers map[string][]Container
}

// sandbox returns the newest ready sandbox, or nil.
func (v *podView) sandbox() *Sandbox {
	for i := len(v.sandboxes) - 1; i >= 0; i-- {
		if v.sandboxes[i].Ready {
			return &v.sandboxes[i]
		}
	}
	return nil
}

// latest returns the newest run of the named container, or nil.
func (v *podView) latest(name string) *Container {
	runs := v.containers[name]
	if len(runs) == 0 {
		return nil
	}
	return &runs[len(runs)-1]
}

// previous returns the run before the newest, or nil.
func (v *podView) previous(name string) *Container {
	runs := v.containers[name]
	if len(runs) < 2 {
		return nil
	}
	return &runs[len(runs)-2]
}

// all returns every container of the pod, ordered by ID.
func (v *podView) all() []Container {
	var out []Container
	for _, name := range slices.Sorted(maps.Keys(v.containers)) {
		out = append(out, v.containers[name]...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// snapshot lists the runtime and groups what it holds by pod UID, going by
// the labels the kubelet set. Objects without a pod UID label are not the
// kubelet's and are ignored.
func (k *Kubelet) snapshot() (map[string]*podView, error) {
	sandboxes, containers, err := k.runtime.List()
	if err != nil {
		return nil, fmt.Errorf("node %s: listing the runtime: %w", k.cfg.NodeName, err)
	}
	return viewsOf(sandboxes, containers), nil
}

// viewsOf groups a runtime listing by pod uid.
func viewsOf(sandboxes []Sandbox, containers []Container) map[string]*podView {
	views := map[string]*podView{}
	view := func(uid string) *podView {
		v := views[uid]
		if v == nil {
			v = &podView{containers: map[string][]Container{}}
			views[uid] = v
		}
		return v
	}
	sandboxPod := map[string]string{}
	for _, s := range sandboxes {
		uid := s.Labels[LabelPodUID]
		if uid == "" {
			uid = s.PodUID
		}
		if uid == "" {
			continue
		}
		sandboxPod[s.ID] = uid
		view(uid).sandboxes = append(view(uid).sandboxes, s)
	}
	for _, c := range containers {
		uid := c.Labels[LabelPodUID]
		if uid == "" {
			uid = sandboxPod[c.SandboxID]
		}
		if uid == "" {
			continue
		}
		name := c.Labels[LabelContainerName]
		if name == "" {
			name = c.Name
		}
		if a, err := strconv.Atoi(c.Labels[LabelAttempt]); err == nil {
			c.Attempt = a
		}
		v := view(uid)
		v.containers[name] = append(v.containers[name], c)
	}
	for _, v := range views {
		sort.SliceStable(v.sandboxes, func(i, j int) bool { return v.sandboxes[i].Created.Before(v.sandboxes[j].Created) })
		for _, runs := range v.containers {
			sort.SliceStable(runs, func(i, j int) bool { return runs[i].Attempt < runs[j].Attempt })
		}
	}
	return views
}

// view returns what the runtime holds for one pod: from the runtime's
// listing of that pod when it has one (PodLister), else from the node's.
func (k *Kubelet) view(uid string) (*podView, error) {
	var views map[string]*podView
	if pl, ok := k.runtime.(PodLister); ok {
		sandboxes, containers, err := pl.ListPod(uid)
		if err != nil {
			return nil, fmt.Errorf("node %s: listing the runtime for pod %s: %w", k.cfg.NodeName, uid, err)
		}
		views = viewsOf(sandboxes, containers)
	} else {
		var err error
		if views, err = k.snapshot(); err != nil {
			return nil, err
		}
	}
	if v := views[uid]; v != nil {
		return v, nil
	}
	return &podView{containers: map[string][]Container{}}, nil
}

// adopt takes over what the runtime already runs when the kubelet starts:
// it remembers the runtime's state as the relist's starting point. Pods
// find their containers by label when they sync, so nothing that runs is
// started twice; objects of pods that no longer exist are removed once
// the pod informer has synced (removeOrphans).
func (k *Kubelet) adopt() {
	k.pleg = map[string]plegEntry{}
	sandboxes, containers, err := k.runtime.List()
	if err != nil {
		return // the first relist starts from nothing: every pod syncs
	}
	k.pleg = plegRecord(sandboxes, containers)
}

// plegEntry is what the relist remembers of one runtime object.
type plegEntry struct {
	podUID string
	state  string
}

func plegRecord(sandboxes []Sandbox, containers []Container) map[string]plegEntry {
	rec := map[string]plegEntry{}
	for _, s := range sandboxes {
		rec[s.ID] = plegEntry{podUID: s.Labels[LabelPodUID], state: fmt.Sprintf("sandbox ready=%v", s.Ready)}
	}
	for _, c := range containers {
		rec[c.ID] = plegEntry{podUID: c.Labels[LabelPodUID], state: string(c.State)}
	}
	return rec
}

// relist is the kubelet's PLEG: it lists the runtime, queues every pod
// one of whose sandboxes or containers appeared, changed state or
// vanished since the last relist, and removes orphans.
func (k *Kubelet) relist() {
	sandboxes, containers, err := k.runtime.List()
	if err != nil {
		return
	}
	k.reportRunning(sandboxes, containers)
	now := plegRecord(sandboxes, containers)
	changed := map[string]bool{}
	for id, rec := range now {
		if k.pleg[id] != rec {
			changed[rec.podUID] = true
		}
	}
	for id, rec := range k.pleg {
		if _, ok := now[id]; !ok {
			changed[rec.podUID] = true
		}
	}
	k.pleg = now
	for _, uid := range slices.Sorted(maps.Keys(changed)) {
		if key, ok := k.uidKey[uid]; ok {
			k.queue.Add(key)
		}
	}
	k.removeOrphansIn(viewsOf(sandboxes, containers))
}

// removeOrphans stops and removes the sandboxes and containers of pods
// that are not bound to this node any more (deleted while the kubelet was
// away, or force-deleted). It does nothing until the pod informer has
// synced: before that every pod would look like an orphan.
func (k *Kubelet) removeOrphans() {
	if k.stopped || !k.pods.HasSynced() {
		return
	}
	views, err := k.snapshot()
	if err != nil {
		return
	}
	k.removeOrphansIn(views)
}

// removeOrphansIn is removeOrphans over a listing already taken.
func (k *Kubelet) removeOrphansIn(views map[string]*podView) {
	if k.stopped || !k.pods.HasSynced() {
		return
	}
	for _, uid := range slices.Sorted(maps.Keys(views)) {
		if _, ok := k.uidKey[uid]; ok {
			continue
		}
		if k.cfg.Workers != nil {
			// On the pod's worker, after whatever it still does for the
			// pod, and once however many relists and syncs find it.
			k.onPodWorker(views[uid].podKey(uid), taskOrphan, func() { k.removeOrphan(uid) })
			continue
		}
		if k.teardown(uid, views[uid], 0) {
			k.forgetPod(uid)
		}
	}
}

// removeOrphan tears down what the runtime holds for pod uid, from a
// listing of its own, unless the pod came back meanwhile.
//
// Contract: runs on the pod's worker (removeOrphansIn).
func (k *Kubelet) removeOrphan(uid string) {
	if _, ok := k.uidKey[uid]; ok || k.stopped {
		return
	}
	v, err := k.view(uid)
	if err != nil {
		return
	}
	if k.teardown(uid, v, 0) {
		k.forgetPod(uid)
	}
}

// podKey names the pod a view's objects were made for
// ("namespace/name", from their labels), so an orphan's removal goes to
// the worker of the pod it was; "orphan/UID" when no label says.
func (v *podView) podKey(uid string) string {
	var labels []map[string]string
	for _, s := range v.sandboxes {
		labels = append(labels, s.Labels)
	}
	for _, c := range v.all() {
		labels = append(labels, c.Labels)
	}
	for _, l := range labels {
		if l[LabelPodName] != "" {
			return l[LabelPodNamespace] + "/" + l[LabelPodName]
		}
	}
	return "orphan/" + uid
}

// teardown stops every container of a pod with grace and, once all have
// exited, stops and removes the sandboxes and containers. It reports
// whether nothing is left.
func (k *Kubelet) teardown(uid string, v *podView, grace int64) bool {
	st := k.podState(uid)
	done := true
	for _, c := range v.all() {
		if c.State == StateExited {
			continue
		}
		done = false
		if g, asked := st.stopping[c.ID]; !asked || grace < g {
			if err := k.runtime.StopContainer(c.ID, secondsDuration(grace)); err == nil {
				st.stopping[c.ID] = grace
			}
		}
	}
	if !done {
		return false
	}
	for _, c := range v.all() {
		k.runtime.RemoveContainer(c.ID)
	}
	for _, s := range v.sandboxes {
		if s.Ready {
			k.runtime.StopSandbox(s.ID)
		}
		k.runtime.RemoveSandbox(s.ID)
	}
	k.teardownVolumes(uid)
	return true
}
