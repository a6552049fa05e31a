package rbac

import (
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
)

// Source is the RBAC objects a decision reads. The API server keeps them
// in a cache that follows the store; tests and the lab build them by hand.
// A missing role is nil.
type Source interface {
	ClusterRoleBindings() []*api.ClusterRoleBinding
	// RoleBindings returns the bindings of one namespace.
	RoleBindings(namespace string) []*api.RoleBinding
	Role(namespace, name string) *api.Role
	ClusterRole(name string) *api.ClusterRole
}

// DecideFunc is the shape of Decide, which the chapter 16 lab replaces.
type DecideFunc func(src Source, a authorizer.Attributes) (allowed bool, reason string)

// Decide reports whether the RBAC objects of src allow a, and if so which
// binding did, as a reason a reader understands.
//
// A ClusterRoleBinding grants its ClusterRole's rules everywhere. A
// RoleBinding grants its role's rules — a Role of its own namespace or a
// ClusterRole — only for requests in the binding's namespace; a request at
// the cluster scope (a.Namespace "") is never allowed by a RoleBinding. A
// binding applies to a user when one of its subjects names the user, one
// of the user's groups, or the service account the user is. A binding
// whose role does not exist grants nothing.
func Decide(src Source, a authorizer.Attributes) (bool, string) {
	if a.User == nil {
		return false, ""
	}
	for _, b := range src.ClusterRoleBindings() {
		if b.RoleRef.Kind != "ClusterRole" || !appliesTo(b.Subjects, a.User, "") {
			continue
		}
		if r := src.ClusterRole(b.RoleRef.Name); r != nil && anyRuleAllows(r.Rules, a) {
			return true, fmt.Sprintf("RBAC: allowed by ClusterRoleBinding %q of ClusterRole %q to %s", b.Name, r.Name, a.User.Name)
		}
	}
	if a.Namespace == "" {
		return false, ""
	}
	for _, b := range src.RoleBindings(a.Namespace) {
		if !appliesTo(b.Subjects, a.User, b.Namespace) {
			continue
		}
		var rules []api.PolicyRule
		switch b.RoleRef.Kind {
		case "Role":
			if r := src.Role(b.Namespace, b.RoleRef.Name); r != nil {
				rules = r.Rules
			}
		case "ClusterRole":
			if r := src.ClusterRole(b.RoleRef.Name); r != nil {
				rules = r.Rules
			}
		}
		if anyRuleAllows(rules, a) {
			return true, fmt.Sprintf("RBAC: allowed by RoleBinding %q of %s %q to %s in namespace %q", b.Name, b.RoleRef.Kind, b.RoleRef.Name, a.User.Name, b.Namespace)
		}
	}
	return false, ""
}

func anyRuleAllows(rules []api.PolicyRule, a authorizer.Attributes) bool {
	for _, r := range rules {
		if RuleAllows(r, a) {
			return true
		}
	}
	return false
}

// appliesTo reports whether one of subjects is u. A ServiceAccount
// subject without a namespace means the binding's own (bindingNS).
func appliesTo(subjects []api.Subject, u *rest.UserInfo, bindingNS string) bool {
	for _, s := range subjects {
		switch s.Kind {
		case api.SubjectUser:
			if s.Name == u.Name {
				return true
			}
		case api.SubjectGroup:
			if u.InGroup(s.Name) {
				return true
			}
		case api.SubjectServiceAccount:
			ns := s.Namespace
			if ns == "" {
				ns = bindingNS
			}
			if ns != "" && auth.ServiceAccountUserName(ns, s.Name) == u.Name {
				return true
			}
		}
	}
	return false
}
