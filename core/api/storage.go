package api

// PersistentVolumeClaim asks for storage. tinykube stores claims (a
// StatefulSet makes one per pod from its volumeClaimTemplates) but has no
// volume binder yet, so nothing moves a claim out of Pending.
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
	AccessModes      []string                   `json:"accessModes,omitempty"`
	Resources        VolumeResourceRequirements `json:"resources,omitempty"`
	VolumeName       string                     `json:"volumeName,omitempty"`
	StorageClassName *string                    `json:"storageClassName,omitempty"`
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
