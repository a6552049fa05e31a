package job

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// notSyncedDelay is how long a key waits when the caches are still loading.
const notSyncedDelay = 100 * time.Millisecond

// Condition reasons, as Kubernetes writes them.
const (
	ReasonBackoffLimitExceeded = "BackoffLimitExceeded"
	ReasonDeadlineExceeded     = "DeadlineExceeded"
	ReasonCompleted            = "Completed"
	ReasonSuspended            = "JobSuspended"
	ReasonResumed              = "JobResumed"
)

// Reconcile brings the Job named by key ("namespace/name") one step
// towards its spec: it counts finished pods (tracking.go), decides whether
// the Job is complete or failed, keeps the right number of pods active,
// and writes what it observed to the status. It is level-triggered and
// returns an error to be retried with backoff.
//
// Contract: called on the controller's loop, one key at a time.
func (c *Controller) Reconcile(key string) error {
	if !c.pods.HasSynced() || !c.jobs.HasSynced() {
		c.queue.AddAfter(key, notSyncedDelay)
		return nil
	}
	ns, name := client.SplitKey(key)
	all := c.pods.ByIndex(byJob, key)
	j, ok := c.jobs.Get(ns, name)
	if !ok || j.DeletionTimestamp != nil {
		// The Job is gone (or going): its pods will never be counted, and
		// the garbage collector cannot remove them while they carry the
		// finalizer.
		if !ok {
			c.exp.Forget(key)
		}
		return c.releaseAll(all)
	}
	var owned, strays []*api.Pod
	for _, p := range all {
		if p.IsControlledBy(j.UID) {
			owned = append(owned, p)
		} else {
			strays = append(strays, p) // of an earlier Job of this name
		}
	}
	if err := c.releaseAll(strays); err != nil {
		return err
	}
	if finishedCondition(j) != nil {
		return c.syncFinished(key, j, owned)
	}
	if j.Spec.CompletionMode == api.IndexedCompletion {
		c.recorder.Eventf(j, client.EventWarning, "UnsupportedCompletionMode", "completionMode Indexed is not implemented by tinykube yet; the Job is left alone")
		return nil
	}
	return c.sync(key, j, owned)
}

// sync is Reconcile for a Job that is not finished.
func (c *Controller) sync(key string, j *api.Job, cached []*api.Pod) error {
	satisfied := c.exp.Satisfied(key)
	j, live, err := c.track(j, cached)
	if err != nil {
		return err
	}
	pods := cached
	if live != nil {
		pods = live // fresher
	}
	u := uncountedOf(j)
	var active []*api.Pod
	for _, p := range pods {
		if api.IsPodActive(p) && !u.has(p.UID) {
			active = append(active, p)
		}
	}
	now := c.loop.Now()
	succeeded := j.Status.Succeeded + int32(len(u.succeeded))
	failed := j.Status.Failed + int32(len(u.failed))

	st := api.DeepCopy(j).Status
	st.UncountedTerminatedPods = u.status()
	suspended := j.Spec.Suspend != nil && *j.Spec.Suspend
	var events [][2]string // reason, message: recorded once the status is written

	if !suspended {
		if st.StartTime == nil {
			st.StartTime = api.NewTime(now)
		}
		if cond := st.FindCondition(api.JobSuspended); cond != nil && cond.Status == api.ConditionTrue {
			// Resumed: the deadline counts from now, as in Kubernetes.
			setCondition(&st, api.JobSuspended, api.ConditionFalse, ReasonResumed, "Job resumed", now)
			st.StartTime = api.NewTime(now)
			events = append(events, [2]string{"Resumed", "Job resumed"})
		}
	}

	finish := c.finishReason(j, &st, succeeded, failed, suspended, now)
	var manageErr error
	delta := 0 // pods created (+) or deleted (-) this pass, not yet in the cache
	switch {
	case finish != nil:
		manageErr = c.deletePods(key, j, active)
		if u.len() > 0 || manageErr != nil {
			// Not every finished pod is counted yet: finish on a later pass,
			// with final counts.
			return errors.Join(manageErr, fmt.Errorf("job %s: %d finished pods not yet counted", key, u.len()))
		}
		setCondition(&st, finish.Type, api.ConditionTrue, finish.Reason, finish.Message, now)
		if finish.Type == api.JobComplete {
			st.CompletionTime = api.NewTime(now)
		}
		active = nil
		events = append(events, [2]string{finish.Reason, finish.Message})
	case suspended:
		if satisfied {
			manageErr = c.deletePods(key, j, active)
			if manageErr == nil {
				active = nil
			}
		}
		if cond := st.FindCondition(api.JobSuspended); cond == nil || cond.Status != api.ConditionTrue {
			setCondition(&st, api.JobSuspended, api.ConditionTrue, ReasonSuspended, "Job suspended", now)
			events = append(events, [2]string{"Suspended", "Job suspended"})
		}
	default:
		want := min(*parallelismOf(j), completionsOf(j)-succeeded)
		want = max(want, 0)
		want = capByPods(j, pods, active, want, failed)
		if satisfied {
			delta, manageErr = c.manage(key, j, active, int(want))
		}
	}
	st.Active = int32(len(active) + delta)
	ready := int32(0)
	for _, p := range active {
		if api.IsPodReady(p) {
			ready++
		}
	}
	st.Ready = &ready
	if !reflect.DeepEqual(st, j.Status) {
		out := api.DeepCopy(j)
		out.Status = st
		if _, err := c.writeStatus(out); err != nil {
			if api.IsNotFound(err) {
				return nil
			}
			return errors.Join(manageErr, err)
		}
	}
	for _, ev := range events {
		typ := client.EventNormal
		if ev[0] == ReasonBackoffLimitExceeded || ev[0] == ReasonDeadlineExceeded {
			typ = client.EventWarning
		}
		c.recorder.Eventf(j, typ, ev[0], "%s", ev[1])
	}
	if manageErr != nil {
		return manageErr
	}
	if finish != nil {
		return c.handleTTL(j)
	}
	if d, ok := deadlineLeft(j, &st, suspended, now); ok {
		c.queue.AddAfter(key, d)
	}
	return nil
}

// capByPods keeps a pass from starting pods that the pods themselves show
// are not needed. The Job in the cache can lag the status this controller
// wrote itself: its counts may not yet have the pods that the pods' cache
// already shows finished and counted (finalizer gone). Counting from such a
// Job would start pods for completions already done, or past a backoff
// limit already reached. The pods are a lower bound on the true counts, so
// creations are capped by them; the next pass, on a fresher Job, finishes
// it. Deletions are left as they were.
func capByPods(j *api.Job, pods, active []*api.Pod, want, failed int32) int32 {
	n := int32(len(active))
	if want <= n {
		return want
	}
	var succeededSeen, failedSeen int32
	for _, p := range pods {
		switch p.Status.Phase {
		case api.PodSucceeded:
			succeededSeen++
		case api.PodFailed:
			failedSeen++
		}
	}
	if j.Spec.BackoffLimit != nil && max(failed, failedSeen) > *j.Spec.BackoffLimit {
		return n
	}
	return max(n, min(want, completionsOf(j)-succeededSeen))
}

// finishReason returns the condition that ends the Job now, or nil.
func (c *Controller) finishReason(j *api.Job, st *api.JobStatus, succeeded, failed int32, suspended bool, now time.Time) *api.JobCondition {
	switch {
	case j.Spec.BackoffLimit != nil && failed > *j.Spec.BackoffLimit:
		return &api.JobCondition{Type: api.JobFailed, Reason: ReasonBackoffLimitExceeded, Message: "Job has reached the specified backoff limit"}
	case succeeded >= completionsOf(j):
		return &api.JobCondition{Type: api.JobComplete, Reason: ReasonCompleted, Message: "Job completed"}
	}
	if d, ok := deadlineLeft(j, st, suspended, now); ok && d <= 0 {
		return &api.JobCondition{Type: api.JobFailed, Reason: ReasonDeadlineExceeded, Message: "Job was active longer than specified deadline"}
	}
	return nil
}

// deadlineLeft returns how long the Job has until activeDeadlineSeconds,
// counted from its start time; a suspended Job has no deadline running.
func deadlineLeft(j *api.Job, st *api.JobStatus, suspended bool, now time.Time) (time.Duration, bool) {
	if j.Spec.ActiveDeadlineSeconds == nil || st.StartTime == nil || suspended {
		return 0, false
	}
	return st.StartTime.Add(time.Duration(*j.Spec.ActiveDeadlineSeconds) * time.Second).Sub(now), true
}

// syncFinished: a finished Job keeps no pod running and no finalizer on its
// pods; its TTL, if any, runs.
func (c *Controller) syncFinished(key string, j *api.Job, owned []*api.Pod) error {
	var running []*api.Pod
	for _, p := range owned {
		if api.IsPodActive(p) {
			running = append(running, p)
		}
	}
	err := errors.Join(c.deletePods(key, j, running), c.releaseAll(owned))
	if err != nil {
		return err
	}
	return c.handleTTL(j)
}

// finishedCondition returns j's true Complete or Failed condition, or nil.
func finishedCondition(j *api.Job) *api.JobCondition {
	for i := range j.Status.Conditions {
		cond := &j.Status.Conditions[i]
		if (cond.Type == api.JobComplete || cond.Type == api.JobFailed) && cond.Status == api.ConditionTrue {
			return cond
		}
	}
	return nil
}

func setCondition(st *api.JobStatus, typ string, status api.ConditionStatus, reason, msg string, now time.Time) {
	if cond := st.FindCondition(typ); cond != nil {
		if cond.Status != status {
			cond.LastTransitionTime = api.NewTime(now)
		}
		cond.Status, cond.Reason, cond.Message, cond.LastProbeTime = status, reason, msg, api.NewTime(now)
		return
	}
	st.Conditions = append(st.Conditions, api.JobCondition{Type: typ, Status: status, Reason: reason, Message: msg,
		LastProbeTime: api.NewTime(now), LastTransitionTime: api.NewTime(now)})
}

// completionsOf is spec.completions, 1 when unset: a NonIndexed Job
// without completions is complete once one pod succeeds.
func completionsOf(j *api.Job) int32 {
	if j.Spec.Completions == nil {
		return 1
	}
	return *j.Spec.Completions
}

func parallelismOf(j *api.Job) *int32 {
	if j.Spec.Parallelism == nil {
		one := int32(1)
		return &one
	}
	return j.Spec.Parallelism
}

// manage creates or deletes pods so that len(active) moves to want. It
// returns how many it created (positive) or deleted (negative).
func (c *Controller) manage(key string, j *api.Job, active []*api.Pod, want int) (int, error) {
	diff := want - len(active)
	switch {
	case diff > 0:
		n, err := c.createPods(key, j, diff)
		return n, err
	case diff < 0:
		victims := surplus(active, -diff)
		err := c.deletePods(key, j, victims)
		if err != nil {
			return 0, err
		}
		return -len(victims), nil
	}
	return 0, nil
}

// createPods makes n pods from the template, stopping at the first error.
func (c *Controller) createPods(key string, j *api.Job, n int) (int, error) {
	c.exp.Expect(key, n, nil)
	pods := client.For[*api.Pod](c.client)
	for i := 0; i < n; i++ {
		p, err := pods.Create(context.Background(), podFromTemplate(j), client.WriteOptions{})
		if err != nil {
			for range n - i {
				c.exp.CreationObserved(key)
			}
			c.recorder.Eventf(j, client.EventWarning, "FailedCreate", "Error creating: %v", err)
			return i, fmt.Errorf("job %s: creating pod %d of %d: %w", key, i+1, n, err)
		}
		c.recorder.Eventf(j, client.EventNormal, "SuccessfulCreate", "Created pod: %s", p.Name)
	}
	return n, nil
}

// podFromTemplate is the pod a Job stamps out: the template's labels (which
// the API server made to include the Job's name and uid), annotations and
// spec, a generated name, a controller reference back, and the tracking
// finalizer.
func podFromTemplate(j *api.Job) *api.Pod {
	tmpl := api.DeepCopy(j).Spec.Template
	t := true
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{
			GenerateName: j.Name + "-",
			Namespace:    j.Namespace,
			Labels:       tmpl.Labels,
			Annotations:  tmpl.Annotations,
			OwnerReferences: []api.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: j.Name, UID: j.UID,
				Controller: &t, BlockOwnerDeletion: &t}},
			Finalizers: []string{TrackingFinalizer},
		},
		Spec: tmpl.Spec,
	}
}

// deletePods deletes pods (each once: the uid precondition keeps a delete
// from hitting a namesake).
func (c *Controller) deletePods(key string, j *api.Job, victims []*api.Pod) error {
	if len(victims) == 0 {
		return nil
	}
	podKeys := make([]string, len(victims))
	for i, p := range victims {
		podKeys[i] = client.Key(p)
	}
	c.exp.Expect(key, 0, podKeys)
	var errs []error
	for _, p := range victims {
		// Only the pod as the caller saw it: a cache that lags may show a
		// pod running that has since finished, and a finished pod is the
		// record of the work done (and its logs), not a pod to stop. On a
		// conflict the key is retried once the cache has caught up.
		_, err := client.For[*api.Pod](c.client).Delete(context.Background(), p.Namespace, p.Name, client.DeleteOptions{UID: p.UID, ResourceVersion: p.ResourceVersion})
		if err != nil {
			c.exp.DeletionObserved(key, client.Key(p))
			if api.IsNotFound(err) {
				continue
			}
			if api.IsConflict(err) {
				errs = append(errs, fmt.Errorf("job %s: pod %s changed since it was read; not deleted: %w", key, p.Name, err))
				continue
			}
			c.recorder.Eventf(j, client.EventWarning, "FailedDelete", "Error deleting: %v", err)
			errs = append(errs, fmt.Errorf("job %s: deleting pod %s: %w", key, p.Name, err))
			continue
		}
		c.recorder.Eventf(j, client.EventNormal, "SuccessfulDelete", "Deleted pod: %s", p.Name)
	}
	return errors.Join(errs...)
}

// surplus returns the n active pods to delete first: not yet scheduled,
// then not ready, then the newest, then by name.
func surplus(pods []*api.Pod, n int) []*api.Pod {
	out := append([]*api.Pod(nil), pods...)
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if (x.Spec.NodeName == "") != (y.Spec.NodeName == "") {
			return x.Spec.NodeName == ""
		}
		if rx, ry := api.IsPodReady(x), api.IsPodReady(y); rx != ry {
			return !rx
		}
		if tx, ty := created(x), created(y); !tx.Equal(ty) {
			return tx.After(ty)
		}
		return x.Name < y.Name
	})
	return out[:min(n, len(out))]
}

func created(p *api.Pod) time.Time {
	if p.CreationTimestamp == nil {
		return time.Time{}
	}
	return p.CreationTimestamp.Time
}
