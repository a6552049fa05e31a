package cronjob

import (
	"errors"
	"sort"

	"github.com/tinykube/tinykube/core/api"
)

// trimHistory deletes the oldest finished Jobs beyond
// successfulJobsHistoryLimit and failedJobsHistoryLimit.
//
// It never deletes a Job made for a slot later than lastSchedule (the
// status as just written): with its Job gone and the status not yet
// saying the slot was run, a later reconcile would run the slot again.
func (c *Controller) trimHistory(cj *api.CronJob, jobs []*api.Job, lastSchedule *api.Time) error {
	var succeeded, failed []*api.Job
	for _, j := range jobs {
		if j.DeletionTimestamp != nil {
			continue
		}
		if t, ok := scheduledTime(j); ok && (lastSchedule == nil || t.After(lastSchedule.Time)) {
			continue
		}
		switch finished(j) {
		case api.JobComplete:
			succeeded = append(succeeded, j)
		case api.JobFailed:
			failed = append(failed, j)
		}
	}
	var errs []error
	for _, h := range []struct {
		jobs  []*api.Job
		limit *int32
	}{{succeeded, cj.Spec.SuccessfulJobsHistoryLimit}, {failed, cj.Spec.FailedJobsHistoryLimit}} {
		if h.limit == nil || len(h.jobs) <= int(*h.limit) {
			continue
		}
		sortOldestFirst(h.jobs)
		for _, j := range h.jobs[:len(h.jobs)-int(*h.limit)] {
			if err := c.deleteJob(cj, j); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// sortOldestFirst orders Jobs by the slot they were made for, then name.
func sortOldestFirst(jobs []*api.Job) {
	sort.SliceStable(jobs, func(a, b int) bool {
		ta, _ := scheduledTime(jobs[a])
		tb, _ := scheduledTime(jobs[b])
		if !ta.Equal(tb) {
			return ta.Before(tb)
		}
		return jobs[a].Name < jobs[b].Name
	})
}
