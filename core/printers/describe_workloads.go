package printers

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// deployment writes kubectl's describe of a deployment, without the
// OldReplicaSets/NewReplicaSet lines, which would need the ReplicaSets.
func (d *describer) deployment(dep *api.Deployment) {
	d.nameAndNamespace(&dep.ObjectMeta)
	d.line(0, "CreationTimestamp:\t%s\n", timestamp(dep.CreationTimestamp))
	d.labels("Labels", dep.Labels)
	d.annotations("Annotations", dep.Annotations)
	d.line(0, "Selector:\t%s\n", selectorString(dep.Spec.Selector))
	st := dep.Status
	d.line(0, "Replicas:\t%d desired | %d updated | %d total | %d available | %d unavailable\n",
		replicas(dep.Spec.Replicas), st.UpdatedReplicas, st.Replicas, st.AvailableReplicas, st.UnavailableReplicas)
	d.line(0, "StrategyType:\t%s\n", dep.Spec.Strategy.Type)
	d.line(0, "MinReadySeconds:\t%d\n", dep.Spec.MinReadySeconds)
	if ru := dep.Spec.Strategy.RollingUpdate; ru != nil {
		d.line(0, "RollingUpdateStrategy:\t%s max unavailable, %s max surge\n", intOrStringPtr(ru.MaxUnavailable), intOrStringPtr(ru.MaxSurge))
	}
	d.podTemplate(&dep.Spec.Template)
	d.workloadConditions(st.Conditions)
}

// replicaSet writes kubectl's describe of a replica set, without the
// "Pods Status" line, which would need the pods.
func (d *describer) replicaSet(rs *api.ReplicaSet) {
	d.nameAndNamespace(&rs.ObjectMeta)
	d.line(0, "Selector:\t%s\n", formatLabelSelector(rs.Spec.Selector))
	d.labels("Labels", rs.Labels)
	d.annotations("Annotations", rs.Annotations)
	if c := controlledBy(&rs.ObjectMeta); c != "" {
		d.line(0, "Controlled By:\t%s\n", c)
	}
	d.line(0, "Replicas:\t%d current / %d desired\n", rs.Status.Replicas, replicas(rs.Spec.Replicas))
	d.podTemplate(&rs.Spec.Template)
	d.workloadConditions(rs.Status.Conditions)
}

// workloadConditions writes the Type/Status/Reason table of a workload.
func (d *describer) workloadConditions(cs []api.WorkloadCondition) {
	if len(cs) == 0 {
		return
	}
	d.line(0, "Conditions:\n  Type\tStatus\tReason\n")
	d.line(1, "----\t------\t------\n")
	for _, c := range cs {
		d.line(1, "%s \t%s\t%s\n", c.Type, c.Status, c.Reason)
	}
}

// intOrStringPtr prints an optional int-or-string as kubectl does, "<nil>"
// when unset.
func intOrStringPtr(v *api.IntOrString) string {
	if v == nil {
		return "<nil>"
	}
	return v.String()
}

// statefulSet writes kubectl's describe of a stateful set, without the
// "Pods Status" line, which would need the pods.
func (d *describer) statefulSet(s *api.StatefulSet) {
	d.nameAndNamespace(&s.ObjectMeta)
	d.line(0, "CreationTimestamp:\t%s\n", timestamp(s.CreationTimestamp))
	d.line(0, "Selector:\t%s\n", formatLabelSelector(s.Spec.Selector))
	d.labels("Labels", s.Labels)
	d.annotations("Annotations", s.Annotations)
	d.line(0, "Replicas:\t%d desired | %d total\n", replicas(s.Spec.Replicas), s.Status.Replicas)
	d.line(0, "Update Strategy:\t%s\n", s.Spec.UpdateStrategy.Type)
	if ru := s.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		d.line(1, "Partition:\t%d\n", *ru.Partition)
	}
	d.podTemplate(&s.Spec.Template)
	d.line(0, "Volume Claims:")
	if len(s.Spec.VolumeClaimTemplates) == 0 {
		d.line(0, "\t<none>\n")
	} else {
		d.line(0, "\n")
	}
	for i := range s.Spec.VolumeClaimTemplates {
		c := &s.Spec.VolumeClaimTemplates[i]
		d.line(1, "Name:\t%s\n", c.Name)
		class := ""
		if c.Spec.StorageClassName != nil {
			class = *c.Spec.StorageClassName
		}
		d.line(1, "StorageClass:\t%s\n", class)
		d.labels("  Labels", c.Labels)
		d.annotations("  Annotations", c.Annotations)
		capacity := "0"
		if q, ok := c.Spec.Resources.Requests[api.ResourceStorage]; ok {
			capacity = q.String()
		}
		d.line(1, "Capacity:\t%s\n", capacity)
		d.line(1, "Access Modes:\t%v\n", c.Spec.AccessModes)
	}
	d.workloadConditions(s.Status.Conditions)
}

// daemonSet writes kubectl's describe of a daemon set, without the
// "Pods Status" line, which would need the pods.
func (d *describer) daemonSet(ds *api.DaemonSet) {
	d.nameAndNamespace(&ds.ObjectMeta)
	d.line(0, "Selector:\t%s\n", formatLabelSelector(ds.Spec.Selector))
	d.line(0, "Node-Selector:\t%s\n", formatLabels(ds.Spec.Template.Spec.NodeSelector))
	d.labels("Labels", ds.Labels)
	d.annotations("Annotations", ds.Annotations)
	st := ds.Status
	d.line(0, "Desired Number of Nodes Scheduled: %d\n", st.DesiredNumberScheduled)
	d.line(0, "Current Number of Nodes Scheduled: %d\n", st.CurrentNumberScheduled)
	d.line(0, "Number of Nodes Scheduled with Up-to-date Pods: %d\n", st.UpdatedNumberScheduled)
	d.line(0, "Number of Nodes Scheduled with Available Pods: %d\n", st.NumberAvailable)
	d.line(0, "Number of Nodes Misscheduled: %d\n", st.NumberMisscheduled)
	d.podTemplate(&ds.Spec.Template)
}

// job writes kubectl's describe of a job.
func (d *describer) job(j *api.Job) {
	d.nameAndNamespace(&j.ObjectMeta)
	d.line(0, "Selector:\t%s\n", formatLabelSelector(j.Spec.Selector))
	d.labels("Labels", j.Labels)
	d.annotations("Annotations", j.Annotations)
	if c := controlledBy(&j.ObjectMeta); c != "" {
		d.line(0, "Controlled By:\t%s\n", c)
	}
	d.jobSpec(0, &j.Spec)
	st := j.Status
	if st.StartTime != nil {
		d.line(0, "Start Time:\t%s\n", timestamp(st.StartTime))
	}
	if st.CompletionTime != nil {
		d.line(0, "Completed At:\t%s\n", timestamp(st.CompletionTime))
	}
	if dur := jobDuration(j, d.now); dur != "" {
		d.line(0, "Duration:\t%s\n", dur)
	}
	if j.Spec.ActiveDeadlineSeconds != nil {
		d.line(0, "Active Deadline Seconds:\t%ds\n", *j.Spec.ActiveDeadlineSeconds)
	}
	ready := int32(0)
	if st.Ready != nil {
		ready = *st.Ready
	}
	d.line(0, "Pods Statuses:\t%d Active (%d Ready) / %d Succeeded / %d Failed\n", st.Active, ready, st.Succeeded, st.Failed)
	if j.Spec.CompletionMode == api.IndexedCompletion {
		d.line(0, "Completed Indexes:\t%s\n", orNone(st.CompletedIndexes))
	}
	d.podTemplate(&j.Spec.Template)
}

// jobSpec writes the counts of a Job or of a CronJob's job template.
func (d *describer) jobSpec(level int, s *api.JobSpec) {
	d.line(level, "Parallelism:\t%s\n", int32Ptr(s.Parallelism))
	d.line(level, "Completions:\t%s\n", int32Ptr(s.Completions))
	if s.CompletionMode != "" {
		d.line(level, "Completion Mode:\t%s\n", s.CompletionMode)
	}
	d.line(level, "Suspend:\t%t\n", s.Suspend != nil && *s.Suspend)
	d.line(level, "Backoff Limit:\t%s\n", int32Ptr(s.BackoffLimit))
	if s.TTLSecondsAfterFinished != nil {
		d.line(level, "TTL Seconds After Finished:\t%d\n", *s.TTLSecondsAfterFinished)
	}
}

// cronJob writes kubectl's describe of a cron job.
func (d *describer) cronJob(c *api.CronJob) {
	d.nameAndNamespace(&c.ObjectMeta)
	d.labels("Labels", c.Labels)
	d.annotations("Annotations", c.Annotations)
	s := &c.Spec
	d.line(0, "Schedule:\t%s\n", s.Schedule)
	if s.TimeZone != nil {
		d.line(0, "TimeZone:\t%s\n", *s.TimeZone)
	}
	d.line(0, "Concurrency Policy:\t%s\n", s.ConcurrencyPolicy)
	if s.Suspend != nil && *s.Suspend {
		d.line(0, "Suspend:\tTrue\n")
	} else {
		d.line(0, "Suspend:\tFalse\n")
	}
	d.line(0, "Successful Job History Limit:\t%s\n", int32Ptr(s.SuccessfulJobsHistoryLimit))
	d.line(0, "Failed Job History Limit:\t%s\n", int32Ptr(s.FailedJobsHistoryLimit))
	if s.StartingDeadlineSeconds != nil {
		d.line(0, "Starting Deadline Seconds:\t%ds\n", *s.StartingDeadlineSeconds)
	} else {
		d.line(0, "Starting Deadline Seconds:\t<unset>\n")
	}
	d.line(0, "Selector:\t%s\n", cmp.Or(selectorString(s.JobTemplate.Spec.Selector), "<unset>"))
	d.line(0, "Parallelism:\t%s\n", int32Ptr(s.JobTemplate.Spec.Parallelism))
	d.line(0, "Completions:\t%s\n", int32Ptr(s.JobTemplate.Spec.Completions))
	d.podTemplate(&s.JobTemplate.Spec.Template)
	d.line(0, "Last Schedule Time:\t%s\n", timestamp(c.Status.LastScheduleTime))
	var active []string
	for _, ref := range c.Status.Active {
		active = append(active, ref.Name)
	}
	d.line(0, "Active Jobs:\t%s\n", orNone(strings.Join(active, ", ")))
}

// int32Ptr prints an optional number as kubectl describe does, "<unset>"
// when nil.
func int32Ptr(p *int32) string {
	if p == nil {
		return "<unset>"
	}
	return strconv.Itoa(int(*p))
}
