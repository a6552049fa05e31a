package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/store"
)

// The CronJob invariants, judged from the store's events alone:
//
//   - cronjob-forbid: a CronJob whose concurrencyPolicy is Forbid never
//     has two active Jobs at once (active: no Complete or Failed condition,
//     no deletionTimestamp), counting the Jobs whose controller reference
//     is the CronJob's uid;
//   - cronjob-once-per-slot: no two Jobs (two uids) are ever made for the
//     same CronJob and scheduled time, read from the Job's
//     batch.kubernetes.io/cronjob-scheduled-timestamp annotation — even if
//     the first has since been deleted.
//
// Written here again, independent of the CronJob controller's code, so a
// wrong controller is caught rather than agreed with.

// cronFacts is what the checker keeps about CronJobs and their Jobs.
type cronFacts struct {
	cronJobs map[string]*cronJobFacts // by uid
	jobs     map[string]*cronJobJob   // by Job uid, Jobs owned by a CronJob
	// slots maps "cronjob uid|unix seconds" to the first Job uid made for
	// that slot.
	slots map[string]string
}

type cronJobFacts struct {
	key    string // namespace/name
	forbid bool
}

type cronJobJob struct {
	name   string
	owner  string // CronJob uid
	active bool
}

// cronJobEvent applies one CronJob or Job event and checks the rules.
func (c *checker) cronJobEvent(ev store.Event) {
	if c.cron == nil {
		c.cron = &cronFacts{cronJobs: map[string]*cronJobFacts{}, jobs: map[string]*cronJobJob{}, slots: map[string]string{}}
	}
	f := c.cron
	isCron := strings.HasPrefix(ev.KV.Key, "/registry/cronjobs/")
	if ev.Type == store.EventDelete {
		var m struct {
			Metadata api.ObjectMeta `json:"metadata"`
		}
		if ev.Prev != nil && json.Unmarshal(ev.Prev.Value, &m) == nil {
			if isCron {
				delete(f.cronJobs, m.Metadata.UID)
			} else {
				delete(f.jobs, m.Metadata.UID)
			}
		}
		return
	}
	if isCron {
		var cj api.CronJob
		if json.Unmarshal(ev.KV.Value, &cj) == nil {
			f.cronJobs[cj.UID] = &cronJobFacts{key: cj.Namespace + "/" + cj.Name, forbid: cj.Spec.ConcurrencyPolicy == api.ForbidConcurrent}
		}
		return
	}
	var j api.Job
	if json.Unmarshal(ev.KV.Value, &j) != nil {
		return
	}
	ref := j.ControllerRef()
	if ref == nil || ref.Kind != "CronJob" {
		return
	}
	jf := f.jobs[j.UID]
	if jf == nil {
		jf = &cronJobJob{name: j.Name, owner: ref.UID}
		f.jobs[j.UID] = jf
		if slot, ok := jobSlot(&j); ok && c.enabled["cronjob-once-per-slot"] {
			k := ref.UID + "|" + strconv.FormatInt(slot.Unix(), 10)
			if first, taken := f.slots[k]; taken && first != j.UID {
				c.err = fmt.Errorf("cronjob-once-per-slot: cronjob %s/%s got a second Job for its %s slot: %s (uid %s), after Job uid %s",
					j.Namespace, ref.Name, slot.UTC().Format(time.RFC3339), j.Name, j.UID, first)
				return
			}
			f.slots[k] = j.UID
		}
	}
	wasActive := jf.active
	jf.active = j.DeletionTimestamp == nil && !jobFinished(&j)
	cj := f.cronJobs[ref.UID]
	if !jf.active || wasActive || cj == nil || !cj.forbid || !c.enabled["cronjob-forbid"] {
		return
	}
	// A Job just became active under a Forbid CronJob: it must be the only one.
	var others []string
	for _, o := range f.jobs {
		if o != jf && o.owner == ref.UID && o.active {
			others = append(others, o.name)
		}
	}
	if len(others) > 0 {
		sort.Strings(others)
		c.err = fmt.Errorf("cronjob-forbid: cronjob %s has concurrencyPolicy Forbid, yet Job %s became active while %s still ran (not finished, not being deleted)",
			cj.key, j.Name, strings.Join(others, ", "))
	}
}

// jobFinished: a Complete or Failed condition that is True.
func jobFinished(j *api.Job) bool {
	for _, cond := range j.Status.Conditions {
		if (cond.Type == api.JobComplete || cond.Type == api.JobFailed) && cond.Status == api.ConditionTrue {
			return true
		}
	}
	return false
}

// jobSlot reads the scheduled time a CronJob's Job was made for.
func jobSlot(j *api.Job) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, j.Annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"])
	return t, err == nil
}

// cronJobsLive checks that every CronJob has caught up once faults are
// over: its status.active names exactly its unfinished Jobs, and unless it
// is suspended or (under Forbid) a Job still runs, it has made the Job of
// its most recent slot — allowing a few seconds after a slot for the
// controller to act.
//
// Once the Job controller lands: Jobs finish, so Forbid CronJobs also
// reach their most recent slot; until then their first Job runs forever
// and only the status is judged for them.
func (c *Cluster) cronJobsLive(*liveView) error {
	ctx := context.Background()
	cjs, err := client.For[*api.CronJob](c.Admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return err
	}
	if len(cjs.Items) == 0 {
		return nil
	}
	jobs, err := client.For[*api.Job](c.Admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return err
	}
	now := c.W.Loop.Now()
	for _, cj := range cjs.Items {
		if cj.DeletionTimestamp != nil {
			continue
		}
		var active []string
		for _, j := range jobs.Items {
			if j.IsControlledBy(cj.UID) && j.DeletionTimestamp == nil && !jobFinished(j) {
				active = append(active, j.Name)
			}
		}
		sort.Strings(active)
		var listed []string
		for _, r := range cj.Status.Active {
			listed = append(listed, r.Name)
		}
		sort.Strings(listed)
		if strings.Join(active, ",") != strings.Join(listed, ",") {
			return fmt.Errorf("cronjob %s/%s lists active jobs [%s] in its status, but its unfinished jobs are [%s]",
				cj.Namespace, cj.Name, strings.Join(listed, " "), strings.Join(active, " "))
		}
		if (cj.Spec.Suspend != nil && *cj.Spec.Suspend) || (cj.Spec.ConcurrencyPolicy == api.ForbidConcurrent && len(active) > 0) {
			continue
		}
		sched, err := api.ParseCronSchedule(cj.Spec.Schedule)
		if err != nil || cj.Spec.TimeZone != nil {
			continue // time zones other than UTC are not judged here
		}
		// The most recent slot that is at least 5s old: search forward
		// from an hour back (the scenarios use minute schedules).
		var due time.Time
		for t := sched.Next(now.Add(-time.Hour)); !t.IsZero() && !t.After(now.Add(-5*time.Second)); t = sched.Next(t) {
			due = t
		}
		if due.IsZero() || (cj.CreationTimestamp != nil && !due.After(cj.CreationTimestamp.Time)) {
			continue
		}
		if last := cj.Status.LastScheduleTime; last == nil || last.Before(due) {
			return fmt.Errorf("cronjob %s/%s last scheduled a job at %v, but its slot at %s has passed", cj.Namespace, cj.Name, last, due.Format(time.RFC3339))
		}
	}
	return nil
}
