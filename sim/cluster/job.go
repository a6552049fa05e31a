package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/store"
	simruntime "github.com/tinykube/tinykube/sim/runtime"
)

// jobFacts is what the job-completions invariant knows, from the store
// alone: for every Job (by uid) the distinct pods it controls that were
// ever seen Succeeded, and the last status.succeeded it wrote. It does not
// ask the Job controller anything: a controller that counts a pod twice
// reports more successes than there were successful pods.
type jobFacts struct {
	succeededPods map[string]map[string]bool // job uid -> pod uids seen Succeeded
	lastSucceeded map[string]int32           // job uid -> status.succeeded
}

// jobPod notes a pod of a Job seen Succeeded, for job-completions.
func (c *checker) jobPod(p *api.Pod, deleted bool) {
	if !c.enabled["job-completions"] || deleted || p.Status.Phase != api.PodSucceeded {
		return
	}
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != "Job" {
		return
	}
	f := c.jobFacts()
	if f.succeededPods[ref.UID] == nil {
		f.succeededPods[ref.UID] = map[string]bool{}
	}
	f.succeededPods[ref.UID][p.UID] = true
}

func (c *checker) jobFacts() *jobFacts {
	if c.jobs == nil {
		c.jobs = &jobFacts{succeededPods: map[string]map[string]bool{}, lastSucceeded: map[string]int32{}}
	}
	return c.jobs
}

// jobEvent checks a Job write for job-completions.
func (c *checker) jobEvent(ev store.Event) {
	if !c.enabled["job-completions"] {
		return
	}
	f := c.jobFacts()
	var j api.Job
	if ev.Type == store.EventDelete {
		if ev.Prev != nil && json.Unmarshal(ev.Prev.Value, &j) == nil {
			delete(f.succeededPods, j.UID)
			delete(f.lastSucceeded, j.UID)
		}
		return
	}
	if json.Unmarshal(ev.KV.Value, &j) != nil {
		return
	}
	key := j.Namespace + "/" + j.Name
	got := j.Status.Succeeded
	seen := int32(len(f.succeededPods[j.UID]))
	completions := int32(1)
	if j.Spec.Completions != nil {
		completions = *j.Spec.Completions
	}
	switch last := f.lastSucceeded[j.UID]; {
	case got < last:
		c.err = fmt.Errorf("job-completions: job %s reports %d succeeded pods after reporting %d; the count must never go down", key, got, last)
	case got > seen:
		c.err = fmt.Errorf("job-completions: job %s reports %d succeeded pods, but only %d distinct pods of it have ever succeeded: a pod was counted twice", key, got, seen)
	case got > completions:
		c.err = fmt.Errorf("job-completions: job %s reports %d succeeded pods, more than its %d completions", key, got, completions)
	}
	f.lastSucceeded[j.UID] = got
	return
}

// jobsLive checks that every Job is finished once the faults are over:
// Failed if its pods are scripted to exit with a non-zero code, Complete
// with succeeded == completions otherwise.
func (c *Cluster) jobsLive(*liveView) error {
	jobs, err := client.For[*api.Job](c.Admin).List(context.Background(), "", client.ListOptions{})
	if err != nil {
		return err
	}
	for _, j := range jobs.Items {
		if j.DeletionTimestamp != nil || (j.Spec.Suspend != nil && *j.Spec.Suspend) {
			continue
		}
		key := j.Namespace + "/" + j.Name
		cond := func(t string) bool {
			x := j.Status.FindCondition(t)
			return x != nil && x.Status == api.ConditionTrue
		}
		completions := int32(1)
		if j.Spec.Completions != nil {
			completions = *j.Spec.Completions
		}
		if scriptedToFail(&j.Spec.Template) {
			if !cond(api.JobFailed) {
				return fmt.Errorf("job %s, whose pods always fail, is not Failed (%d failed, %d active)", key, j.Status.Failed, j.Status.Active)
			}
			continue
		}
		if !cond(api.JobComplete) || j.Status.Succeeded != completions {
			return fmt.Errorf("job %s is not Complete with %d of %d succeeded (%d active, %d failed)", key, j.Status.Succeeded, completions, j.Status.Active, j.Status.Failed)
		}
	}
	return nil
}

// scriptedToFail: some container's scripted behaviour exits non-zero.
func scriptedToFail(t *api.PodTemplateSpec) bool {
	for k, v := range t.Annotations {
		if k != simruntime.AnnotationBehavior && !strings.HasPrefix(k, simruntime.AnnotationBehaviorPrefix) {
			continue
		}
		if b, err := simruntime.ParseBehavior(v); err == nil && b.Exit > 0 && b.Code != 0 {
			return true
		}
	}
	return false
}

// jobOwners adds the uids of every Job to uids: their pods are not orphans.
func (c *Cluster) jobOwners(uids map[string]bool) error {
	jobs, err := client.For[*api.Job](c.Admin).List(context.Background(), "", client.ListOptions{})
	if err != nil {
		return err
	}
	for _, j := range jobs.Items {
		uids[j.UID] = true
	}
	return nil
}
