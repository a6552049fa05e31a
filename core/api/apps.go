package api

// LabelSelector selects objects by label: every matchLabels pair and every
// matchExpressions requirement must hold. An empty selector selects
// everything; a nil one selects nothing.
type LabelSelector struct {
	MatchLabels      map[string]string          `json:"matchLabels,omitempty"`
	MatchExpressions []LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

// LabelSelectorRequirement is one test: In, NotIn, Exists, DoesNotExist.
type LabelSelectorRequirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

// ReplicaSet keeps a number of identical pods running.
type ReplicaSet struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       ReplicaSetSpec   `json:"spec,omitempty"`
	Status     ReplicaSetStatus `json:"status,omitempty"`
}

// ReplicaSetSpec is how many pods, which ones, and what new ones look like.
type ReplicaSetSpec struct {
	Replicas        *int32          `json:"replicas,omitempty"`
	MinReadySeconds int32           `json:"minReadySeconds,omitempty"`
	Selector        *LabelSelector  `json:"selector"`
	Template        PodTemplateSpec `json:"template,omitempty"`
}

// ReplicaSetStatus is what the ReplicaSet controller last observed.
type ReplicaSetStatus struct {
	Replicas             int32               `json:"replicas"`
	FullyLabeledReplicas int32               `json:"fullyLabeledReplicas,omitempty"`
	ReadyReplicas        int32               `json:"readyReplicas,omitempty"`
	AvailableReplicas    int32               `json:"availableReplicas,omitempty"`
	ObservedGeneration   int64               `json:"observedGeneration,omitempty"`
	Conditions           []WorkloadCondition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// WorkloadCondition is one observed aspect of a workload (Available,
// Progressing, ReplicaFailure …).
type WorkloadCondition struct {
	Type               string          `json:"type"`
	Status             ConditionStatus `json:"status"`
	LastUpdateTime     *Time           `json:"lastUpdateTime,omitempty"`
	LastTransitionTime *Time           `json:"lastTransitionTime,omitempty"`
	Reason             string          `json:"reason,omitempty"`
	Message            string          `json:"message,omitempty"`
}

// Deployment rolls a pod template out through ReplicaSets.
type Deployment struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       DeploymentSpec   `json:"spec,omitempty"`
	Status     DeploymentStatus `json:"status,omitempty"`
}

// DeploymentSpec is the desired pods and how to move to a new template.
type DeploymentSpec struct {
	Replicas                *int32             `json:"replicas,omitempty"`
	Selector                *LabelSelector     `json:"selector"`
	Template                PodTemplateSpec    `json:"template"`
	Strategy                DeploymentStrategy `json:"strategy,omitempty" patchStrategy:"retainKeys"`
	MinReadySeconds         int32              `json:"minReadySeconds,omitempty"`
	RevisionHistoryLimit    *int32             `json:"revisionHistoryLimit,omitempty"`
	Paused                  bool               `json:"paused,omitempty"`
	ProgressDeadlineSeconds *int32             `json:"progressDeadlineSeconds,omitempty"`
}

// Deployment strategy types.
const (
	StrategyRecreate      = "Recreate"
	StrategyRollingUpdate = "RollingUpdate"
)

// DeploymentStrategy is Recreate or RollingUpdate.
type DeploymentStrategy struct {
	Type          string                   `json:"type,omitempty"`
	RollingUpdate *RollingUpdateDeployment `json:"rollingUpdate,omitempty"`
}

// RollingUpdateDeployment bounds a rolling update: how many pods may be
// missing, and how many extra may exist, at any moment.
type RollingUpdateDeployment struct {
	MaxUnavailable *IntOrString `json:"maxUnavailable,omitempty"`
	MaxSurge       *IntOrString `json:"maxSurge,omitempty"`
}

// DeploymentStatus is what the Deployment controller last observed.
type DeploymentStatus struct {
	ObservedGeneration  int64               `json:"observedGeneration,omitempty"`
	Replicas            int32               `json:"replicas,omitempty"`
	UpdatedReplicas     int32               `json:"updatedReplicas,omitempty"`
	ReadyReplicas       int32               `json:"readyReplicas,omitempty"`
	AvailableReplicas   int32               `json:"availableReplicas,omitempty"`
	UnavailableReplicas int32               `json:"unavailableReplicas,omitempty"`
	Conditions          []WorkloadCondition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
	CollisionCount      *int32              `json:"collisionCount,omitempty"`
}

// StatefulSet runs pods with stable identities (name-0, name-1 …) and, per
// pod, persistent volume claims made from volumeClaimTemplates.
type StatefulSet struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       StatefulSetSpec   `json:"spec,omitempty"`
	Status     StatefulSetStatus `json:"status,omitempty"`
}

// Pod management policies of a StatefulSet.
const (
	OrderedReadyPodManagement = "OrderedReady"
	ParallelPodManagement     = "Parallel"
)

// Update strategy types of StatefulSets and DaemonSets (RollingUpdate is
// StrategyRollingUpdate).
const StrategyOnDelete = "OnDelete"

// StatefulSetSpec is the desired pods, their claims and how to update them.
type StatefulSetSpec struct {
	Replicas             *int32                    `json:"replicas,omitempty"`
	Selector             *LabelSelector            `json:"selector"`
	Template             PodTemplateSpec           `json:"template"`
	VolumeClaimTemplates []PersistentVolumeClaim   `json:"volumeClaimTemplates,omitempty"`
	ServiceName          string                    `json:"serviceName,omitempty"`
	PodManagementPolicy  string                    `json:"podManagementPolicy,omitempty"`
	UpdateStrategy       StatefulSetUpdateStrategy `json:"updateStrategy,omitempty"`
	RevisionHistoryLimit *int32                    `json:"revisionHistoryLimit,omitempty"`
	MinReadySeconds      int32                     `json:"minReadySeconds,omitempty"`
	// PersistentVolumeClaimRetentionPolicy says whether the claims made
	// from volumeClaimTemplates go with the set when it is deleted and
	// with an ordinal when it is scaled away (default: both kept).
	PersistentVolumeClaimRetentionPolicy *StatefulSetPersistentVolumeClaimRetentionPolicy `json:"persistentVolumeClaimRetentionPolicy,omitempty"`
}

// StatefulSetPersistentVolumeClaimRetentionPolicy: each field is Retain
// (the claims outlive what made them) or Delete (the garbage collector
// deletes them, through an owner reference the controller puts on them).
type StatefulSetPersistentVolumeClaimRetentionPolicy struct {
	// WhenDeleted applies when the StatefulSet is deleted.
	WhenDeleted string `json:"whenDeleted,omitempty"`
	// WhenScaled applies to the claims of ordinals at or above replicas
	// when the set is scaled down.
	WhenScaled string `json:"whenScaled,omitempty"`
}

// Claim retention policies of a StatefulSet.
const (
	RetainClaimRetention = "Retain"
	DeleteClaimRetention = "Delete"
)

// StatefulSetUpdateStrategy is RollingUpdate (highest ordinal first, down
// to the partition) or OnDelete.
type StatefulSetUpdateStrategy struct {
	Type          string                            `json:"type,omitempty"`
	RollingUpdate *RollingUpdateStatefulSetStrategy `json:"rollingUpdate,omitempty"`
}

// RollingUpdateStatefulSetStrategy: pods with an ordinal below partition
// keep the old template.
type RollingUpdateStatefulSetStrategy struct {
	Partition      *int32       `json:"partition,omitempty"`
	MaxUnavailable *IntOrString `json:"maxUnavailable,omitempty"`
}

// StatefulSetStatus is what the StatefulSet controller last observed.
type StatefulSetStatus struct {
	ObservedGeneration int64               `json:"observedGeneration,omitempty"`
	Replicas           int32               `json:"replicas"`
	ReadyReplicas      int32               `json:"readyReplicas,omitempty"`
	CurrentReplicas    int32               `json:"currentReplicas,omitempty"`
	UpdatedReplicas    int32               `json:"updatedReplicas,omitempty"`
	AvailableReplicas  int32               `json:"availableReplicas"`
	CurrentRevision    string              `json:"currentRevision,omitempty"`
	UpdateRevision     string              `json:"updateRevision,omitempty"`
	CollisionCount     *int32              `json:"collisionCount,omitempty"`
	Conditions         []WorkloadCondition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}

// DaemonSet runs one pod on every (selected) node.
type DaemonSet struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       DaemonSetSpec   `json:"spec,omitempty"`
	Status     DaemonSetStatus `json:"status,omitempty"`
}

// DaemonSetSpec is the pod to run per node and how to update it.
type DaemonSetSpec struct {
	Selector             *LabelSelector          `json:"selector"`
	Template             PodTemplateSpec         `json:"template"`
	UpdateStrategy       DaemonSetUpdateStrategy `json:"updateStrategy,omitempty"`
	MinReadySeconds      int32                   `json:"minReadySeconds,omitempty"`
	RevisionHistoryLimit *int32                  `json:"revisionHistoryLimit,omitempty"`
}

// DaemonSetUpdateStrategy is RollingUpdate or OnDelete.
type DaemonSetUpdateStrategy struct {
	Type          string                  `json:"type,omitempty"`
	RollingUpdate *RollingUpdateDaemonSet `json:"rollingUpdate,omitempty"`
}

// RollingUpdateDaemonSet bounds a rolling update across nodes.
type RollingUpdateDaemonSet struct {
	MaxUnavailable *IntOrString `json:"maxUnavailable,omitempty"`
	MaxSurge       *IntOrString `json:"maxSurge,omitempty"`
}

// DaemonSetStatus is what the DaemonSet controller last observed.
type DaemonSetStatus struct {
	CurrentNumberScheduled int32               `json:"currentNumberScheduled"`
	NumberMisscheduled     int32               `json:"numberMisscheduled"`
	DesiredNumberScheduled int32               `json:"desiredNumberScheduled"`
	NumberReady            int32               `json:"numberReady"`
	ObservedGeneration     int64               `json:"observedGeneration,omitempty"`
	UpdatedNumberScheduled int32               `json:"updatedNumberScheduled,omitempty"`
	NumberAvailable        int32               `json:"numberAvailable,omitempty"`
	NumberUnavailable      int32               `json:"numberUnavailable,omitempty"`
	CollisionCount         *int32              `json:"collisionCount,omitempty"`
	Conditions             []WorkloadCondition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
}
