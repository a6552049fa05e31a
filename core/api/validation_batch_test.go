package api

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkCases runs mutate on a fresh valid object per case and compares
// Validate's messages.
func checkCases[T Object](t *testing.T, valid func() T, cases []struct {
	name   string
	mutate func(T)
	want   []string
}) {
	t.Helper()
	for _, tc := range cases {
		obj := valid()
		tc.mutate(obj)
		if diff := cmp.Diff(tc.want, errStrings(Validate(obj))); diff != "" {
			t.Errorf("%s: Validate (-want +got):\n%s", tc.name, diff)
		}
	}
}

type cases[T Object] = []struct {
	name   string
	mutate func(T)
	want   []string
}

func validStatefulSet() *StatefulSet {
	d := validDeployment()
	return &StatefulSet{ObjectMeta: ObjectMeta{Name: "db", Namespace: "default"}, Spec: StatefulSetSpec{
		Replicas: ptrTo[int32](3), Selector: d.Spec.Selector, Template: d.Spec.Template, ServiceName: "db",
		VolumeClaimTemplates: []PersistentVolumeClaim{{ObjectMeta: ObjectMeta{Name: "data"}, Spec: validClaimSpec()}},
	}}
}

func validClaimSpec() PersistentVolumeClaimSpec {
	return PersistentVolumeClaimSpec{AccessModes: []string{ReadWriteOnce},
		Resources: VolumeResourceRequirements{Requests: ResourceList{ResourceStorage: MustParseQuantity("1Gi")}}}
}

func TestValidateStatefulSet(t *testing.T) {
	checkCases(t, validStatefulSet, cases[*StatefulSet]{
		{"valid", func(s *StatefulSet) {}, nil},
		{"valid after Default", func(s *StatefulSet) { Default(s) }, nil},
		{"replicas", func(s *StatefulSet) { s.Spec.Replicas = ptrTo[int32](-1) },
			[]string{"spec.replicas: Invalid value: -1: must be greater than or equal to 0"}},
		{"selector required", func(s *StatefulSet) { s.Spec.Selector = nil }, []string{"spec.selector: Required value"}},
		{"selector empty", func(s *StatefulSet) { s.Spec.Selector = &LabelSelector{} },
			[]string{"spec.selector: Invalid value: api.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]api.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset"}},
		{"selector does not match", func(s *StatefulSet) { s.Spec.Template.Labels = map[string]string{"app": "x"} },
			[]string{"spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`"}},
		{"restart policy", func(s *StatefulSet) { s.Spec.Template.Spec.RestartPolicy = RestartOnFailure },
			[]string{`spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"`}},
		{"active deadline", func(s *StatefulSet) { s.Spec.Template.Spec.ActiveDeadlineSeconds = ptrTo[int64](5) },
			[]string{"spec.template.spec.activeDeadlineSeconds: Invalid value: 5: activeDeadlineSeconds in StatefulSet is not Supported"}},
		{"service name", func(s *StatefulSet) { s.Spec.ServiceName = "Db" },
			[]string{`spec.serviceName: Invalid value: "Db": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`}},
		{"pod management", func(s *StatefulSet) { s.Spec.PodManagementPolicy = "Random" },
			[]string{`spec.podManagementPolicy: Unsupported value: "Random": supported values: "OrderedReady", "Parallel"`}},
		{"strategy type", func(s *StatefulSet) { s.Spec.UpdateStrategy.Type = "Recreate" },
			[]string{`spec.updateStrategy.type: Unsupported value: "Recreate": supported values: "OnDelete", "RollingUpdate"`}},
		{"on delete with rollingUpdate", func(s *StatefulSet) {
			s.Spec.UpdateStrategy = StatefulSetUpdateStrategy{Type: StrategyOnDelete, RollingUpdate: &RollingUpdateStatefulSetStrategy{}}
		}, []string{"spec.updateStrategy.rollingUpdate: Invalid value: api.RollingUpdateStatefulSetStrategy{Partition:(*int32)(nil), MaxUnavailable:(*api.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'"}},
		{"partition and maxUnavailable", func(s *StatefulSet) {
			s.Spec.UpdateStrategy.RollingUpdate = &RollingUpdateStatefulSetStrategy{Partition: ptrTo[int32](-1), MaxUnavailable: ptrTo(FromInt(0))}
		}, []string{
			"spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0",
			"spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: must be greater than 0",
		}},
		{"history and min ready", func(s *StatefulSet) {
			s.Spec.RevisionHistoryLimit = ptrTo[int32](-1)
			s.Spec.MinReadySeconds = -1
		}, []string{
			"spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
			"spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0",
		}},
		{"claim retention", func(s *StatefulSet) {
			s.Spec.PersistentVolumeClaimRetentionPolicy = &StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: "Keep", WhenScaled: DeleteClaimRetention}
		}, []string{`spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"`}},
		{"claim template", func(s *StatefulSet) {
			s.Spec.VolumeClaimTemplates[0] = PersistentVolumeClaim{Spec: PersistentVolumeClaimSpec{AccessModes: []string{"Sometimes"}}}
		}, []string{
			"spec.volumeClaimTemplates[0].metadata.name: Required value",
			`spec.volumeClaimTemplates[0].spec.accessModes: Unsupported value: "Sometimes": supported values: "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"`,
			"spec.volumeClaimTemplates[0].spec.resources[storage]: Required value",
		}},
	})
}

func validDaemonSet() *DaemonSet {
	d := validDeployment()
	return &DaemonSet{ObjectMeta: ObjectMeta{Name: "agent", Namespace: "default"}, Spec: DaemonSetSpec{Selector: d.Spec.Selector, Template: d.Spec.Template}}
}

func TestValidateDaemonSet(t *testing.T) {
	checkCases(t, validDaemonSet, cases[*DaemonSet]{
		{"valid", func(d *DaemonSet) {}, nil},
		{"valid after Default", func(d *DaemonSet) { Default(d) }, nil},
		{"on delete", func(d *DaemonSet) { d.Spec.UpdateStrategy.Type = StrategyOnDelete }, nil},
		{"selector required", func(d *DaemonSet) { d.Spec.Selector = nil }, []string{"spec.selector: Required value"}},
		{"restart policy", func(d *DaemonSet) { d.Spec.Template.Spec.RestartPolicy = RestartNever },
			[]string{`spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"`}},
		{"strategy type", func(d *DaemonSet) { d.Spec.UpdateStrategy.Type = "Recreate" },
			[]string{`spec.updateStrategy.type: Unsupported value: "Recreate": supported values: "OnDelete", "RollingUpdate"`}},
		{"both zero", func(d *DaemonSet) {
			d.Spec.UpdateStrategy.RollingUpdate = &RollingUpdateDaemonSet{MaxUnavailable: ptrTo(FromInt(0)), MaxSurge: ptrTo(FromString("0%"))}
		}, []string{"spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"}},
		{"bad bounds", func(d *DaemonSet) {
			d.Spec.UpdateStrategy.RollingUpdate = &RollingUpdateDaemonSet{MaxUnavailable: ptrTo(FromString("150%")), MaxSurge: ptrTo(FromString("x"))}
		}, []string{
			"spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: x: must be an integer or percentage (e.g '5%')",
			"spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be greater than 100%",
		}},
		{"history and min ready", func(d *DaemonSet) {
			d.Spec.RevisionHistoryLimit = ptrTo[int32](-1)
			d.Spec.MinReadySeconds = -1
		}, []string{
			"spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0",
			"spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
		}},
	})
}

// validJob is a Job as the API server stores it: with the generated
// selector and template labels.
func validJob() *Job {
	labels := map[string]string{ControllerUIDLabel: "u1", LegacyControllerUIDLabel: "u1", JobNameLabel: "pi", LegacyJobNameLabel: "pi"}
	return &Job{ObjectMeta: ObjectMeta{Name: "pi", Namespace: "default", UID: "u1"}, Spec: JobSpec{
		Selector: &LabelSelector{MatchLabels: map[string]string{ControllerUIDLabel: "u1"}},
		Template: PodTemplateSpec{ObjectMeta: ObjectMeta{Labels: labels},
			Spec: PodSpec{RestartPolicy: RestartNever, Containers: []Container{{Name: "pi", Image: "perl:5.34"}}}},
	}}
}

func TestValidateJob(t *testing.T) {
	checkCases(t, validJob, cases[*Job]{
		{"valid", func(j *Job) {}, nil},
		{"valid after Default", func(j *Job) { Default(j) }, nil},
		{"on failure", func(j *Job) { j.Spec.Template.Spec.RestartPolicy = RestartOnFailure }, nil},
		{"restart policy required", func(j *Job) { j.Spec.Template.Spec.RestartPolicy = "" },
			[]string{`spec.template.spec.restartPolicy: Unsupported value: "": supported values: "OnFailure", "Never"`}},
		{"restart always", func(j *Job) { j.Spec.Template.Spec.RestartPolicy = RestartAlways },
			[]string{`spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"`}},
		{"counts", func(j *Job) {
			j.Spec.Parallelism = ptrTo[int32](-1)
			j.Spec.Completions = ptrTo[int32](-1)
			j.Spec.ActiveDeadlineSeconds = ptrTo[int64](-1)
			j.Spec.BackoffLimit = ptrTo[int32](-1)
			j.Spec.TTLSecondsAfterFinished = ptrTo[int32](-1)
		}, []string{
			"spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
			"spec.completions: Invalid value: -1: must be greater than or equal to 0",
			"spec.activeDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0",
			"spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
			"spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0",
		}},
		{"completion mode", func(j *Job) { j.Spec.CompletionMode = "Sometimes" },
			[]string{`spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"`}},
		{"indexed needs completions", func(j *Job) { j.Spec.CompletionMode = IndexedCompletion },
			[]string{"spec.completions: Required value: when completion mode is Indexed"}},
		{"generated labels missing", func(j *Job) {
			j.UID = ""
			j.Spec.Template.Labels = map[string]string{ControllerUIDLabel: "other"}
			j.Spec.Selector.MatchLabels[ControllerUIDLabel] = "other"
		}, []string{
			"metadata.uid: Required value",
			"spec.template.metadata.labels[controller-uid]: Required value: must be ''",
			"spec.template.metadata.labels[job-name]: Required value: must be 'pi'",
			`spec.template.metadata.labels[batch.kubernetes.io/controller-uid]: Invalid value: "other": must be ''`,
			"spec.template.metadata.labels[batch.kubernetes.io/job-name]: Required value: must be 'pi'",
			`spec.selector: Invalid value: api.LabelSelector{MatchLabels:map[string]string{"batch.kubernetes.io/controller-uid":"other"}, MatchExpressions:[]api.LabelSelectorRequirement(nil)}: ` + "`selector` not auto-generated",
		}},
		{"manual selector required", func(j *Job) {
			j.Spec.ManualSelector = ptrTo(true)
			j.Spec.Selector = nil
		}, []string{"spec.selector: Required value"}},
		{"manual selector must match", func(j *Job) {
			j.Spec.ManualSelector = ptrTo(true)
			j.Spec.Selector = &LabelSelector{MatchLabels: map[string]string{"app": "pi"}}
		}, []string{`spec.template.metadata.labels: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"u1", "batch.kubernetes.io/job-name":"pi", "controller-uid":"u1", "job-name":"pi"}: ` + "`selector` does not match template `labels`"}},
	})
}

func validCronJob() *CronJob {
	j := validJob()
	j.Spec.Selector = nil
	j.Spec.Template.Labels = nil
	return &CronJob{ObjectMeta: ObjectMeta{Name: "backup", Namespace: "default"},
		Spec: CronJobSpec{Schedule: "0 3 * * *", JobTemplate: JobTemplateSpec{Spec: j.Spec}}}
}

func TestValidateCronJob(t *testing.T) {
	checkCases(t, validCronJob, cases[*CronJob]{
		{"valid", func(c *CronJob) {}, nil},
		{"valid after Default", func(c *CronJob) { Default(c) }, nil},
		{"schedule", func(c *CronJob) { c.Spec.Schedule = "" }, []string{"spec.schedule: Required value"}},
		{"name length", func(c *CronJob) { c.Name = "a23456789012345678901234567890123456789012345678901234" },
			[]string{`metadata.name: Invalid value: "a23456789012345678901234567890123456789012345678901234": must be no more than 52 characters`}},
		{"time zone", func(c *CronJob) { c.Spec.TimeZone = ptrTo("") },
			[]string{`spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string`}},
		{"schedule syntax", func(c *CronJob) { c.Spec.Schedule = "61 * * * *" },
			[]string{`spec.schedule: Invalid value: "61 * * * *": minute field "61": 61 is out of range 0-59`}},
		{"schedule with TZ", func(c *CronJob) { c.Spec.Schedule = "CRON_TZ=Europe/Berlin 0 3 * * *" },
			[]string{`spec.schedule: Invalid value: "CRON_TZ=Europe/Berlin 0 3 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead`}},
		{"time zone name", func(c *CronJob) { c.Spec.TimeZone = ptrTo("Europe/../Berlin") },
			[]string{`spec.timeZone: Invalid value: "Europe/../Berlin": unknown time zone: a tz database name has no . or .. parts`}},
		{"time zone Local", func(c *CronJob) { c.Spec.TimeZone = ptrTo("Local") },
			[]string{`spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones`}},
		{"valid time zone", func(c *CronJob) { c.Spec.TimeZone = ptrTo("America/Argentina/Buenos_Aires") }, nil},
		{"concurrency", func(c *CronJob) { c.Spec.ConcurrencyPolicy = "Sometimes" },
			[]string{`spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"`}},
		{"limits", func(c *CronJob) {
			c.Spec.StartingDeadlineSeconds = ptrTo[int64](-1)
			c.Spec.SuccessfulJobsHistoryLimit = ptrTo[int32](-1)
			c.Spec.FailedJobsHistoryLimit = ptrTo[int32](-1)
		}, []string{
			"spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0",
			"spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
			"spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
		}},
		{"selector in template", func(c *CronJob) {
			c.Spec.JobTemplate.Spec.Selector = &LabelSelector{MatchLabels: map[string]string{"a": "b"}}
			c.Spec.JobTemplate.Spec.ManualSelector = ptrTo(true)
		}, []string{
			`spec.jobTemplate.spec.selector: Invalid value: api.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]api.LabelSelectorRequirement(nil)}: ` + "`selector` will be auto-generated",
			`spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"`,
		}},
		{"job template restart policy", func(c *CronJob) { c.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy = RestartAlways },
			[]string{`spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"`}},
	})
}

func TestValidateClaim(t *testing.T) {
	valid := func() *PersistentVolumeClaim {
		return &PersistentVolumeClaim{ObjectMeta: ObjectMeta{Name: "data", Namespace: "default"}, Spec: validClaimSpec()}
	}
	checkCases(t, valid, cases[*PersistentVolumeClaim]{
		{"valid", func(c *PersistentVolumeClaim) {}, nil},
		{"valid after Default", func(c *PersistentVolumeClaim) { Default(c) }, nil},
		{"access modes", func(c *PersistentVolumeClaim) { c.Spec.AccessModes = nil },
			[]string{"spec.accessModes: Required value: at least 1 access mode is required"}},
		{"read write once pod alone", func(c *PersistentVolumeClaim) { c.Spec.AccessModes = []string{ReadWriteOncePod, ReadOnlyMany} },
			[]string{"spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"}},
		{"zero storage", func(c *PersistentVolumeClaim) { c.Spec.Resources.Requests[ResourceStorage] = MustParseQuantity("0") },
			[]string{`spec.resources.requests[storage]: Invalid value: "0": must be greater than zero`}},
		{"storage class", func(c *PersistentVolumeClaim) { c.Spec.StorageClassName = ptrTo("Fast_SSD") },
			[]string{`spec.storageClassName: Invalid value: "Fast_SSD": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`}},
	})
}

func TestValidateUpdateNewKinds(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new func() Object
		want     []string
	}{
		{"statefulset replicas, template and strategy may change", func() Object { return validStatefulSet() }, func() Object {
			s := validStatefulSet()
			s.Spec.Replicas = ptrTo[int32](5)
			s.Spec.Template.Spec.Containers[0].Image = "nginx:1.26"
			s.Spec.UpdateStrategy.Type = StrategyOnDelete
			s.Spec.PersistentVolumeClaimRetentionPolicy = &StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: DeleteClaimRetention, WhenScaled: DeleteClaimRetention}
			return s
		}, nil},
		{"statefulset service name is fixed", func() Object { return validStatefulSet() }, func() Object {
			s := validStatefulSet()
			s.Spec.ServiceName = "other"
			return s
		}, []string{"spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"}},
		{"daemonset selector", func() Object { return validDaemonSet() }, func() Object {
			d := validDaemonSet()
			d.Spec.Selector = &LabelSelector{MatchLabels: map[string]string{"app": "web", "v": "2"}}
			d.Spec.Template.Labels["v"] = "2"
			return d
		}, []string{`spec.selector: Invalid value: api.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]api.LabelSelectorRequirement(nil)}: field is immutable`}},
		{"job suspend may change", func() Object { return validJob() }, func() Object {
			j := validJob()
			j.Spec.Suspend = ptrTo(true)
			j.Spec.Parallelism = ptrTo[int32](4)
			return j
		}, nil},
		{"job completions and mode", func() Object { return validJob() }, func() Object {
			j := validJob()
			j.Spec.Completions = ptrTo[int32](3)
			j.Spec.CompletionMode = IndexedCompletion
			return j
		}, []string{"spec.completions: Invalid value: 3: field is immutable", `spec.completionMode: Invalid value: "Indexed": field is immutable`}},
		{"claim may grow", func() Object {
			return &PersistentVolumeClaim{ObjectMeta: ObjectMeta{Name: "d", Namespace: "n"}, Spec: validClaimSpec()}
		}, func() Object {
			c := &PersistentVolumeClaim{ObjectMeta: ObjectMeta{Name: "d", Namespace: "n"}, Spec: validClaimSpec()}
			c.Spec.Resources.Requests[ResourceStorage] = MustParseQuantity("2Gi")
			return c
		}, nil},
		{"claim access modes fixed", func() Object {
			return &PersistentVolumeClaim{ObjectMeta: ObjectMeta{Name: "d", Namespace: "n"}, Spec: validClaimSpec()}
		}, func() Object {
			c := &PersistentVolumeClaim{ObjectMeta: ObjectMeta{Name: "d", Namespace: "n"}, Spec: validClaimSpec()}
			c.Spec.AccessModes = []string{ReadWriteMany}
			return c
		}, []string{"spec: Forbidden: spec is immutable after creation except resources.requests"}},
	} {
		if diff := cmp.Diff(tc.want, errStrings(ValidateUpdate(tc.new(), tc.old()))); diff != "" {
			t.Errorf("%s: ValidateUpdate (-want +got):\n%s", tc.name, diff)
		}
	}
	job := validJob()
	changed := validJob()
	changed.Spec.Template.Spec.Containers[0].Image = "perl:5.36"
	if errs := ValidateUpdate(changed, job); len(errs) != 1 || errs[0].Field != "spec.template" || errs[0].Detail != immutableMsg {
		t.Errorf("job template change: %v, want spec.template immutable", errs)
	}
}

func TestDefaultNewKinds(t *testing.T) {
	podDefaults := PodSpec{RestartPolicy: RestartAlways, TerminationGracePeriodSeconds: ptrTo[int64](30), DNSPolicy: "ClusterFirst", SchedulerName: "default-scheduler"}
	sts := &StatefulSet{Spec: StatefulSetSpec{VolumeClaimTemplates: []PersistentVolumeClaim{{}}}}
	Default(sts)
	if diff := cmp.Diff(StatefulSetSpec{
		Replicas: ptrTo[int32](1), PodManagementPolicy: OrderedReadyPodManagement,
		UpdateStrategy:                       StatefulSetUpdateStrategy{Type: StrategyRollingUpdate, RollingUpdate: &RollingUpdateStatefulSetStrategy{Partition: ptrTo[int32](0)}},
		RevisionHistoryLimit:                 ptrTo[int32](10),
		PersistentVolumeClaimRetentionPolicy: &StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: RetainClaimRetention, WhenScaled: RetainClaimRetention},
		VolumeClaimTemplates:                 []PersistentVolumeClaim{{Status: PersistentVolumeClaimStatus{Phase: ClaimPending}}},
		Template:                             PodTemplateSpec{Spec: podDefaults},
	}, sts.Spec); diff != "" {
		t.Errorf("Default(statefulset).Spec (-want +got):\n%s", diff)
	}
	onDelete := &StatefulSet{Spec: StatefulSetSpec{UpdateStrategy: StatefulSetUpdateStrategy{Type: StrategyOnDelete}}}
	Default(onDelete)
	if onDelete.Spec.UpdateStrategy.RollingUpdate != nil {
		t.Errorf("Default(OnDelete statefulset) added rollingUpdate")
	}

	ds := &DaemonSet{}
	Default(ds)
	if diff := cmp.Diff(DaemonSetSpec{
		UpdateStrategy: DaemonSetUpdateStrategy{Type: StrategyRollingUpdate, RollingUpdate: &RollingUpdateDaemonSet{
			MaxUnavailable: ptrTo(FromInt(1)), MaxSurge: ptrTo(FromInt(0))}},
		RevisionHistoryLimit: ptrTo[int32](10),
		Template:             PodTemplateSpec{Spec: podDefaults},
	}, ds.Spec); diff != "" {
		t.Errorf("Default(daemonset).Spec (-want +got):\n%s", diff)
	}

	job := &Job{Spec: JobSpec{Template: PodTemplateSpec{Spec: PodSpec{RestartPolicy: RestartNever}}}}
	Default(job)
	jobPod := podDefaults
	jobPod.RestartPolicy = RestartNever
	wantJob := JobSpec{Parallelism: ptrTo[int32](1), BackoffLimit: ptrTo[int32](6), CompletionMode: NonIndexedCompletion,
		Suspend: ptrTo(false), Template: PodTemplateSpec{Spec: jobPod}}
	if diff := cmp.Diff(wantJob, job.Spec); diff != "" {
		t.Errorf("Default(job).Spec (-want +got):\n%s", diff)
	}

	cj := &CronJob{Spec: CronJobSpec{JobTemplate: JobTemplateSpec{Spec: JobSpec{Template: PodTemplateSpec{Spec: PodSpec{RestartPolicy: RestartNever}}}}}}
	Default(cj)
	if diff := cmp.Diff(CronJobSpec{ConcurrencyPolicy: AllowConcurrent, Suspend: ptrTo(false),
		SuccessfulJobsHistoryLimit: ptrTo[int32](3), FailedJobsHistoryLimit: ptrTo[int32](1),
		JobTemplate: JobTemplateSpec{Spec: wantJob}}, cj.Spec); diff != "" {
		t.Errorf("Default(cronjob).Spec (-want +got):\n%s", diff)
	}
}

// TestNewKindsJSON pins the Kubernetes field names: a manifest as kubectl
// would send it decodes with nothing unknown and encodes back the same.
func TestNewKindsJSON(t *testing.T) {
	for _, tc := range []struct {
		obj Object
		raw string
	}{
		{&StatefulSet{}, `{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"db"}},"template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"db","image":"postgres","resources":{}}]}},"volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},"storageClassName":"standard"},"status":{}}],"serviceName":"db","podManagementPolicy":"Parallel","updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":1,"maxUnavailable":"50%"}},"revisionHistoryLimit":5,"minReadySeconds":2},"status":{"observedGeneration":1,"replicas":3,"readyReplicas":2,"currentReplicas":3,"updatedReplicas":1,"availableReplicas":2,"currentRevision":"db-1","updateRevision":"db-2","collisionCount":0}}`},
		{&DaemonSet{}, `{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent"},"spec":{"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"a","image":"a","resources":{}}]}},"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}},"minReadySeconds":1,"revisionHistoryLimit":10},"status":{"currentNumberScheduled":3,"numberMisscheduled":0,"desiredNumberScheduled":3,"numberReady":2,"observedGeneration":1,"updatedNumberScheduled":3,"numberAvailable":2,"numberUnavailable":1}}`},
		{&Job{}, `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi"},"spec":{"parallelism":2,"completions":4,"activeDeadlineSeconds":60,"backoffLimit":6,"selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"u"}},"manualSelector":false,"template":{"metadata":{},"spec":{"containers":[{"name":"pi","image":"perl","resources":{}}],"restartPolicy":"Never"}},"ttlSecondsAfterFinished":100,"completionMode":"Indexed","suspend":false},"status":{"conditions":[{"type":"Complete","status":"True","lastProbeTime":"2026-01-02T03:04:05Z","lastTransitionTime":"2026-01-02T03:04:05Z","reason":"Done","message":"ok"}],"startTime":"2026-01-02T03:04:00Z","completionTime":"2026-01-02T03:04:05Z","succeeded":4,"ready":0,"completedIndexes":"0-3","uncountedTerminatedPods":{"succeeded":["a"],"failed":["b"]}}}`},
		{&CronJob{}, `{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"backup"},"spec":{"schedule":"0 3 * * *","timeZone":"Etc/UTC","startingDeadlineSeconds":30,"concurrencyPolicy":"Forbid","suspend":true,"jobTemplate":{"metadata":{"labels":{"a":"b"}},"spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"b","image":"b","resources":{}}],"restartPolicy":"OnFailure"}}}},"successfulJobsHistoryLimit":3,"failedJobsHistoryLimit":1},"status":{"active":[{"kind":"Job","name":"backup-1"}],"lastScheduleTime":"2026-01-02T03:00:00Z","lastSuccessfulTime":"2026-01-01T03:00:00Z"}}`},
		{&PersistentVolumeClaim{}, `{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},"volumeName":"pv-1","storageClassName":"standard"},"status":{"phase":"Bound","accessModes":["ReadWriteOnce"],"capacity":{"storage":"1Gi"}}}`},
	} {
		unknown, err := UnknownFields([]byte(tc.raw), tc.obj)
		if err != nil || len(unknown) > 0 {
			t.Errorf("%T: unknown fields %v, %v", tc.obj, unknown, err)
		}
		if err := json.Unmarshal([]byte(tc.raw), tc.obj); err != nil {
			t.Fatalf("%T: %v", tc.obj, err)
		}
		out, err := json.Marshal(tc.obj)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.raw, string(out)); diff != "" {
			t.Errorf("%T round trip (-in +out):\n%s", tc.obj, diff)
		}
	}
	for _, name := range []string{"sts", "ds", "jobs", "cj", "pvc", "cronjobs.batch"} {
		if _, err := LookupResource(name); err != nil {
			t.Errorf("LookupResource(%q): %v", name, err)
		}
	}
}
