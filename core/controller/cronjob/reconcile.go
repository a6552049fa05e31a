package cronjob

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// ScheduledTimestampAnnotation is put on every Job a CronJob makes: the
// slot it was made for, in RFC 3339.
const ScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"

// TooManyMissed is how many missed slots make the controller warn (it
// still runs the most recent one), as in Kubernetes.
const TooManyMissed = 100

// notSyncedDelay is how long a key waits when the caches are still loading.
const notSyncedDelay = 100 * time.Millisecond

// Reconcile brings the CronJob named by key ("namespace/name") up to date:
// it records which of its Jobs are active and which succeeded, makes the
// Job of the most recent slot if that is due and allowed, trims the
// history, and asks to be called again at the next slot. It returns an
// error to be retried with backoff.
//
// Contract: called on the controller's loop, one key at a time (by the
// queue, or directly by tests).
func (c *Controller) Reconcile(key string) error {
	if !c.jobs.HasSynced() || !c.cronJobs.HasSynced() {
		c.queue.AddAfter(key, notSyncedDelay)
		return nil
	}
	ns, name := client.SplitKey(key)
	cj, ok := c.cronJobs.Get(ns, name)
	if !ok || cj.DeletionTimestamp != nil {
		return nil
	}
	jobs, err := c.owned(key, cj)
	if err != nil {
		return err
	}
	status := c.observe(cj, jobs)

	created, next, schedErr := c.schedule(key, cj, jobs, &status)
	if created != nil {
		jobs = append(jobs, created)
	}
	if err := c.writeStatus(cj, status); err != nil {
		return errors.Join(schedErr, err)
	}
	if schedErr != nil {
		return schedErr
	}
	if err := c.trimHistory(cj, jobs, status.LastScheduleTime); err != nil {
		return err
	}
	if !next.IsZero() {
		c.queue.AddAfter(key, next.Sub(c.loop.Now()))
	}
	return nil
}

// owned returns cj's Jobs: those the cache shows, and those this
// controller made that the cache does not show yet (read from the API).
func (c *Controller) owned(key string, cj *api.CronJob) ([]*api.Job, error) {
	var out []*api.Job
	seen := map[string]bool{}
	for _, j := range c.jobs.ByIndex(byOwner, cj.UID) {
		if j.Namespace == cj.Namespace {
			out = append(out, j)
			seen[j.Name] = true
		}
	}
	names := make([]string, 0, len(c.unseen[key]))
	for n := range c.unseen[key] {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if seen[n] {
			delete(c.unseen[key], n)
			continue
		}
		j, err := client.For[*api.Job](c.client).Get(context.Background(), cj.Namespace, n)
		switch {
		case api.IsNotFound(err):
			delete(c.unseen[key], n)
		case err != nil:
			return nil, fmt.Errorf("cronjob %s: reading job %s, which the cache does not show yet: %w", key, n, err)
		case j.IsControlledBy(cj.UID):
			out = append(out, j)
		default:
			delete(c.unseen[key], n)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out, nil
}

// finished returns the condition type (Complete or Failed) that ended j,
// or "".
func finished(j *api.Job) string {
	for _, t := range []string{api.JobComplete, api.JobFailed} {
		if cond := j.Status.FindCondition(t); cond != nil && cond.Status == api.ConditionTrue {
			return t
		}
	}
	return ""
}

// observe computes status.active and lastSuccessfulTime from jobs, and
// tells of each Job that was active and has finished.
func (c *Controller) observe(cj *api.CronJob, jobs []*api.Job) api.CronJobStatus {
	st := api.DeepCopy(cj).Status
	wasActive := map[string]bool{}
	for _, r := range cj.Status.Active {
		wasActive[r.UID] = true
	}
	st.Active = nil
	for _, j := range jobs {
		switch finished(j) {
		case "":
			st.Active = append(st.Active, jobRef(j))
			continue
		case api.JobComplete:
			if t := completedAt(j); t != nil && (st.LastSuccessfulTime == nil || t.After(st.LastSuccessfulTime.Time)) {
				st.LastSuccessfulTime = t
			}
		}
		if wasActive[j.UID] {
			c.recorder.Eventf(cj, client.EventNormal, "SawCompletedJob", "Saw completed job: %s, condition: %s", j.Name, finished(j))
		}
	}
	return st
}

func completedAt(j *api.Job) *api.Time {
	if j.Status.CompletionTime != nil {
		return j.Status.CompletionTime
	}
	if cond := j.Status.FindCondition(api.JobComplete); cond != nil {
		return cond.LastTransitionTime
	}
	return nil
}

func jobRef(j *api.Job) api.ObjectReference {
	return api.ObjectReference{Kind: "Job", Namespace: j.Namespace, Name: j.Name, UID: j.UID, APIVersion: "batch/v1", ResourceVersion: j.ResourceVersion}
}

// schedule makes the Job of the most recent slot if it is due, and
// returns the Job made (nil if none) and the next slot to wake up at
// (zero: none, or the schedule cannot be read). It records what it did in
// st.
func (c *Controller) schedule(key string, cj *api.CronJob, jobs []*api.Job, st *api.CronJobStatus) (*api.Job, time.Time, error) {
	if cj.Spec.Suspend != nil && *cj.Spec.Suspend {
		return nil, time.Time{}, nil // resumed by an update, which enqueues
	}
	sched, err := api.ParseCronSchedule(cj.Spec.Schedule)
	if err != nil {
		c.recorder.Eventf(cj, client.EventWarning, "UnparseableSchedule", "unparseable schedule %q: %v", cj.Spec.Schedule, err)
		return nil, time.Time{}, nil
	}
	loc := time.UTC
	if tz := cj.Spec.TimeZone; tz != nil {
		if loc, err = c.zones(*tz); err != nil {
			c.recorder.Eventf(cj, client.EventWarning, "UnknownTimeZone", "invalid timeZone: %q: %v", *tz, err)
			return nil, time.Time{}, nil
		}
	}
	now := c.loop.Now().In(loc)
	next := sched.Next(now)

	slot, missed := mostRecentSlot(sched, c.earliest(cj, jobs).In(loc), now)
	if slot.IsZero() {
		return nil, next, nil
	}
	if missed > TooManyMissed {
		c.recorder.Eventf(cj, client.EventWarning, "TooManyMissedTimes", "too many missed start times: %d. Set or decrease .spec.startingDeadlineSeconds or check clock skew", missed)
	}
	if d := cj.Spec.StartingDeadlineSeconds; d != nil && now.Sub(slot) > time.Duration(*d)*time.Second {
		if !c.missed[key].Equal(slot) {
			c.missed[key] = slot
			c.recorder.Eventf(cj, client.EventWarning, "MissSchedule", "Missed scheduled time to start a job: %s", slot.UTC().Format(time.RFC1123Z))
		}
		return nil, next, nil
	}

	var active []*api.Job
	for _, j := range jobs {
		if finished(j) == "" {
			active = append(active, j)
		}
	}
	switch c.admit(cj, active) {
	case Skip:
		c.recorder.Eventf(cj, client.EventNormal, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid")
		return nil, next, nil
	case ReplaceActive:
		for _, j := range active {
			if err := c.deleteJob(cj, j); err != nil {
				return nil, next, err
			}
		}
		st.Active = nil
	}

	j, err := c.createJob(key, cj, slot)
	if err != nil {
		return nil, next, err
	}
	if j != nil {
		st.Active = append(st.Active, jobRef(j))
		sort.Slice(st.Active, func(a, b int) bool { return st.Active[a].Name < st.Active[b].Name })
	}
	st.LastScheduleTime = api.NewTime(slot)
	return j, next, nil
}

// earliest is the time after which slots still count: the last slot a
// Job was made for (by status or by the Jobs themselves), else the
// CronJob's creation.
func (c *Controller) earliest(cj *api.CronJob, jobs []*api.Job) time.Time {
	var t time.Time
	if cj.CreationTimestamp != nil {
		t = cj.CreationTimestamp.Time
	}
	if s := cj.Status.LastScheduleTime; s != nil && s.After(t) {
		t = s.Time
	}
	for _, j := range jobs {
		if s, ok := scheduledTime(j); ok && s.After(t) {
			t = s
		}
	}
	return t
}

// mostRecentSlot returns the latest slot in (earliest, now] and how many
// slots that interval holds (counted exactly up to TooManyMissed+1).
func mostRecentSlot(sched *api.CronSchedule, earliest, now time.Time) (time.Time, int) {
	var recent time.Time
	n := 0
	for t := sched.Next(earliest); !t.IsZero() && !t.After(now); t = sched.Next(t) {
		recent, n = t, n+1
		if n > TooManyMissed {
			break
		}
	}
	if n <= TooManyMissed {
		return recent, n
	}
	// Long downtime: look for the last slot in ever wider windows before
	// now instead of walking every slot since earliest.
	for w := time.Hour; ; w *= 2 {
		from := now.Add(-w)
		if !from.After(recent) {
			from = recent
		}
		for t := sched.Next(from); !t.IsZero() && !t.After(now); t = sched.Next(t) {
			recent = t
		}
		if recent.After(now.Add(-w)) || from.Equal(recent) {
			return recent, n
		}
	}
}

// scheduledTime reads the slot a Job was made for: its annotation, or
// failing that the minutes in its name.
func scheduledTime(j *api.Job) (time.Time, bool) {
	if v, ok := j.Annotations[ScheduledTimestampAnnotation]; ok {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, true
		}
	}
	if i := strings.LastIndexByte(j.Name, '-'); i >= 0 {
		if m, err := strconv.ParseInt(j.Name[i+1:], 10, 64); err == nil {
			return time.Unix(m*60, 0).UTC(), true
		}
	}
	return time.Time{}, false
}

// JobName is the name of cj's Job for slot: the CronJob's name and the
// slot in minutes since the Unix epoch, so each slot has exactly one name.
func JobName(cjName string, slot time.Time) string {
	return fmt.Sprintf("%s-%d", cjName, slot.Unix()/60)
}

// createJob makes the Job for slot. AlreadyExists with a Job of ours is
// success (an earlier attempt got through; its answer was lost). It
// returns nil, nil when the name is taken by a Job that is not ours.
func (c *Controller) createJob(key string, cj *api.CronJob, slot time.Time) (*api.Job, error) {
	want := jobFromTemplate(cj, slot)
	jobs := client.For[*api.Job](c.client)
	ctx := context.Background()
	if c.unseen[key] == nil {
		c.unseen[key] = map[string]bool{}
	}
	// Until the cache shows it, the Job may exist whatever the answer.
	c.unseen[key][want.Name] = true
	j, err := jobs.Create(ctx, want, client.WriteOptions{})
	if api.IsAlreadyExists(err) {
		got, gerr := jobs.Get(ctx, cj.Namespace, want.Name)
		if gerr != nil {
			return nil, fmt.Errorf("cronjob %s: job %s exists but cannot be read: %w", key, want.Name, gerr)
		}
		if !got.IsControlledBy(cj.UID) {
			delete(c.unseen[key], want.Name)
			c.recorder.Eventf(cj, client.EventWarning, "FailedCreate", "Error creating job: %s already exists and is not controlled by this CronJob", want.Name)
			return nil, nil
		}
		return got, nil
	}
	if err != nil {
		c.recorder.Eventf(cj, client.EventWarning, "FailedCreate", "Error creating job: %v", err)
		return nil, fmt.Errorf("cronjob %s: creating job %s: %w", key, want.Name, err)
	}
	c.recorder.Eventf(cj, client.EventNormal, "SuccessfulCreate", "Created job %s", j.Name)
	return j, nil
}

// jobFromTemplate is the Job for slot: the template's labels, annotations
// and spec, the slot annotation and a controller reference back.
func jobFromTemplate(cj *api.CronJob, slot time.Time) *api.Job {
	t := api.DeepCopy(cj).Spec.JobTemplate
	ann := map[string]string{}
	for k, v := range t.Annotations {
		ann[k] = v
	}
	ann[ScheduledTimestampAnnotation] = slot.Format(time.RFC3339)
	yes := true
	return &api.Job{
		ObjectMeta: api.ObjectMeta{
			Name:        JobName(cj.Name, slot),
			Namespace:   cj.Namespace,
			Labels:      t.Labels,
			Annotations: ann,
			OwnerReferences: []api.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: cj.Name, UID: cj.UID,
				Controller: &yes, BlockOwnerDeletion: &yes}},
		},
		Spec: t.Spec,
	}
}

// deleteJob deletes j (its pods follow, by the garbage collector). Gone
// already is fine.
func (c *Controller) deleteJob(cj *api.CronJob, j *api.Job) error {
	if j.DeletionTimestamp != nil {
		return nil
	}
	_, err := client.For[*api.Job](c.client).Delete(context.Background(), j.Namespace, j.Name,
		client.DeleteOptions{UID: j.UID, PropagationPolicy: "Background"})
	if err != nil && !api.IsNotFound(err) {
		c.recorder.Eventf(cj, client.EventWarning, "FailedDelete", "Deleted job: %v", err)
		return fmt.Errorf("cronjob %s/%s: deleting job %s: %w", cj.Namespace, cj.Name, j.Name, err)
	}
	if err == nil {
		c.recorder.Eventf(cj, client.EventNormal, "SuccessfulDelete", "Deleted job %s", j.Name)
	}
	return nil
}

// writeStatus writes st if it differs from what cj shows.
func (c *Controller) writeStatus(cj *api.CronJob, st api.CronJobStatus) error {
	if sameStatus(&cj.Status, &st) {
		return nil
	}
	out := api.DeepCopy(cj)
	out.Status = st
	_, err := client.For[*api.CronJob](c.client).UpdateStatus(context.Background(), out, client.WriteOptions{})
	if err != nil {
		return fmt.Errorf("cronjob %s/%s: writing status: %w", cj.Namespace, cj.Name, err)
	}
	return nil
}

func sameStatus(a, b *api.CronJobStatus) bool {
	if len(a.Active) != len(b.Active) || !sameTime(a.LastScheduleTime, b.LastScheduleTime) || !sameTime(a.LastSuccessfulTime, b.LastSuccessfulTime) {
		return false
	}
	for i := range a.Active {
		if a.Active[i].UID != b.Active[i].UID || a.Active[i].Name != b.Active[i].Name {
			return false
		}
	}
	return true
}

func sameTime(a, b *api.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(b.Time)
}
