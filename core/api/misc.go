package api

// ConfigMap holds configuration as text (data) or bytes (binaryData).
type ConfigMap struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Immutable  *bool             `json:"immutable,omitempty"`
	Data       map[string]string `json:"data,omitempty"`
	BinaryData map[string][]byte `json:"binaryData,omitempty"`
}

// Secret holds sensitive bytes. stringData is a write-only convenience: the
// API server merges it into data (base64 in JSON) and never returns it.
type Secret struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Immutable  *bool             `json:"immutable,omitempty"`
	Data       map[string][]byte `json:"data,omitempty"`
	StringData map[string]string `json:"stringData,omitempty"`
	Type       string            `json:"type,omitempty"`
}

// Event records something that happened to an object, for people to read.
type Event struct {
	TypeMeta           `json:",inline"`
	ObjectMeta         `json:"metadata,omitempty"`
	InvolvedObject     ObjectReference `json:"involvedObject"`
	Reason             string          `json:"reason,omitempty"`
	Message            string          `json:"message,omitempty"`
	Source             EventSource     `json:"source,omitempty"`
	FirstTimestamp     *Time           `json:"firstTimestamp,omitempty"`
	LastTimestamp      *Time           `json:"lastTimestamp,omitempty"`
	Count              int32           `json:"count,omitempty"`
	Type               string          `json:"type,omitempty"` // Normal or Warning
	ReportingComponent string          `json:"reportingComponent,omitempty"`
	ReportingInstance  string          `json:"reportingInstance,omitempty"`
	EventTime          *MicroTime      `json:"eventTime,omitempty"` // client-go's recorder sends it (null)
}

// EventSource names the component (and node) that reported an event.
type EventSource struct {
	Component string `json:"component,omitempty"`
	Host      string `json:"host,omitempty"`
}

// Lease is a lock with an expiry: node heartbeats and leader election use it.
type Lease struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       LeaseSpec `json:"spec,omitempty"`
}

// LeaseSpec says who holds the lease, since when, and for how long.
type LeaseSpec struct {
	HolderIdentity       *string    `json:"holderIdentity,omitempty"`
	LeaseDurationSeconds *int32     `json:"leaseDurationSeconds,omitempty"`
	AcquireTime          *MicroTime `json:"acquireTime,omitempty"`
	RenewTime            *MicroTime `json:"renewTime,omitempty"`
	LeaseTransitions     *int32     `json:"leaseTransitions,omitempty"`
}

// ServiceAccount is an identity for processes in pods.
type ServiceAccount struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Secrets    []ObjectReference `json:"secrets,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	// AutomountServiceAccountToken is accepted for compatibility with
	// manifests written for Kubernetes (Helm's starter chart sets it).
	AutomountServiceAccountToken *bool `json:"automountServiceAccountToken,omitempty"`
}

// Binding assigns a pod to a node. The scheduler posts it to the pod's
// binding subresource; the API server sets spec.nodeName once and refuses a
// second binding, so a pod can never be moved by a late scheduler.
type Binding struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Target     ObjectReference `json:"target"`
}
