package api

// Role-based access control (rbac.authorization.k8s.io/v1): rules say what
// may be done (verbs on resources of API groups, or on non-resource URLs);
// bindings grant a role's rules to subjects (users, groups, service
// accounts). A Role and a RoleBinding act in their namespace; a ClusterRole
// and a ClusterRoleBinding everywhere. A RoleBinding may also grant a
// ClusterRole's rules, within the binding's namespace only. Nothing is
// allowed unless some rule allows it: there are no deny rules.

// PolicyRule allows verbs on resources or on non-resource URLs. "*" in a
// list matches everything; a resource "pods/log" names a subresource and
// "*/scale" every resource's scale.
type PolicyRule struct {
	Verbs           []string `json:"verbs"`
	APIGroups       []string `json:"apiGroups,omitempty"`
	Resources       []string `json:"resources,omitempty"`
	ResourceNames   []string `json:"resourceNames,omitempty"`
	NonResourceURLs []string `json:"nonResourceURLs,omitempty"`
}

// Subject is who a binding grants to: a User, a Group or a ServiceAccount
// (which has a namespace).
type Subject struct {
	Kind      string `json:"kind"`
	APIGroup  string `json:"apiGroup,omitempty"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// Kinds of Subject.
const (
	SubjectUser           = "User"
	SubjectGroup          = "Group"
	SubjectServiceAccount = "ServiceAccount"
)

// RBACGroup is the API group of the RBAC kinds.
const RBACGroup = "rbac.authorization.k8s.io"

// RoleRef names the Role or ClusterRole a binding grants. It cannot change
// once the binding exists.
type RoleRef struct {
	APIGroup string `json:"apiGroup"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
}

// Role is a set of rules in one namespace.
type Role struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Rules      []PolicyRule `json:"rules"`
}

// ClusterRole is a set of rules usable in every namespace (through a
// RoleBinding) or cluster-wide (through a ClusterRoleBinding). With an
// aggregation rule its rules are those of every ClusterRole the selectors
// match, kept up to date by a controller.
type ClusterRole struct {
	TypeMeta        `json:",inline"`
	ObjectMeta      `json:"metadata,omitempty"`
	Rules           []PolicyRule     `json:"rules"`
	AggregationRule *AggregationRule `json:"aggregationRule,omitempty"`
}

// AggregationRule selects the ClusterRoles whose rules a ClusterRole
// gathers.
type AggregationRule struct {
	ClusterRoleSelectors []LabelSelector `json:"clusterRoleSelectors,omitempty"`
}

// RoleBinding grants a Role or ClusterRole to subjects in its namespace.
type RoleBinding struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Subjects   []Subject `json:"subjects,omitempty"`
	RoleRef    RoleRef   `json:"roleRef"`
}

// ClusterRoleBinding grants a ClusterRole to subjects everywhere.
type ClusterRoleBinding struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Subjects   []Subject `json:"subjects,omitempty"`
	RoleRef    RoleRef   `json:"roleRef"`
}
