package api

import "strings"

// Default fills the fields Kubernetes fills when a client leaves them out,
// so that what is stored (and what controllers read) is explicit. It never
// overwrites a value that is set, so it is safe to call more than once.
//
//   - Pod (and every pod template): restartPolicy Always,
//     terminationGracePeriodSeconds 30, dnsPolicy ClusterFirst,
//     schedulerName "default-scheduler"; per container: imagePullPolicy
//     (Always for ":latest" or no tag, else IfNotPresent),
//     terminationMessagePath "/dev/termination-log", port protocol TCP,
//     probe timeoutSeconds 1, periodSeconds 10, successThreshold 1,
//     failureThreshold 3, httpGet path "/" and scheme HTTP, and requests
//     copied from limits for each resource with a limit but no request;
//     ConfigMap and Secret volumes defaultMode 0644.
//   - ReplicaSet: replicas 1.
//   - Deployment: replicas 1, strategy RollingUpdate with maxSurge and
//     maxUnavailable "25%", revisionHistoryLimit 10,
//     progressDeadlineSeconds 600.
//   - StatefulSet: replicas 1, podManagementPolicy OrderedReady,
//     updateStrategy RollingUpdate with partition 0, revisionHistoryLimit
//     10; each volumeClaimTemplate as a PersistentVolumeClaim.
//   - DaemonSet: updateStrategy RollingUpdate with maxUnavailable 1 and
//     maxSurge 0, revisionHistoryLimit 10.
//   - Job: parallelism 1, backoffLimit 6, completionMode NonIndexed,
//     suspend false; completions stays nil, which means 1.
//   - CronJob: concurrencyPolicy Allow, suspend false,
//     successfulJobsHistoryLimit 3, failedJobsHistoryLimit 1, and the Job
//     defaults in jobTemplate.
//   - PersistentVolumeClaim: status.phase Pending (volumeMode stays nil,
//     read as Filesystem).
//   - PersistentVolume: persistentVolumeReclaimPolicy Retain, volumeMode
//     Filesystem, status.phase Pending.
//   - StorageClass: reclaimPolicy Delete, volumeBindingMode Immediate.
//   - Service: type ClusterIP, sessionAffinity None, port protocol TCP,
//     targetPort = port.
//   - Endpoints: port protocol TCP.
//   - Namespace: status.phase Active. (The "kubernetes" finalizer is
//     added at creation by the API server, not here: defaulting runs on
//     every write, and the finalizer must stay removed once removed.)
//   - Secret: type Opaque.
//   - HorizontalPodAutoscaler: minReplicas 1, metrics cpu at 80%
//     utilization when empty, and behavior's missing parts when a
//     behavior is given (see defaultHorizontalPodAutoscaler).
//
// Default does not set apiVersion and kind; SetTypeMeta does.
func Default(obj Object) {
	switch o := obj.(type) {
	case *Pod:
		defaultPodSpec(&o.Spec)
	case *ReplicaSet:
		if o.Spec.Replicas == nil {
			o.Spec.Replicas = ptrTo[int32](1)
		}
		defaultPodSpec(&o.Spec.Template.Spec)
	case *Deployment:
		defaultDeployment(&o.Spec)
	case *StatefulSet:
		defaultStatefulSet(&o.Spec)
	case *DaemonSet:
		defaultDaemonSet(&o.Spec)
	case *Job:
		defaultJob(&o.Spec)
	case *CronJob:
		defaultCronJob(&o.Spec)
	case *PersistentVolumeClaim:
		defaultClaim(o)
	case *PersistentVolume:
		defaultPersistentVolume(o)
	case *CustomResourceDefinition:
		defaultCRD(o)
	case *StorageClass:
		if o.ReclaimPolicy == nil {
			o.ReclaimPolicy = ptrTo(ReclaimDelete)
		}
		if o.VolumeBindingMode == nil {
			o.VolumeBindingMode = ptrTo(BindingImmediate)
		}
	case *Service:
		defaultService(&o.Spec)
	case *Endpoints:
		for i := range o.Subsets {
			for j := range o.Subsets[i].Ports {
				if o.Subsets[i].Ports[j].Protocol == "" {
					o.Subsets[i].Ports[j].Protocol = ProtocolTCP
				}
			}
		}
	case *Namespace:
		if o.Status.Phase == "" {
			o.Status.Phase = NamespaceActive
		}
	case *Secret:
		if o.Type == "" {
			o.Type = SecretTypeOpaque
		}
	case *RoleBinding:
		defaultSubjects(o.Subjects)
	case *ClusterRoleBinding:
		defaultSubjects(o.Subjects)
	case *HorizontalPodAutoscaler:
		defaultHorizontalPodAutoscaler(&o.Spec)
	case *HorizontalPodAutoscalerV1:
		// autoscaling/v1 defaults minReplicas alone; the rest is the
		// stored form's (see HorizontalPodAutoscalerToV2).
		if o.Spec.MinReplicas == nil {
			o.Spec.MinReplicas = ptrTo[int32](1)
		}
	}
}

// defaultSubjects gives User and Group subjects the RBAC API group when
// they name none, as Kubernetes does (a ServiceAccount's group is "").
func defaultSubjects(subjects []Subject) {
	for i := range subjects {
		s := &subjects[i]
		if s.APIGroup == "" && (s.Kind == SubjectUser || s.Kind == SubjectGroup) {
			s.APIGroup = RBACGroup
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

// DefaultSchedulerName is the scheduler a pod gets when it names none.
const DefaultSchedulerName = "default-scheduler"

func defaultPodSpec(s *PodSpec) {
	if s.RestartPolicy == "" {
		s.RestartPolicy = RestartAlways
	}
	if s.TerminationGracePeriodSeconds == nil {
		s.TerminationGracePeriodSeconds = ptrTo[int64](30)
	}
	if s.DNSPolicy == "" {
		s.DNSPolicy = "ClusterFirst"
	}
	if s.SchedulerName == "" {
		s.SchedulerName = DefaultSchedulerName
	}
	for i := range s.Volumes {
		v := &s.Volumes[i]
		if v.ConfigMap != nil && v.ConfigMap.DefaultMode == nil {
			v.ConfigMap.DefaultMode = ptrTo[int32](0644)
		}
		if v.Secret != nil && v.Secret.DefaultMode == nil {
			v.Secret.DefaultMode = ptrTo[int32](0644)
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if t := src.ServiceAccountToken; t != nil && t.ExpirationSeconds == nil {
					t.ExpirationSeconds = ptrTo[int64](3600)
				}
			}
		}
	}
	for i := range s.InitContainers {
		defaultContainer(&s.InitContainers[i])
	}
	for i := range s.Containers {
		defaultContainer(&s.Containers[i])
	}
}

func defaultContainer(c *Container) {
	if c.ImagePullPolicy == "" {
		c.ImagePullPolicy = defaultPullPolicy(c.Image)
	}
	if c.TerminationMessagePath == "" {
		c.TerminationMessagePath = "/dev/termination-log"
	}
	for i := range c.Ports {
		if c.Ports[i].Protocol == "" {
			c.Ports[i].Protocol = ProtocolTCP
		}
	}
	for _, p := range []*Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
		if p != nil {
			defaultProbe(p)
		}
	}
	// A limit without a request requests the limit: the scheduler must not
	// place a container on the assumption that it needs nothing.
	if len(c.Resources.Limits) > 0 {
		if c.Resources.Requests == nil {
			c.Resources.Requests = ResourceList{}
		}
		for name, q := range c.Resources.Limits {
			if _, ok := c.Resources.Requests[name]; !ok {
				c.Resources.Requests[name] = q
			}
		}
	}
}

// defaultPullPolicy is Always for an image with tag "latest" or no tag (it
// may change under the same name) and IfNotPresent otherwise, including for
// images pinned by digest.
func defaultPullPolicy(image string) PullPolicy {
	if strings.Contains(image, "@") {
		return PullIfNotPresent
	}
	name := image
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	tag := ""
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		tag = name[i+1:]
	}
	if tag == "" || tag == "latest" {
		return PullAlways
	}
	return PullIfNotPresent
}

func defaultProbe(p *Probe) {
	if p.TimeoutSeconds == 0 {
		p.TimeoutSeconds = 1
	}
	if p.PeriodSeconds == 0 {
		p.PeriodSeconds = 10
	}
	if p.SuccessThreshold == 0 {
		p.SuccessThreshold = 1
	}
	if p.FailureThreshold == 0 {
		p.FailureThreshold = 3
	}
	if h := p.HTTPGet; h != nil {
		if h.Path == "" {
			h.Path = "/"
		}
		if h.Scheme == "" {
			h.Scheme = "HTTP"
		}
	}
}

func defaultDeployment(s *DeploymentSpec) {
	if s.Replicas == nil {
		s.Replicas = ptrTo[int32](1)
	}
	if s.Strategy.Type == "" {
		s.Strategy.Type = StrategyRollingUpdate
	}
	if s.Strategy.Type == StrategyRollingUpdate {
		if s.Strategy.RollingUpdate == nil {
			s.Strategy.RollingUpdate = &RollingUpdateDeployment{}
		}
		ru := s.Strategy.RollingUpdate
		if ru.MaxUnavailable == nil {
			ru.MaxUnavailable = ptrTo(FromString("25%"))
		}
		if ru.MaxSurge == nil {
			ru.MaxSurge = ptrTo(FromString("25%"))
		}
	}
	if s.RevisionHistoryLimit == nil {
		s.RevisionHistoryLimit = ptrTo[int32](10)
	}
	if s.ProgressDeadlineSeconds == nil {
		s.ProgressDeadlineSeconds = ptrTo[int32](600)
	}
	defaultPodSpec(&s.Template.Spec)
}

func defaultService(s *ServiceSpec) {
	if s.Type == "" {
		s.Type = ServiceClusterIP
	}
	if s.SessionAffinity == "" {
		s.SessionAffinity = "None"
	}
	for i := range s.Ports {
		p := &s.Ports[i]
		if p.Protocol == "" {
			p.Protocol = ProtocolTCP
		}
		if p.TargetPort.IsString && p.TargetPort.StrVal == "" || !p.TargetPort.IsString && p.TargetPort.IntVal == 0 {
			p.TargetPort = FromInt(p.Port)
		}
	}
}

func defaultStatefulSet(s *StatefulSetSpec) {
	if s.Replicas == nil {
		s.Replicas = ptrTo[int32](1)
	}
	if s.PodManagementPolicy == "" {
		s.PodManagementPolicy = OrderedReadyPodManagement
	}
	if s.UpdateStrategy.Type == "" {
		s.UpdateStrategy.Type = StrategyRollingUpdate
	}
	if s.UpdateStrategy.Type == StrategyRollingUpdate {
		if s.UpdateStrategy.RollingUpdate == nil {
			s.UpdateStrategy.RollingUpdate = &RollingUpdateStatefulSetStrategy{}
		}
		if s.UpdateStrategy.RollingUpdate.Partition == nil {
			s.UpdateStrategy.RollingUpdate.Partition = ptrTo[int32](0)
		}
	}
	if s.RevisionHistoryLimit == nil {
		s.RevisionHistoryLimit = ptrTo[int32](10)
	}
	if s.PersistentVolumeClaimRetentionPolicy == nil {
		s.PersistentVolumeClaimRetentionPolicy = &StatefulSetPersistentVolumeClaimRetentionPolicy{}
	}
	if rp := s.PersistentVolumeClaimRetentionPolicy; rp.WhenDeleted == "" {
		rp.WhenDeleted = RetainClaimRetention
	}
	if rp := s.PersistentVolumeClaimRetentionPolicy; rp.WhenScaled == "" {
		rp.WhenScaled = RetainClaimRetention
	}
	for i := range s.VolumeClaimTemplates {
		defaultClaim(&s.VolumeClaimTemplates[i])
	}
	defaultPodSpec(&s.Template.Spec)
}

func defaultDaemonSet(s *DaemonSetSpec) {
	if s.UpdateStrategy.Type == "" {
		s.UpdateStrategy.Type = StrategyRollingUpdate
	}
	if s.UpdateStrategy.Type == StrategyRollingUpdate {
		if s.UpdateStrategy.RollingUpdate == nil {
			s.UpdateStrategy.RollingUpdate = &RollingUpdateDaemonSet{}
		}
		ru := s.UpdateStrategy.RollingUpdate
		if ru.MaxUnavailable == nil {
			ru.MaxUnavailable = ptrTo(FromInt(1))
		}
		if ru.MaxSurge == nil {
			ru.MaxSurge = ptrTo(FromInt(0))
		}
	}
	if s.RevisionHistoryLimit == nil {
		s.RevisionHistoryLimit = ptrTo[int32](10)
	}
	defaultPodSpec(&s.Template.Spec)
}

func defaultJob(s *JobSpec) {
	if s.Parallelism == nil {
		s.Parallelism = ptrTo[int32](1)
	}
	if s.BackoffLimit == nil {
		s.BackoffLimit = ptrTo[int32](6)
	}
	if s.CompletionMode == "" {
		s.CompletionMode = NonIndexedCompletion
	}
	if s.Suspend == nil {
		s.Suspend = ptrTo(false)
	}
	defaultPodSpec(&s.Template.Spec)
}

func defaultCronJob(s *CronJobSpec) {
	if s.ConcurrencyPolicy == "" {
		s.ConcurrencyPolicy = AllowConcurrent
	}
	if s.Suspend == nil {
		s.Suspend = ptrTo(false)
	}
	if s.SuccessfulJobsHistoryLimit == nil {
		s.SuccessfulJobsHistoryLimit = ptrTo[int32](3)
	}
	if s.FailedJobsHistoryLimit == nil {
		s.FailedJobsHistoryLimit = ptrTo[int32](1)
	}
	defaultJob(&s.JobTemplate.Spec)
}

func defaultPersistentVolume(pv *PersistentVolume) {
	if pv.Spec.PersistentVolumeReclaimPolicy == "" {
		pv.Spec.PersistentVolumeReclaimPolicy = ReclaimRetain
	}
	if pv.Spec.VolumeMode == nil {
		pv.Spec.VolumeMode = ptrTo(VolumeFilesystem)
	}
	if pv.Status.Phase == "" {
		pv.Status.Phase = VolumePending
	}
}

func defaultClaim(c *PersistentVolumeClaim) {
	if c.Status.Phase == "" {
		c.Status.Phase = ClaimPending
	}
}

// defaultCRD fills the names a definition may leave out and its
// conversion strategy, as Kubernetes does.
func defaultCRD(c *CustomResourceDefinition) {
	n := &c.Spec.Names
	if n.Singular == "" {
		n.Singular = strings.ToLower(n.Kind)
	}
	if n.ListKind == "" && n.Kind != "" {
		n.ListKind = n.Kind + "List"
	}
	if c.Spec.Conversion == nil {
		c.Spec.Conversion = &CustomResourceConversion{Strategy: "None"}
	}
}
