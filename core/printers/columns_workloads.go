package printers

// Table rows of StatefulSets, DaemonSets, Jobs, CronJobs,
// PersistentVolumeClaims and PodDisruptionBudgets, as kubectl prints them.

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

var statefulSetColumns = []Column{
	{Name: "NAME"}, {Name: "READY"}, {Name: "AGE"},
	{Name: "CONTAINERS", Wide: true}, {Name: "IMAGES", Wide: true},
}

// statefulSetRow: READY is ready/desired replicas.
func statefulSetRow(s *api.StatefulSet, now time.Time) Row {
	names, images := containerCells(s.Spec.Template.Spec.Containers)
	return Row{Cells: []string{
		s.Name, fmt.Sprintf("%d/%d", s.Status.ReadyReplicas, replicas(s.Spec.Replicas)), Age(s.CreationTimestamp, now),
		names, images,
	}}
}

var daemonSetColumns = []Column{
	{Name: "NAME"}, {Name: "DESIRED"}, {Name: "CURRENT"}, {Name: "READY"}, {Name: "UP-TO-DATE"}, {Name: "AVAILABLE"},
	{Name: "NODE SELECTOR"}, {Name: "AGE"},
	{Name: "CONTAINERS", Wide: true}, {Name: "IMAGES", Wide: true}, {Name: "SELECTOR", Wide: true},
}

func daemonSetRow(d *api.DaemonSet, now time.Time) Row {
	names, images := containerCells(d.Spec.Template.Spec.Containers)
	st := d.Status
	return Row{Cells: []string{
		d.Name, itoa(st.DesiredNumberScheduled), itoa(st.CurrentNumberScheduled), itoa(st.NumberReady),
		itoa(st.UpdatedNumberScheduled), itoa(st.NumberAvailable),
		formatLabels(d.Spec.Template.Spec.NodeSelector), Age(d.CreationTimestamp, now),
		names, images, formatLabelSelector(d.Spec.Selector),
	}}
}

var jobColumns = []Column{
	{Name: "NAME"}, {Name: "STATUS"}, {Name: "COMPLETIONS"}, {Name: "DURATION"}, {Name: "AGE"},
	{Name: "CONTAINERS", Wide: true}, {Name: "IMAGES", Wide: true}, {Name: "SELECTOR", Wide: true},
}

// jobRow: STATUS is the first of Complete, Failed, Terminating, Suspended
// that holds, else Running. COMPLETIONS is succeeded/completions, with
// "/1 of N" for a parallel Job without completions. DURATION runs from the
// start to completion (or now); it is empty before the Job starts.
func jobRow(j *api.Job, now time.Time) Row {
	names, images := containerCells(j.Spec.Template.Spec.Containers)
	return Row{Cells: []string{
		j.Name, jobStatus(j), jobCompletions(j), jobDuration(j, now), Age(j.CreationTimestamp, now),
		names, images, formatLabelSelector(j.Spec.Selector),
	}}
}

func jobStatus(j *api.Job) string {
	holds := func(t string) bool {
		c := j.Status.FindCondition(t)
		return c != nil && c.Status == api.ConditionTrue
	}
	switch {
	case holds(api.JobComplete):
		return "Complete"
	case holds(api.JobFailed):
		return "Failed"
	case j.DeletionTimestamp != nil:
		return "Terminating"
	case holds(api.JobSuspended):
		return "Suspended"
	}
	return "Running"
}

func jobCompletions(j *api.Job) string {
	switch s := j.Spec; {
	case s.Completions != nil:
		return fmt.Sprintf("%d/%d", j.Status.Succeeded, *s.Completions)
	case s.Parallelism != nil && *s.Parallelism > 1:
		return fmt.Sprintf("%d/1 of %d", j.Status.Succeeded, *s.Parallelism)
	}
	return fmt.Sprintf("%d/1", j.Status.Succeeded)
}

func jobDuration(j *api.Job, now time.Time) string {
	start, end := j.Status.StartTime, j.Status.CompletionTime
	switch {
	case start == nil || start.IsZero():
		return ""
	case end == nil || end.IsZero():
		return FormatAge(now.Sub(start.Time))
	}
	return FormatAge(end.Sub(start.Time))
}

var cronJobColumns = []Column{
	{Name: "NAME"}, {Name: "SCHEDULE"}, {Name: "TIMEZONE"}, {Name: "SUSPEND"}, {Name: "ACTIVE"}, {Name: "LAST SCHEDULE"}, {Name: "AGE"},
	{Name: "CONTAINERS", Wide: true}, {Name: "IMAGES", Wide: true}, {Name: "SELECTOR", Wide: true},
}

func cronJobRow(c *api.CronJob, now time.Time) Row {
	names, images := containerCells(c.Spec.JobTemplate.Spec.Template.Spec.Containers)
	tz := "<none>"
	if c.Spec.TimeZone != nil {
		tz = *c.Spec.TimeZone
	}
	last := "<none>"
	if c.Status.LastScheduleTime != nil && !c.Status.LastScheduleTime.IsZero() {
		last = Age(c.Status.LastScheduleTime, now)
	}
	return Row{Cells: []string{
		c.Name, c.Spec.Schedule, tz, strconv.FormatBool(c.Spec.Suspend != nil && *c.Spec.Suspend),
		strconv.Itoa(len(c.Status.Active)), last, Age(c.CreationTimestamp, now),
		names, images, formatLabelSelector(c.Spec.JobTemplate.Spec.Selector),
	}}
}

var claimColumns = []Column{
	{Name: "NAME"}, {Name: "STATUS"}, {Name: "VOLUME"}, {Name: "CAPACITY"}, {Name: "ACCESS MODES"}, {Name: "STORAGECLASS"}, {Name: "AGE"},
}

// claimRow: CAPACITY and ACCESS MODES are what the claim was given, so
// empty until it is bound; a claim without a class shows "<unset>".
func claimRow(c *api.PersistentVolumeClaim, now time.Time) Row {
	capacity := ""
	if c.Spec.VolumeName != "" {
		if q, ok := c.Status.Capacity[api.ResourceStorage]; ok {
			capacity = q.String()
		}
	}
	class := "<unset>"
	if c.Spec.StorageClassName != nil && *c.Spec.StorageClassName != "" {
		class = *c.Spec.StorageClassName
	}
	return Row{Cells: []string{
		c.Name, c.Status.Phase, c.Spec.VolumeName, capacity, accessModes(c.Status.AccessModes), class, Age(c.CreationTimestamp, now),
	}}
}

// accessModes abbreviates access modes as kubectl does: RWO, ROX, RWX,
// RWOP.
func accessModes(ms []string) string {
	short := map[string]string{api.ReadWriteOnce: "RWO", api.ReadOnlyMany: "ROX", api.ReadWriteMany: "RWX", api.ReadWriteOncePod: "RWOP"}
	var out []string
	for _, m := range []string{api.ReadWriteOnce, api.ReadOnlyMany, api.ReadWriteMany, api.ReadWriteOncePod} {
		for _, have := range ms {
			if have == m {
				out = append(out, short[m])
				break
			}
		}
	}
	return strings.Join(out, ",")
}

var budgetColumns = []Column{
	{Name: "NAME"}, {Name: "MIN AVAILABLE"}, {Name: "MAX UNAVAILABLE"}, {Name: "ALLOWED DISRUPTIONS"}, {Name: "AGE"},
}

// budgetRow: the bound the budget sets ("N/A" for the one it leaves
// unset) and how many pods may be evicted now.
func budgetRow(b *api.PodDisruptionBudget, now time.Time) Row {
	bound := func(v *api.IntOrString) string {
		if v == nil {
			return "N/A"
		}
		return v.String()
	}
	return Row{Cells: []string{
		b.Name, bound(b.Spec.MinAvailable), bound(b.Spec.MaxUnavailable), itoa(b.Status.DisruptionsAllowed), Age(b.CreationTimestamp, now),
	}}
}
