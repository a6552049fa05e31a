package rbac

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// RulesFor returns every rule the RBAC objects of src grant u in
// namespace: the rules of the ClusterRoles bound to u by
// ClusterRoleBindings, and, when namespace is not "", those of the roles
// bound by RoleBindings in namespace. It is what Decide consults, as a
// list: Decide allows a request in namespace exactly when one of these
// rules allows it. Escalation prevention compares a new role with it, and
// SelfSubjectRulesReview (kubectl auth can-i --list) shows it. A binding
// whose role is missing contributes nothing.
func RulesFor(src Source, u *rest.UserInfo, namespace string) []api.PolicyRule {
	if u == nil {
		return nil
	}
	var out []api.PolicyRule
	for _, b := range src.ClusterRoleBindings() {
		if b.RoleRef.Kind != "ClusterRole" || !appliesTo(b.Subjects, u, "") {
			continue
		}
		if r := src.ClusterRole(b.RoleRef.Name); r != nil {
			out = append(out, r.Rules...)
		}
	}
	if namespace == "" {
		return out
	}
	for _, b := range src.RoleBindings(namespace) {
		if appliesTo(b.Subjects, u, b.Namespace) {
			out = append(out, RoleRefRules(src, b.RoleRef, b.Namespace)...)
		}
	}
	return out
}

// RoleRefRules returns the rules of the role ref names: a ClusterRole, or
// a Role of namespace. A missing role, or a kind that is neither, has none.
func RoleRefRules(src Source, ref api.RoleRef, namespace string) []api.PolicyRule {
	switch ref.Kind {
	case "Role":
		if r := src.Role(namespace, ref.Name); r != nil {
			return r.Rules
		}
	case "ClusterRole":
		if r := src.ClusterRole(ref.Name); r != nil {
			return r.Rules
		}
	}
	return nil
}
