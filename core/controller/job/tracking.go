package job

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// TrackingFinalizer is on every pod the controller creates, until the pod
// has been counted (or will never be): the API server keeps a deleted pod
// while it is there, so a finished pod cannot vanish before it is counted.
const TrackingFinalizer = "batch.kubernetes.io/job-tracking"

// uncounted is a Job's status.uncountedTerminatedPods as sets.
type uncounted struct{ succeeded, failed map[string]bool }

func uncountedOf(j *api.Job) uncounted {
	u := uncounted{succeeded: map[string]bool{}, failed: map[string]bool{}}
	if x := j.Status.UncountedTerminatedPods; x != nil {
		for _, uid := range x.Succeeded {
			u.succeeded[uid] = true
		}
		for _, uid := range x.Failed {
			u.failed[uid] = true
		}
	}
	return u
}

func (u uncounted) has(uid string) bool { return u.succeeded[uid] || u.failed[uid] }
func (u uncounted) len() int            { return len(u.succeeded) + len(u.failed) }

// status returns u as a status field: nil when empty, uids sorted.
func (u uncounted) status() *api.UncountedTerminatedPods {
	if u.len() == 0 {
		return nil
	}
	return &api.UncountedTerminatedPods{Succeeded: sortedKeys(u.succeeded), Failed: sortedKeys(u.failed)}
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// lost reports whether p was deleted before it finished, and its deletion
// is confirmed (by its kubelet, or forced): it will never finish, and it is
// not counted — a pod the controller deleted (suspend, surplus, the Job
// finished) is not a failure of the workload, nor is a pod evicted from a
// lost node. Kubernetes counts such pods as failed unless a
// podFailurePolicy says otherwise.
func lost(p *api.Pod) bool {
	return p.DeletionTimestamp != nil && !api.IsPodTerminal(p) &&
		(p.DeletionGracePeriodSeconds == nil || *p.DeletionGracePeriodSeconds == 0)
}

// track counts j's finished pods, exactly once each, in the three steps of
// the protocol (see doc.go). It returns the Job as last written and, when
// it had work to do, the Job's pods as the API server listed them (nil
// otherwise: the cache is then good enough).
//
// Why it lists pods from the API server instead of trusting the cache:
// after step 3 the Job's cache may show a pod counted while the pod's cache
// still shows its finalizer (the two informers lag independently, and a
// restarted controller lists pods before Jobs). Step 1 would then count it
// again. A pod listed after the Job was read, still carrying the finalizer,
// cannot have been counted in that Job (the finalizer goes before the
// count, and never comes back), and the step-1 write is conditional on the
// Job's resourceVersion. The list costs one request per sync that has a
// finished pod to count.
func (c *Controller) track(j *api.Job, cached []*api.Pod) (*api.Job, []*api.Pod, error) {
	u := uncountedOf(j)
	need := u.len() > 0
	for _, p := range cached {
		if p.HasFinalizer(TrackingFinalizer) && (api.IsPodTerminal(p) || lost(p)) {
			need = true
		}
	}
	if !need {
		return j, nil, nil
	}
	live, err := c.livePods(j)
	if err != nil {
		return j, nil, err
	}
	if p := behindCache(cached, live); p != nil {
		// An API server whose cache lags (or a restarted controller that
		// reached a lagging one) can list a pod as it was before the
		// cache saw it finish. Counting from that list would count
		// nothing and, with no event left to come, never look again.
		return j, nil, fmt.Errorf("job %s/%s: the API server listed pod %s as still running, but it has finished: the list is older than the cache; retrying", j.Namespace, j.Name, p.Name)
	}

	// Step 1: record newly finished pods as uncounted. Successes beyond
	// completions are not recorded: status.succeeded never exceeds
	// completions (a surplus pod can succeed when a create's answer was
	// lost and the controller made another).
	room := completionsOf(j) - j.Status.Succeeded - int32(len(u.succeeded))
	next := uncountedOf(j)
	for _, p := range live {
		if !p.HasFinalizer(TrackingFinalizer) || u.has(p.UID) {
			continue
		}
		switch {
		case p.Status.Phase == api.PodSucceeded && room > 0:
			next.succeeded[p.UID] = true
			room--
		case p.Status.Phase == api.PodFailed:
			next.failed[p.UID] = true
		}
	}
	if next.len() > u.len() {
		out := api.DeepCopy(j)
		out.Status.UncountedTerminatedPods = next.status()
		if j, err = c.writeStatus(out); err != nil {
			return j, nil, err
		}
		u = next
	}

	// Step 2: remove the finalizer of every recorded pod, and of pods that
	// will never be counted (surplus successes, lost pods).
	released := map[string]bool{}
	var errs []error
	for _, p := range live {
		if !p.HasFinalizer(TrackingFinalizer) {
			released[p.UID] = true
			continue
		}
		if !u.has(p.UID) && !api.IsPodTerminal(p) && !lost(p) {
			continue // still running
		}
		if err := c.removeFinalizer(p); err != nil {
			errs = append(errs, err)
			continue
		}
		released[p.UID] = true
	}
	present := map[string]bool{}
	for _, p := range live {
		present[p.UID] = true
	}

	// Step 3: count the recorded pods whose finalizer is gone (a pod that
	// no longer exists has no finalizer).
	out := api.DeepCopy(j)
	moved := 0
	for _, uid := range sortedKeys(u.succeeded) {
		if released[uid] || !present[uid] {
			delete(u.succeeded, uid)
			out.Status.Succeeded++
			moved++
		}
	}
	for _, uid := range sortedKeys(u.failed) {
		if released[uid] || !present[uid] {
			delete(u.failed, uid)
			out.Status.Failed++
			moved++
		}
	}
	if moved > 0 {
		out.Status.UncountedTerminatedPods = u.status()
		var err error
		if j, err = c.writeStatus(out); err != nil {
			errs = append(errs, err)
		}
	}
	return j, live, errors.Join(errs...)
}

// behindCache returns a pod that the cache shows finished (or lost) and
// still to be counted, but that live shows running: live is older than the
// cache. nil when live is at least as fresh for every such pod.
func behindCache(cached, live []*api.Pod) *api.Pod {
	byUID := map[string]*api.Pod{}
	for _, p := range live {
		byUID[p.UID] = p
	}
	for _, p := range cached {
		if !p.HasFinalizer(TrackingFinalizer) || !(api.IsPodTerminal(p) || lost(p)) {
			continue
		}
		if lp, ok := byUID[p.UID]; ok && lp.HasFinalizer(TrackingFinalizer) && !api.IsPodTerminal(lp) && !lost(lp) {
			return p
		}
	}
	return nil
}

// livePods lists j's pods from the API server.
func (c *Controller) livePods(j *api.Job) ([]*api.Pod, error) {
	sel, err := api.SelectorFromLabelSelector(j.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("job %s/%s: spec.selector: %w", j.Namespace, j.Name, err)
	}
	l, err := client.For[*api.Pod](c.client).List(context.Background(), j.Namespace, client.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, fmt.Errorf("job %s/%s: listing its pods: %w", j.Namespace, j.Name, err)
	}
	var out []*api.Pod
	for _, p := range l.Items {
		if p.IsControlledBy(j.UID) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out, nil
}

// writeStatus updates j's status, conditional on its resourceVersion, and
// returns the Job as stored.
func (c *Controller) writeStatus(j *api.Job) (*api.Job, error) {
	out, err := client.For[*api.Job](c.client).UpdateStatus(context.Background(), j, client.WriteOptions{})
	if err != nil {
		return j, fmt.Errorf("job %s/%s: updating status: %w", j.Namespace, j.Name, err)
	}
	return out, nil
}

// removeFinalizer removes TrackingFinalizer from p with a merge patch
// conditional on p's resourceVersion; on a conflict it rereads p once. A
// pod that is gone, or has no such finalizer any more, is done.
func (c *Controller) removeFinalizer(p *api.Pod) error {
	pods := client.For[*api.Pod](c.client)
	for attempt := 0; ; attempt++ {
		if !p.HasFinalizer(TrackingFinalizer) {
			return nil
		}
		fins := slices.DeleteFunc(slices.Clone(p.Finalizers), func(f string) bool { return f == TrackingFinalizer })
		meta := map[string]any{"resourceVersion": p.ResourceVersion, "finalizers": fins}
		if len(fins) == 0 {
			meta["finalizers"] = nil
		}
		body, err := json.Marshal(map[string]any{"metadata": meta})
		if err != nil {
			return err
		}
		_, err = pods.Patch(context.Background(), p.Namespace, p.Name, rest.ContentMergePatch, body, "", client.WriteOptions{})
		switch {
		case err == nil, api.IsNotFound(err):
			return nil
		case api.IsConflict(err) && attempt == 0:
			fresh, gerr := pods.Get(context.Background(), p.Namespace, p.Name)
			if api.IsNotFound(gerr) {
				return nil
			}
			if gerr != nil {
				return fmt.Errorf("pod %s/%s: rereading it to remove finalizer %s: %w", p.Namespace, p.Name, TrackingFinalizer, gerr)
			}
			if fresh.UID != p.UID {
				return nil // replaced: the one we meant is gone
			}
			p = fresh
		default:
			return fmt.Errorf("pod %s/%s: removing finalizer %s: %w", p.Namespace, p.Name, TrackingFinalizer, err)
		}
	}
}

// releaseAll removes TrackingFinalizer from every pod in pods: they belong
// to a Job that is finished or gone, and will never be counted.
func (c *Controller) releaseAll(pods []*api.Pod) error {
	var errs []error
	for _, p := range pods {
		if err := c.removeFinalizer(p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
