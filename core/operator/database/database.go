package database

import (
	_ "embed"
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"sigs.k8s.io/yaml"
)

// The names of the kind and of what the operator puts on other objects.
const (
	Group      = "demo.tinykube.dev"
	Version    = "v1"
	Kind       = "Database"
	Plural     = "databases"
	APIVersion = Group + "/" + Version

	// Finalizer holds a Database back from deletion until the operator has
	// removed its catalog entry, which no owner reference can clean.
	Finalizer = Group + "/cleanup"
	// DatabaseLabel names the Database a pod (and every object the
	// operator makes) belongs to; RoleLabel is a pod's role in it.
	DatabaseLabel = Group + "/database"
	RoleLabel     = Group + "/role"
	RolePrimary   = "primary"
	RoleReplica   = "replica"

	// CatalogName is the shared ConfigMap of each namespace that maps a
	// database's name to its primary's address.
	CatalogName = "database-catalog"
	// Port is the port the database listens on (busybox httpd in the
	// examples).
	Port = 8080
)

// Database is the custom resource: a typed Go struct, so that the operator
// reads spec.replicas rather than digging in an api.Unstructured.
type Database struct {
	api.TypeMeta   `json:",inline"`
	api.ObjectMeta `json:"metadata,omitempty"`
	Spec           Spec   `json:"spec"`
	Status         Status `json:"status,omitempty"`
}

// Spec is what the user asks for.
type Spec struct {
	Replicas int32             `json:"replicas,omitempty"`
	Image    string            `json:"image"`
	Command  []string          `json:"command,omitempty"`
	Config   map[string]string `json:"config,omitempty"`
}

// Status is what the operator observed, written through /status.
type Status struct {
	Phase   string `json:"phase,omitempty"`
	Primary string `json:"primary,omitempty"`
	// PrimaryUID is the uid of the pod promoted: a pod recreated under the
	// primary's name (a StatefulSet does that) is a new, empty member, not
	// the primary.
	PrimaryUID         string          `json:"primaryUID,omitempty"`
	ReadyReplicas      int32           `json:"readyReplicas"`
	ObservedGeneration int64           `json:"observedGeneration,omitempty"`
	Conditions         []api.Condition `json:"conditions,omitempty"`
}

// The phases and the condition types of a Database.
const (
	PhasePending  = "Pending"
	PhaseRunning  = "Running"
	PhaseDegraded = "Degraded"
	PhaseDeleting = "Deleting"

	// ConditionReady: a primary is labelled and ready. ConditionAvailable:
	// every asked-for replica is ready.
	ConditionReady     = "Ready"
	ConditionAvailable = "Available"
)

// replicas returns spec.replicas with the schema's default applied (an
// API server that does not default yet leaves 0).
func (d *Database) replicas() int32 {
	if d.Spec.Replicas <= 0 {
		return 3
	}
	return d.Spec.Replicas
}

// Condition returns the condition of type t, or nil.
func (s *Status) Condition(t string) *api.Condition {
	for i := range s.Conditions {
		if s.Conditions[i].Type == t {
			return &s.Conditions[i]
		}
	}
	return nil
}

// Resource returns the API resource of the kind, for client.ForResource
// and client.NewInformerOf: where it lives in the URL space and how to make
// an empty one. It is a fresh value each call; nobody shares it.
func Resource() *api.Resource {
	return &api.Resource{
		Group: Group, Version: Version, Kind: Kind, Plural: Plural, Singular: "database",
		ShortNames: []string{"db"}, Namespaced: true, HasStatus: true,
		New: func() api.Object { return &Database{TypeMeta: api.TypeMeta{APIVersion: APIVersion, Kind: Kind}} },
	}
}

//go:embed crd.yaml
var crdYAML []byte

// CRDYAML returns the CustomResourceDefinition of the kind as the YAML a
// user applies (examples/operators/database/crd.yaml is a copy).
func CRDYAML() []byte { return append([]byte(nil), crdYAML...) }

// CRD returns the CustomResourceDefinition of the kind, decoded.
func CRD() *api.CustomResourceDefinition {
	var crd api.CustomResourceDefinition
	if err := yaml.Unmarshal(crdYAML, &crd); err != nil {
		panic(fmt.Sprintf("database: the embedded crd.yaml does not decode: %v", err)) // a build-time constant
	}
	return &crd
}
