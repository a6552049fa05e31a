package mutants

import (
	"context"
	"errors"
	"reflect"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/manager"
)

// naiveJob is the Job controller one writes first. Each pass it adds the
// finished pods its cache shows to the Job's counts, writes the status,
// then deletes those pods so that it will not count them again — and it
// keeps parallelism pods running until completions succeeded or
// backoffLimit failed.
//
// The mistake is in "so that it will not count them again": between the
// status write and the deletes nothing records which pods were counted.
// When the status write's answer is lost (it took effect, the controller
// does not know) the pass is retried on a cache that shows the new counts
// and the same pods; a controller restarted between the two steps sees
// the same. Either way a pod is counted twice. The real controller
// (core/controller/job) holds every pod with a finalizer and records the
// pods it is about to count in status.uncountedTerminatedPods first.
type naiveJob struct {
	cfg   manager.Config
	jobs  *client.Informer[*api.Job]
	pods  *client.Informer[*api.Pod]
	queue *client.Queue
}

const byJobUID = "jobUID"

func startNaiveJob(cfg manager.Config) manager.Running {
	c := &naiveJob{cfg: cfg}
	c.jobs = client.NewInformer[*api.Job](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods.AddIndex(byJobUID, func(p *api.Pod) []string {
		if ref := p.ControllerRef(); ref != nil && ref.Kind == "Job" {
			return []string{ref.UID}
		}
		return nil
	})
	c.queue = client.NewQueue(cfg.Loop, c.reconcile)
	c.jobs.AddHandlers(client.EnqueueKeys[*api.Job](c.queue))
	enqueueOwner := func(p *api.Pod) {
		if ref := p.ControllerRef(); ref != nil && ref.Kind == "Job" {
			c.queue.Add(client.KeyFor(p.Namespace, ref.Name))
		}
	}
	c.pods.AddHandlers(client.Handlers[*api.Pod]{Add: enqueueOwner, Update: func(_, p *api.Pod) { enqueueOwner(p) }, Delete: enqueueOwner})
	c.pods.Start()
	c.jobs.Start()
	return c
}

func (c *naiveJob) Stop() {
	c.queue.Stop()
	c.jobs.Stop()
	c.pods.Stop()
}

// reconcile counts, deletes what it counted, then finishes the Job or
// tops its pods up. Runs on the controller manager's loop.
func (c *naiveJob) reconcile(key string) error {
	if !c.jobs.HasSynced() || !c.pods.HasSynced() {
		c.queue.AddAfter(key, 100*time.Millisecond)
		return nil
	}
	ns, name := client.SplitKey(key)
	j, ok := c.jobs.Get(ns, name)
	if !ok || j.DeletionTimestamp != nil || finishedJob(j) {
		return nil
	}
	var counted []*api.Pod
	active := 0
	st := api.DeepCopy(j).Status
	for _, p := range c.pods.ByIndex(byJobUID, j.UID) {
		switch {
		case p.DeletionTimestamp != nil:
		case p.Status.Phase == api.PodSucceeded:
			st.Succeeded++
			counted = append(counted, p)
		case p.Status.Phase == api.PodFailed:
			st.Failed++
			counted = append(counted, p)
		default:
			active++
		}
	}
	now := c.cfg.Loop.Now()
	if st.StartTime == nil {
		st.StartTime = api.NewTime(now)
	}
	completions := int32(1)
	if j.Spec.Completions != nil {
		completions = *j.Spec.Completions
	}
	backoffLimit := int32(6)
	if j.Spec.BackoffLimit != nil {
		backoffLimit = *j.Spec.BackoffLimit
	}
	switch {
	case st.Succeeded >= completions:
		st.Conditions = append(st.Conditions, api.JobCondition{Type: api.JobComplete, Status: api.ConditionTrue, Reason: "Completed",
			LastProbeTime: api.NewTime(now), LastTransitionTime: api.NewTime(now)})
		st.CompletionTime = api.NewTime(now)
	case st.Failed > backoffLimit:
		st.Conditions = append(st.Conditions, api.JobCondition{Type: api.JobFailed, Status: api.ConditionTrue, Reason: "BackoffLimitExceeded",
			LastProbeTime: api.NewTime(now), LastTransitionTime: api.NewTime(now)})
	}
	st.Active = int32(active)
	out := api.DeepCopy(j)
	out.Status = st
	if !reflect.DeepEqual(st, j.Status) {
		if _, err := client.For[*api.Job](c.cfg.Client).UpdateStatus(context.Background(), out, client.WriteOptions{}); err != nil {
			return err
		}
	}
	var errs []error
	for _, p := range counted { // the mistake: counted above, forgotten only now
		_, err := client.For[*api.Pod](c.cfg.Client).Delete(context.Background(), p.Namespace, p.Name, client.DeleteOptions{UID: p.UID})
		if err != nil && !api.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	if finishedJob(out) {
		return errors.Join(errs...)
	}
	parallelism := int32(1)
	if j.Spec.Parallelism != nil {
		parallelism = *j.Spec.Parallelism
	}
	for range min(parallelism, completions-st.Succeeded) - int32(active) {
		if _, err := client.For[*api.Pod](c.cfg.Client).Create(context.Background(), podOf(j), client.WriteOptions{}); err != nil {
			errs = append(errs, err)
			break
		}
	}
	return errors.Join(errs...)
}

func finishedJob(j *api.Job) bool {
	for _, cond := range j.Status.Conditions {
		if (cond.Type == api.JobComplete || cond.Type == api.JobFailed) && cond.Status == api.ConditionTrue {
			return true
		}
	}
	return false
}

// podOf is a pod of j's template, owned by j.
func podOf(j *api.Job) *api.Pod {
	tmpl := api.DeepCopy(j).Spec.Template
	t := true
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{
			GenerateName: j.Name + "-", Namespace: j.Namespace, Labels: tmpl.Labels, Annotations: tmpl.Annotations,
			OwnerReferences: []api.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: j.Name, UID: j.UID, Controller: &t, BlockOwnerDeletion: &t}},
		},
		Spec: tmpl.Spec,
	}
}
