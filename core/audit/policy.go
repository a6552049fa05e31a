package audit

// Policy is an audit.k8s.io/v1 Policy: an ordered list of rules, the first
// one matching a request deciding the level it is recorded at. A request
// no rule matches is not recorded (level None).
type Policy struct {
	Kind       string `json:"kind,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
	// Rules are tried in order; the first that matches decides.
	Rules []PolicyRule `json:"rules"`
	// OmitStages are stages no event is written at, for any rule (each
	// rule may omit more).
	OmitStages []Stage `json:"omitStages,omitempty"`
	// OmitManagedFields drops metadata.managedFields from the recorded
	// bodies, unless a rule says otherwise.
	OmitManagedFields bool `json:"omitManagedFields,omitempty"`
}

// PolicyRule matches requests by who sent them and what they ask. Every
// field given must match (an empty one matches anything); a rule with
// resources or namespaces matches only resource requests, one with
// nonResourceURLs only the others.
type PolicyRule struct {
	Level Level `json:"level"`
	// Users and UserGroups match the authenticated user (the one who
	// impersonates, not the one impersonated).
	Users      []string `json:"users,omitempty"`
	UserGroups []string `json:"userGroups,omitempty"`
	// Verbs are the authorizer's verbs: get, list, watch, create, update,
	// patch, delete, deletecollection (and get, post … for paths).
	Verbs     []string         `json:"verbs,omitempty"`
	Resources []GroupResources `json:"resources,omitempty"`
	// Namespaces match the request's namespace; "" is a cluster-scoped
	// object's (or a list across namespaces).
	Namespaces []string `json:"namespaces,omitempty"`
	// NonResourceURLs are paths ("/healthz"); a final * matches a
	// prefix ("/readyz*"), a lone * every path.
	NonResourceURLs []string `json:"nonResourceURLs,omitempty"`
	// OmitStages add to the policy's.
	OmitStages []Stage `json:"omitStages,omitempty"`
	// OmitManagedFields, when set, overrides the policy's.
	OmitManagedFields *bool `json:"omitManagedFields,omitempty"`
}

// GroupResources matches resources of one API group ("" the core group,
// "*" any).
type GroupResources struct {
	Group string `json:"group,omitempty"`
	// Resources are plural names, "pods/log" for a subresource, "*/status"
	// for a subresource of any resource, "pods/*" for a resource and all
	// its subresources, "*" for everything; empty matches every resource
	// of the group.
	Resources []string `json:"resources,omitempty"`
	// ResourceNames narrow Resources to objects of these names.
	ResourceNames []string `json:"resourceNames,omitempty"`
}
