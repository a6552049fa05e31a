package api

// PersistentVolumeClaim asks for storage. The volume binder
// (core/controller/volumebinder) binds it to a PersistentVolume that fits,
// or a provisioner makes one for it.
type PersistentVolumeClaim struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       PersistentVolumeClaimSpec   `json:"spec,omitempty"`
	Status     PersistentVolumeClaimStatus `json:"status,omitempty"`
}

// Access modes of a claim.
const (
	ReadWriteOnce    = "ReadWriteOnce"
	ReadOnlyMany     = "ReadOnlyMany"
	ReadWriteMany    = "ReadWriteMany"
	ReadWriteOncePod = "ReadWriteOncePod"
)

// PersistentVolumeClaimSpec is how the storage is accessed, how much, and
// of which class.
type PersistentVolumeClaimSpec struct {
	AccessModes []string `json:"accessModes,omitempty"`
	// Selector narrows the volumes the claim may bind to by their labels.
	Selector  *LabelSelector             `json:"selector,omitempty"`
	Resources VolumeResourceRequirements `json:"resources,omitempty"`
	// VolumeName is the bound volume, or a volume the user pre-binds the
	// claim to. It may be set once after creation (the binder does).
	VolumeName       string  `json:"volumeName,omitempty"`
	StorageClassName *string `json:"storageClassName,omitempty"`
	VolumeMode       *string `json:"volumeMode,omitempty"`
}

// VolumeResourceRequirements is the storage a claim requests.
type VolumeResourceRequirements struct {
	Requests ResourceList `json:"requests,omitempty"`
	Limits   ResourceList `json:"limits,omitempty"`
}

// Claim phases.
const (
	ClaimPending = "Pending"
	ClaimBound   = "Bound"
	ClaimLost    = "Lost"
)

// PersistentVolumeClaimStatus is the claim's phase and, once bound, what it
// got.
type PersistentVolumeClaimStatus struct {
	Phase       string       `json:"phase,omitempty"`
	AccessModes []string     `json:"accessModes,omitempty"`
	Capacity    ResourceList `json:"capacity,omitempty"`
}

// ClaimClass returns the claim's storage class name, "" for none.
func ClaimClass(c *PersistentVolumeClaim) string {
	if c.Spec.StorageClassName == nil {
		return ""
	}
	return *c.Spec.StorageClassName
}

// Annotations of claims, as Kubernetes names them.
const (
	// AnnSelectedNode is set by the scheduler on a WaitForFirstConsumer
	// claim: the node its first pod goes to, where it is to be provisioned.
	AnnSelectedNode = "volume.kubernetes.io/selected-node"
	// AnnStorageProvisioner names the provisioner asked to make a volume
	// for the claim (set by the binder).
	AnnStorageProvisioner = "volume.kubernetes.io/storage-provisioner"
	// AnnBindCompleted marks a claim whose binding the binder finished.
	AnnBindCompleted = "pv.kubernetes.io/bind-completed"
	// AnnBoundByController marks a binding the binder made (rather than a
	// user's pre-binding).
	AnnBoundByController = "pv.kubernetes.io/bound-by-controller"
	// AnnProvisionedBy names the provisioner that made a volume.
	AnnProvisionedBy = "pv.kubernetes.io/provisioned-by"
	// AnnDefaultStorageClass marks the class given to claims that name none.
	AnnDefaultStorageClass = "storageclass.kubernetes.io/is-default-class"
)

// ClaimProtectionFinalizer keeps a claim that a pod uses from going away.
const ClaimProtectionFinalizer = "kubernetes.io/pvc-protection"

// PersistentVolume is a piece of storage in the cluster, bound to at most
// one claim (spec.claimRef).
type PersistentVolume struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       PersistentVolumeSpec   `json:"spec,omitempty"`
	Status     PersistentVolumeStatus `json:"status,omitempty"`
}

// Reclaim policies: what happens to a volume whose claim is deleted.
const (
	ReclaimRetain = "Retain"
	ReclaimDelete = "Delete"
)

// Volume modes.
const (
	VolumeFilesystem = "Filesystem"
	VolumeBlock      = "Block"
)

// PersistentVolumeSpec is the volume's size, how it can be accessed, where
// its data is (exactly one source), and which claim holds it.
type PersistentVolumeSpec struct {
	Capacity               ResourceList `json:"capacity,omitempty"`
	PersistentVolumeSource `json:",inline"`
	AccessModes            []string         `json:"accessModes,omitempty"`
	ClaimRef               *ObjectReference `json:"claimRef,omitempty"`
	// PersistentVolumeReclaimPolicy is Retain or Delete (the default for
	// a volume made by a user is Retain).
	PersistentVolumeReclaimPolicy string              `json:"persistentVolumeReclaimPolicy,omitempty"`
	StorageClassName              string              `json:"storageClassName,omitempty"`
	VolumeMode                    *string             `json:"volumeMode,omitempty"`
	NodeAffinity                  *VolumeNodeAffinity `json:"nodeAffinity,omitempty"`
}

// PersistentVolumeSource is where a volume's data lives.
type PersistentVolumeSource struct {
	HostPath *HostPathVolumeSource `json:"hostPath,omitempty"`
	Local    *LocalVolumeSource    `json:"local,omitempty"`
}

// LocalVolumeSource is a directory of one node; the volume's node affinity
// says which.
type LocalVolumeSource struct {
	Path   string  `json:"path"`
	FSType *string `json:"fsType,omitempty"`
}

// VolumeNodeAffinity is the nodes a volume can be used from.
type VolumeNodeAffinity struct {
	Required *NodeSelector `json:"required,omitempty"`
}

// Volume phases.
const (
	VolumePending   = "Pending"
	VolumeAvailable = "Available"
	VolumeBound     = "Bound"
	VolumeReleased  = "Released"
	VolumeFailed    = "Failed"
)

// PersistentVolumeStatus is the volume's phase.
type PersistentVolumeStatus struct {
	Phase                   string `json:"phase,omitempty"`
	Message                 string `json:"message,omitempty"`
	Reason                  string `json:"reason,omitempty"`
	LastPhaseTransitionTime *Time  `json:"lastPhaseTransitionTime,omitempty"`
}

// Volume binding modes of a StorageClass.
const (
	BindingImmediate            = "Immediate"
	BindingWaitForFirstConsumer = "WaitForFirstConsumer"
)

// StorageClass describes a kind of storage and who provisions it.
type StorageClass struct {
	TypeMeta             `json:",inline"`
	ObjectMeta           `json:"metadata,omitempty"`
	Provisioner          string            `json:"provisioner"`
	Parameters           map[string]string `json:"parameters,omitempty"`
	ReclaimPolicy        *string           `json:"reclaimPolicy,omitempty"`
	MountOptions         []string          `json:"mountOptions,omitempty"`
	AllowVolumeExpansion *bool             `json:"allowVolumeExpansion,omitempty"`
	VolumeBindingMode    *string           `json:"volumeBindingMode,omitempty"`
}

// IsDefaultClass reports whether sc carries the default-class annotation.
func IsDefaultClass(sc *StorageClass) bool {
	return sc.Annotations[AnnDefaultStorageClass] == "true"
}

// BindingMode returns the class's volume binding mode, Immediate if unset.
func BindingMode(sc *StorageClass) string {
	if sc == nil || sc.VolumeBindingMode == nil {
		return BindingImmediate
	}
	return *sc.VolumeBindingMode
}

// LabelHostname is the node label that names the node; a local volume's
// node affinity matches it. (A node that lacks the label is matched as if
// it carried its name.)
const LabelHostname = "kubernetes.io/hostname"

// LocalPathProvisioner names tinykube's local-path provisioner, which runs
// on every node (core/controller/localpath) and makes directories of that
// node into volumes.
const LocalPathProvisioner = "tinykube.io/local-path"

// VolumeUsableFrom reports whether pv's node affinity admits node, whose
// labels count with its name as kubernetes.io/hostname (a volume without
// node affinity is usable from every node). The scheduler, the binder and
// the kubelet all ask it.
func VolumeUsableFrom(pv *PersistentVolume, node *Node) bool {
	a := pv.Spec.NodeAffinity
	if a == nil || a.Required == nil {
		return true
	}
	labels := map[string]string{LabelHostname: node.Name}
	for k, v := range node.Labels {
		labels[k] = v
	}
	return MatchesNodeSelectorTerms(a.Required.NodeSelectorTerms, labels)
}
