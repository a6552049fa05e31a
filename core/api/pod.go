package api

// Pod is one or more containers that share a network namespace and volumes
// and are scheduled onto one node together.
type Pod struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       PodSpec   `json:"spec,omitempty"`
	Status     PodStatus `json:"status,omitempty"`
}

// PodSpec is what the pod should run and where it may run.
type PodSpec struct {
	Volumes                       []Volume          `json:"volumes,omitempty" patchStrategy:"merge,retainKeys" patchMergeKey:"name"`
	InitContainers                []Container       `json:"initContainers,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Containers                    []Container       `json:"containers" patchStrategy:"merge" patchMergeKey:"name"`
	RestartPolicy                 RestartPolicy     `json:"restartPolicy,omitempty"`
	TerminationGracePeriodSeconds *int64            `json:"terminationGracePeriodSeconds,omitempty"`
	ActiveDeadlineSeconds         *int64            `json:"activeDeadlineSeconds,omitempty"`
	DNSPolicy                     string            `json:"dnsPolicy,omitempty"`
	NodeSelector                  map[string]string `json:"nodeSelector,omitempty"`
	ServiceAccountName            string            `json:"serviceAccountName,omitempty"`
	// DeprecatedServiceAccount is the old name of ServiceAccountName;
	// the API server keeps the two equal.
	DeprecatedServiceAccount string `json:"serviceAccount,omitempty"`
	NodeName                 string `json:"nodeName,omitempty"`
	HostNetwork              bool   `json:"hostNetwork,omitempty"`
	// HostPID and HostIPC put the pod's containers in the node's process
	// and IPC namespaces; Pod Security admission's baseline level refuses
	// both.
	HostPID bool `json:"hostPID,omitempty"`
	HostIPC bool `json:"hostIPC,omitempty"`
	// ShareProcessNamespace puts the pod's containers in one process
	// namespace; HostUsers false asks for a user namespace. Both are
	// accepted for compatibility and read by Pod Security admission.
	ShareProcessNamespace *bool               `json:"shareProcessNamespace,omitempty"`
	HostUsers             *bool               `json:"hostUsers,omitempty"`
	Hostname              string              `json:"hostname,omitempty"`
	Subdomain             string              `json:"subdomain,omitempty"`
	Affinity              *Affinity           `json:"affinity,omitempty"`
	SchedulerName         string              `json:"schedulerName,omitempty"`
	Tolerations           []Toleration        `json:"tolerations,omitempty"`
	Priority              *int32              `json:"priority,omitempty"`
	PriorityClassName     string              `json:"priorityClassName,omitempty"`
	SecurityContext       *PodSecurityContext `json:"securityContext,omitempty"`
	// EnableServiceLinks (true if unset) gives the containers variables
	// for every Service of the pod's namespace (NAME_SERVICE_HOST, ...);
	// those of the kubernetes Service in default are given regardless.
	EnableServiceLinks *bool `json:"enableServiceLinks,omitempty"`

	// AutomountServiceAccountToken is accepted for compatibility with
	// manifests written for Kubernetes.
	AutomountServiceAccountToken *bool `json:"automountServiceAccountToken,omitempty"`
}

// RestartPolicy says when the kubelet restarts a pod's containers.
type RestartPolicy string

// The restart policies.
const (
	RestartAlways    RestartPolicy = "Always"
	RestartOnFailure RestartPolicy = "OnFailure"
	RestartNever     RestartPolicy = "Never"
)

// PodSecurityContext holds pod-wide process identity and security
// settings. Its fields that a container's SecurityContext also has are
// defaults the container's own setting overrides (security.go).
type PodSecurityContext struct {
	SELinuxOptions *SELinuxOptions                `json:"seLinuxOptions,omitempty"`
	WindowsOptions *WindowsSecurityContextOptions `json:"windowsOptions,omitempty"`
	RunAsUser      *int64                         `json:"runAsUser,omitempty"`
	RunAsGroup     *int64                         `json:"runAsGroup,omitempty"`
	RunAsNonRoot   *bool                          `json:"runAsNonRoot,omitempty"`
	// SupplementalGroups are added to every container's first process,
	// beside its primary group.
	SupplementalGroups []int64 `json:"supplementalGroups,omitempty"`
	// SupplementalGroupsPolicy is Merge (the image's /etc/group
	// memberships too) or Strict; accepted for compatibility.
	SupplementalGroupsPolicy *string `json:"supplementalGroupsPolicy,omitempty"`
	// FSGroup owns the pod's writable volumes (group, setgid) and is a
	// supplemental group of every container.
	FSGroup *int64 `json:"fsGroup,omitempty"`
	// Sysctls are namespaced kernel settings for the pod's sandbox.
	Sysctls []Sysctl `json:"sysctls,omitempty"`
	// FSGroupChangePolicy is OnRootMismatch or Always.
	FSGroupChangePolicy *string          `json:"fsGroupChangePolicy,omitempty"`
	SeccompProfile      *SeccompProfile  `json:"seccompProfile,omitempty"`
	AppArmorProfile     *AppArmorProfile `json:"appArmorProfile,omitempty"`
	SELinuxChangePolicy *string          `json:"seLinuxChangePolicy,omitempty"`
}

// SecurityContext is one container's process identity and privileges.
// Unset fields take the pod's PodSecurityContext value, then the runtime's
// default (the image's user, the runtime's capability set).
type SecurityContext struct {
	Capabilities *Capabilities `json:"capabilities,omitempty"`
	// Privileged gives the process every capability and the node's
	// devices.
	Privileged     *bool                          `json:"privileged,omitempty"`
	SELinuxOptions *SELinuxOptions                `json:"seLinuxOptions,omitempty"`
	WindowsOptions *WindowsSecurityContextOptions `json:"windowsOptions,omitempty"`
	RunAsUser      *int64                         `json:"runAsUser,omitempty"`
	RunAsGroup     *int64                         `json:"runAsGroup,omitempty"`
	// RunAsNonRoot makes the kubelet refuse to start the container when
	// it would run as uid 0.
	RunAsNonRoot           *bool `json:"runAsNonRoot,omitempty"`
	ReadOnlyRootFilesystem *bool `json:"readOnlyRootFilesystem,omitempty"`
	// AllowPrivilegeEscalation false sets no_new_privs: setuid binaries
	// and file capabilities no longer raise privileges.
	AllowPrivilegeEscalation *bool            `json:"allowPrivilegeEscalation,omitempty"`
	ProcMount                *string          `json:"procMount,omitempty"`
	SeccompProfile           *SeccompProfile  `json:"seccompProfile,omitempty"`
	AppArmorProfile          *AppArmorProfile `json:"appArmorProfile,omitempty"`
}

// Capabilities are Linux capabilities added to and dropped from the
// runtime's default set, named without the CAP_ prefix ("NET_ADMIN", or
// "ALL").
type Capabilities struct {
	Add  []string `json:"add,omitempty"`
	Drop []string `json:"drop,omitempty"`
}

// The seccomp profile types.
const (
	SeccompProfileRuntimeDefault = "RuntimeDefault"
	SeccompProfileUnconfined     = "Unconfined"
	SeccompProfileLocalhost      = "Localhost"
)

// SeccompProfile is the system-call filter a container runs under:
// RuntimeDefault (the runtime's profile), Unconfined, or Localhost (a
// profile file on the node, LocalhostProfile, relative to the kubelet's
// seccomp directory).
type SeccompProfile struct {
	Type             string  `json:"type"`
	LocalhostProfile *string `json:"localhostProfile,omitempty"`
}

// AppArmorProfile is the AppArmor profile a container runs under:
// RuntimeDefault, Unconfined or Localhost.
type AppArmorProfile struct {
	Type             string  `json:"type"`
	LocalhostProfile *string `json:"localhostProfile,omitempty"`
}

// SELinuxOptions label a container's processes and files.
type SELinuxOptions struct {
	User  string `json:"user,omitempty"`
	Role  string `json:"role,omitempty"`
	Type  string `json:"type,omitempty"`
	Level string `json:"level,omitempty"`
}

// WindowsSecurityContextOptions are Windows containers' settings,
// accepted for compatibility (Pod Security admission reads HostProcess).
type WindowsSecurityContextOptions struct {
	GMSACredentialSpecName *string `json:"gmsaCredentialSpecName,omitempty"`
	GMSACredentialSpec     *string `json:"gmsaCredentialSpec,omitempty"`
	RunAsUserName          *string `json:"runAsUserName,omitempty"`
	HostProcess            *bool   `json:"hostProcess,omitempty"`
}

// Sysctl is one kernel setting (name, value) of a pod's sandbox.
type Sysctl struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Container is one process (image, command, environment) in a pod.
type Container struct {
	Name            string               `json:"name"`
	Image           string               `json:"image,omitempty"`
	Command         []string             `json:"command,omitempty"`
	Args            []string             `json:"args,omitempty"`
	WorkingDir      string               `json:"workingDir,omitempty"`
	Ports           []ContainerPort      `json:"ports,omitempty" patchStrategy:"merge" patchMergeKey:"containerPort"`
	EnvFrom         []EnvFromSource      `json:"envFrom,omitempty"`
	Env             []EnvVar             `json:"env,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Resources       ResourceRequirements `json:"resources,omitempty"`
	VolumeMounts    []VolumeMount        `json:"volumeMounts,omitempty" patchStrategy:"merge" patchMergeKey:"mountPath"`
	LivenessProbe   *Probe               `json:"livenessProbe,omitempty"`
	ReadinessProbe  *Probe               `json:"readinessProbe,omitempty"`
	StartupProbe    *Probe               `json:"startupProbe,omitempty"`
	ImagePullPolicy PullPolicy           `json:"imagePullPolicy,omitempty"`
	// Stdin keeps a stdin open for the container's process, which
	// `kubectl attach -i` writes to; without it the process reads end of
	// file at once.
	Stdin bool `json:"stdin,omitempty"`
	// StdinOnce closes that stdin when the first attach that wrote to it
	// ends, so the process sees end of file then (`kubectl run -i` sets
	// it). Without it stdin stays open across attaches.
	StdinOnce bool `json:"stdinOnce,omitempty"`
	// TTY gives the process a terminal: its stdout and stderr come
	// together on it, and an attach may resize it.
	TTY bool `json:"tty,omitempty"`
	// TerminationMessagePath is accepted for compatibility with manifests
	// written for Kubernetes.
	TerminationMessagePath string `json:"terminationMessagePath,omitempty"`
	// SecurityContext is the container's identity and privileges, over
	// the pod's securityContext.
	SecurityContext *SecurityContext `json:"securityContext,omitempty"`
}

// PullPolicy says when the kubelet pulls a container's image.
type PullPolicy string

// The pull policies.
const (
	PullAlways       PullPolicy = "Always"
	PullIfNotPresent PullPolicy = "IfNotPresent"
	PullNever        PullPolicy = "Never"
)

// Protocol is a network protocol of a port.
type Protocol string

// The protocols.
const (
	ProtocolTCP  Protocol = "TCP"
	ProtocolUDP  Protocol = "UDP"
	ProtocolSCTP Protocol = "SCTP"
)

// ContainerPort is a port a container listens on.
type ContainerPort struct {
	Name          string   `json:"name,omitempty"`
	HostPort      int32    `json:"hostPort,omitempty"`
	ContainerPort int32    `json:"containerPort"`
	Protocol      Protocol `json:"protocol,omitempty"`
	HostIP        string   `json:"hostIP,omitempty"`
}

// EnvVar is one environment variable, given literally or taken from another
// object.
type EnvVar struct {
	Name      string        `json:"name"`
	Value     string        `json:"value,omitempty"`
	ValueFrom *EnvVarSource `json:"valueFrom,omitempty"`
}

// EnvVarSource takes an environment variable's value from a ConfigMap key, a
// Secret key, or a field of the pod.
type EnvVarSource struct {
	FieldRef         *ObjectFieldSelector   `json:"fieldRef,omitempty"`
	ResourceFieldRef *ResourceFieldSelector `json:"resourceFieldRef,omitempty"`
	ConfigMapKeyRef  *KeySelector           `json:"configMapKeyRef,omitempty"`
	SecretKeyRef     *KeySelector           `json:"secretKeyRef,omitempty"`
}

// ResourceFieldSelector names a container's limit or request ("limits.cpu",
// "requests.memory"), as a number of Divisor units (1 when nil or zero).
// ContainerName may be left empty in an env var (the container itself) but
// not in a downwardAPI volume.
type ResourceFieldSelector struct {
	ContainerName string    `json:"containerName,omitempty"`
	Resource      string    `json:"resource"`
	Divisor       *Quantity `json:"divisor,omitempty"`
}

// ObjectFieldSelector names a field of the pod, such as "status.podIP".
type ObjectFieldSelector struct {
	APIVersion string `json:"apiVersion,omitempty"`
	FieldPath  string `json:"fieldPath"`
}

// KeySelector names one key of a ConfigMap or Secret.
type KeySelector struct {
	Name     string `json:"name"`
	Key      string `json:"key"`
	Optional *bool  `json:"optional,omitempty"`
}

// EnvFromSource imports every key of a ConfigMap or Secret as variables.
type EnvFromSource struct {
	Prefix       string    `json:"prefix,omitempty"`
	ConfigMapRef *LocalRef `json:"configMapRef,omitempty"`
	SecretRef    *LocalRef `json:"secretRef,omitempty"`
}

// LocalRef names an object in the same namespace.
type LocalRef struct {
	Name     string `json:"name"`
	Optional *bool  `json:"optional,omitempty"`
}

// ResourceRequirements are what a container asks the scheduler for
// (requests) and what the runtime enforces (limits).
type ResourceRequirements struct {
	Limits   ResourceList `json:"limits,omitempty"`
	Requests ResourceList `json:"requests,omitempty"`
}

// VolumeMount places a pod volume at a path inside a container.
type VolumeMount struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
	SubPath   string `json:"subPath,omitempty"`
	ReadOnly  bool   `json:"readOnly,omitempty"`
}

// Volume is a named directory available to a pod's containers. Exactly one
// source is set.
type Volume struct {
	Name         string `json:"name"`
	VolumeSource `json:",inline"`
}

// VolumeSource is where a volume's content comes from.
type VolumeSource struct {
	EmptyDir              *EmptyDirVolumeSource              `json:"emptyDir,omitempty"`
	HostPath              *HostPathVolumeSource              `json:"hostPath,omitempty"`
	ConfigMap             *ConfigMapVolumeSource             `json:"configMap,omitempty"`
	Secret                *SecretVolumeSource                `json:"secret,omitempty"`
	PersistentVolumeClaim *PersistentVolumeClaimVolumeSource `json:"persistentVolumeClaim,omitempty"`
	DownwardAPI           *DownwardAPIVolumeSource           `json:"downwardAPI,omitempty"`
	Projected             *ProjectedVolumeSource             `json:"projected,omitempty"`
}

// DownwardAPIVolumeSource writes fields of the pod (its labels, its
// containers' limits) as files.
type DownwardAPIVolumeSource struct {
	Items       []DownwardAPIVolumeFile `json:"items,omitempty"`
	DefaultMode *int32                  `json:"defaultMode,omitempty"`
}

// DownwardAPIVolumeFile is one file of a downwardAPI volume: exactly one of
// FieldRef and ResourceFieldRef.
type DownwardAPIVolumeFile struct {
	Path             string                 `json:"path"`
	FieldRef         *ObjectFieldSelector   `json:"fieldRef,omitempty"`
	ResourceFieldRef *ResourceFieldSelector `json:"resourceFieldRef,omitempty"`
	Mode             *int32                 `json:"mode,omitempty"`
}

// ProjectedVolumeSource merges ConfigMaps, Secrets, downward API files and
// a ServiceAccount token into one directory. (Kubernetes'
// clusterTrustBundle projection is not supported.)
type ProjectedVolumeSource struct {
	Sources     []VolumeProjection `json:"sources"`
	DefaultMode *int32             `json:"defaultMode,omitempty"`
}

// VolumeProjection is one source of a projected volume: exactly one is set.
type VolumeProjection struct {
	ConfigMap   *ConfigMapProjection   `json:"configMap,omitempty"`
	Secret      *SecretProjection      `json:"secret,omitempty"`
	DownwardAPI *DownwardAPIProjection `json:"downwardAPI,omitempty"`
	// ServiceAccountToken is a token of the pod's ServiceAccount, bound
	// to the pod; the kubelet requests it and renews it before it
	// expires.
	ServiceAccountToken *ServiceAccountTokenProjection `json:"serviceAccountToken,omitempty"`
}

// ServiceAccountTokenProjection writes a token of the pod's
// ServiceAccount to Path: for Audience (the API server's when empty),
// living ExpirationSeconds (3600 when unset, at least 600).
type ServiceAccountTokenProjection struct {
	Audience          string `json:"audience,omitempty"`
	ExpirationSeconds *int64 `json:"expirationSeconds,omitempty"`
	Path              string `json:"path"`
}

// ConfigMapProjection projects a ConfigMap's keys into a projected volume.
type ConfigMapProjection struct {
	Name     string      `json:"name,omitempty"`
	Items    []KeyToPath `json:"items,omitempty"`
	Optional *bool       `json:"optional,omitempty"`
}

// SecretProjection projects a Secret's keys into a projected volume.
type SecretProjection struct {
	Name     string      `json:"name,omitempty"`
	Items    []KeyToPath `json:"items,omitempty"`
	Optional *bool       `json:"optional,omitempty"`
}

// DownwardAPIProjection projects fields of the pod into a projected volume.
type DownwardAPIProjection struct {
	Items []DownwardAPIVolumeFile `json:"items,omitempty"`
}

// EmptyDirVolumeSource is a scratch directory that lives as long as the pod.
type EmptyDirVolumeSource struct {
	Medium    string    `json:"medium,omitempty"`
	SizeLimit *Quantity `json:"sizeLimit,omitempty"`
}

// HostPathVolumeSource is a directory of the node.
type HostPathVolumeSource struct {
	Path string `json:"path"`
	Type string `json:"type,omitempty"`
}

// KeyToPath projects one key of a ConfigMap or Secret to a file.
type KeyToPath struct {
	Key  string `json:"key"`
	Path string `json:"path"`
	Mode *int32 `json:"mode,omitempty"`
}

// ConfigMapVolumeSource projects a ConfigMap's keys as files.
type ConfigMapVolumeSource struct {
	Name        string      `json:"name"`
	Items       []KeyToPath `json:"items,omitempty"`
	DefaultMode *int32      `json:"defaultMode,omitempty"`
	Optional    *bool       `json:"optional,omitempty"`
}

// SecretVolumeSource projects a Secret's keys as files.
type SecretVolumeSource struct {
	SecretName  string      `json:"secretName"`
	Items       []KeyToPath `json:"items,omitempty"`
	DefaultMode *int32      `json:"defaultMode,omitempty"`
	Optional    *bool       `json:"optional,omitempty"`
}

// PersistentVolumeClaimVolumeSource mounts the volume bound to a claim.
type PersistentVolumeClaimVolumeSource struct {
	ClaimName string `json:"claimName"`
	ReadOnly  bool   `json:"readOnly,omitempty"`
}

// Probe is a periodic health check of a container.
type Probe struct {
	ProbeHandler                  `json:",inline"`
	InitialDelaySeconds           int32  `json:"initialDelaySeconds,omitempty"`
	TimeoutSeconds                int32  `json:"timeoutSeconds,omitempty"`
	PeriodSeconds                 int32  `json:"periodSeconds,omitempty"`
	SuccessThreshold              int32  `json:"successThreshold,omitempty"`
	FailureThreshold              int32  `json:"failureThreshold,omitempty"`
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty"`
}

// ProbeHandler is how a probe checks: exactly one is set.
type ProbeHandler struct {
	Exec      *ExecAction      `json:"exec,omitempty"`
	HTTPGet   *HTTPGetAction   `json:"httpGet,omitempty"`
	TCPSocket *TCPSocketAction `json:"tcpSocket,omitempty"`
}

// ExecAction runs a command inside the container; exit 0 is healthy.
type ExecAction struct {
	Command []string `json:"command,omitempty"`
}

// HTTPGetAction requests a path; a status in 200–399 is healthy.
type HTTPGetAction struct {
	Path   string      `json:"path,omitempty"`
	Port   IntOrString `json:"port"`
	Host   string      `json:"host,omitempty"`
	Scheme string      `json:"scheme,omitempty"`
}

// TCPSocketAction opens a connection; success is healthy.
type TCPSocketAction struct {
	Port IntOrString `json:"port"`
	Host string      `json:"host,omitempty"`
}

// Toleration lets a pod run on a node with a matching taint.
type Toleration struct {
	Key               string `json:"key,omitempty"`
	Operator          string `json:"operator,omitempty"` // Exists or Equal (default)
	Value             string `json:"value,omitempty"`
	Effect            string `json:"effect,omitempty"` // NoSchedule, PreferNoSchedule, NoExecute; empty matches all
	TolerationSeconds *int64 `json:"tolerationSeconds,omitempty"`
}

// Affinity holds scheduling constraints beyond nodeSelector.
type Affinity struct {
	NodeAffinity *NodeAffinity `json:"nodeAffinity,omitempty"`
}

// NodeAffinity restricts (required) or prefers (preferred) nodes by label.
type NodeAffinity struct {
	RequiredDuringSchedulingIgnoredDuringExecution  *NodeSelector             `json:"requiredDuringSchedulingIgnoredDuringExecution,omitempty"`
	PreferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm `json:"preferredDuringSchedulingIgnoredDuringExecution,omitempty"`
}

// NodeSelector is an OR of terms; a node matches if any term matches.
type NodeSelector struct {
	NodeSelectorTerms []NodeSelectorTerm `json:"nodeSelectorTerms"`
}

// NodeSelectorTerm is an AND of label requirements.
type NodeSelectorTerm struct {
	MatchExpressions []NodeSelectorRequirement `json:"matchExpressions,omitempty"`
}

// NodeSelectorRequirement is one label test: In, NotIn, Exists,
// DoesNotExist, Gt, Lt.
type NodeSelectorRequirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

// PreferredSchedulingTerm adds weight to nodes that match its term.
type PreferredSchedulingTerm struct {
	Weight     int32            `json:"weight"`
	Preference NodeSelectorTerm `json:"preference"`
}

// PodPhase is the coarse lifecycle state of a pod.
type PodPhase string

// The pod phases.
const (
	PodPending   PodPhase = "Pending"
	PodRunning   PodPhase = "Running"
	PodSucceeded PodPhase = "Succeeded"
	PodFailed    PodPhase = "Failed"
	PodUnknown   PodPhase = "Unknown"
)

// PodStatus is what the scheduler and kubelet last observed of a pod.
type PodStatus struct {
	Phase                 PodPhase          `json:"phase,omitempty"`
	Conditions            []PodCondition    `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
	Message               string            `json:"message,omitempty"`
	Reason                string            `json:"reason,omitempty"`
	HostIP                string            `json:"hostIP,omitempty"`
	PodIP                 string            `json:"podIP,omitempty"`
	PodIPs                []PodIP           `json:"podIPs,omitempty" patchStrategy:"merge" patchMergeKey:"ip"`
	StartTime             *Time             `json:"startTime,omitempty"`
	InitContainerStatuses []ContainerStatus `json:"initContainerStatuses,omitempty"`
	ContainerStatuses     []ContainerStatus `json:"containerStatuses,omitempty"`
	QOSClass              string            `json:"qosClass,omitempty"`
}

// PodIP is one address of a pod.
type PodIP struct {
	IP string `json:"ip"`
}

// Pod condition types.
const (
	PodScheduled    = "PodScheduled"
	PodInitialized  = "Initialized"
	ContainersReady = "ContainersReady"
	PodReady        = "Ready"
)

// ConditionStatus is True, False or Unknown.
type ConditionStatus string

// The condition statuses.
const (
	ConditionTrue    ConditionStatus = "True"
	ConditionFalse   ConditionStatus = "False"
	ConditionUnknown ConditionStatus = "Unknown"
)

// PodCondition is one observed aspect of a pod (scheduled, ready …).
type PodCondition struct {
	Type               string          `json:"type"`
	Status             ConditionStatus `json:"status"`
	LastProbeTime      *Time           `json:"lastProbeTime,omitempty"`
	LastTransitionTime *Time           `json:"lastTransitionTime,omitempty"`
	Reason             string          `json:"reason,omitempty"`
	Message            string          `json:"message,omitempty"`
}

// ContainerStatus is the kubelet's view of one container.
type ContainerStatus struct {
	Name                 string         `json:"name"`
	State                ContainerState `json:"state,omitempty"`
	LastTerminationState ContainerState `json:"lastState,omitempty"`
	Ready                bool           `json:"ready"`
	RestartCount         int32          `json:"restartCount"`
	Image                string         `json:"image"`
	ImageID              string         `json:"imageID"`
	ContainerID          string         `json:"containerID,omitempty"`
	Started              *bool          `json:"started,omitempty"`
}

// ContainerState is exactly one of waiting, running or terminated.
type ContainerState struct {
	Waiting    *ContainerStateWaiting    `json:"waiting,omitempty"`
	Running    *ContainerStateRunning    `json:"running,omitempty"`
	Terminated *ContainerStateTerminated `json:"terminated,omitempty"`
}

// ContainerStateWaiting says why a container is not running yet
// (ContainerCreating, CrashLoopBackOff, ImagePullBackOff …).
type ContainerStateWaiting struct {
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// ContainerStateRunning says since when a container runs.
type ContainerStateRunning struct {
	StartedAt *Time `json:"startedAt,omitempty"`
}

// ContainerStateTerminated records how a container ended.
type ContainerStateTerminated struct {
	ExitCode    int32  `json:"exitCode"`
	Signal      int32  `json:"signal,omitempty"`
	Reason      string `json:"reason,omitempty"`
	Message     string `json:"message,omitempty"`
	StartedAt   *Time  `json:"startedAt,omitempty"`
	FinishedAt  *Time  `json:"finishedAt,omitempty"`
	ContainerID string `json:"containerID,omitempty"`
}

// PodTemplateSpec is the pod a controller stamps out.
type PodTemplateSpec struct {
	ObjectMeta `json:"metadata,omitempty"`
	Spec       PodSpec `json:"spec,omitempty"`
}

// FindCondition returns the pod condition of type t, or nil.
func (s *PodStatus) FindCondition(t string) *PodCondition {
	for i := range s.Conditions {
		if s.Conditions[i].Type == t {
			return &s.Conditions[i]
		}
	}
	return nil
}

// IsPodReady reports whether the pod's Ready condition is True.
func IsPodReady(p *Pod) bool {
	c := p.Status.FindCondition(PodReady)
	return c != nil && c.Status == ConditionTrue
}

// IsPodPhaseTerminal reports whether phase is one a pod never leaves:
// Succeeded or Failed. Its containers have stopped for good (whatever the
// restart policy, a terminal pod is not restarted); the pod object stays
// until someone deletes it.
func IsPodPhaseTerminal(phase PodPhase) bool {
	return phase == PodSucceeded || phase == PodFailed
}

// IsPodTerminal reports whether p has finished: its phase is Succeeded or
// Failed. It says nothing of deletion: a terminal pod may or may not carry
// a deletionTimestamp, and a pod being deleted is not terminal until its
// kubelet says it has stopped.
func IsPodTerminal(p *Pod) bool { return IsPodPhaseTerminal(p.Status.Phase) }

// IsPodActive reports whether p still counts as one of its controller's
// pods: not being deleted (no deletionTimestamp) and not terminal. This
// is Kubernetes' controller.IsPodActive: a ReplicaSet, Job or DaemonSet
// replaces a pod that is no longer active, and an Endpoints lists only
// active pods.
func IsPodActive(p *Pod) bool { return p.DeletionTimestamp == nil && !IsPodTerminal(p) }
