package database

import "github.com/tinykube/tinykube/core/api"

// The operator's identity where it runs as a ServiceAccount (the
// simulator's operator process, and examples/operators/database/rbac.yaml).
const (
	ServiceAccountNamespace = "kube-system"
	ServiceAccountName      = "database-operator"
)

// ClusterRole is everything the operator does, and no more (the same
// rules as examples/operators/database/rbac.yaml).
func ClusterRole() *api.ClusterRole {
	rw := []string{"get", "list", "watch", "create", "update", "patch", "delete"}
	return &api.ClusterRole{
		TypeMeta:   api.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
		ObjectMeta: api.ObjectMeta{Name: ServiceAccountName},
		Rules: []api.PolicyRule{
			{APIGroups: []string{Group}, Resources: []string{Plural}, Verbs: []string{"get", "list", "watch", "update", "patch"}},
			{APIGroups: []string{Group}, Resources: []string{Plural + "/status"}, Verbs: []string{"get", "update", "patch"}},
			{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch", "update", "patch"}},
			{APIGroups: []string{""}, Resources: []string{"configmaps", "services"}, Verbs: rw},
			{APIGroups: []string{"apps"}, Resources: []string{"statefulsets"}, Verbs: rw},
			{APIGroups: []string{"", "events.k8s.io"}, Resources: []string{"events"}, Verbs: []string{"create", "patch", "update"}},
		},
	}
}

// ClusterRoleBinding grants ClusterRole to the operator's ServiceAccount.
func ClusterRoleBinding() *api.ClusterRoleBinding {
	return &api.ClusterRoleBinding{
		TypeMeta:   api.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
		ObjectMeta: api.ObjectMeta{Name: ServiceAccountName},
		RoleRef:    api.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: ServiceAccountName},
		Subjects:   []api.Subject{{Kind: "ServiceAccount", Name: ServiceAccountName, Namespace: ServiceAccountNamespace}},
	}
}
