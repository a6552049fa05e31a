package reference

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/core/rest"
)

// Rules are the parts of Decide a mutant may change.
type Rules struct {
	// Verb reports whether a rule's verbs hold verb.
	Verb func(verbs []string, verb string) bool
	// Group reports whether a rule's apiGroups hold group.
	Group func(groups []string, group string) bool
	// Resource reports whether a rule's resources cover resource with
	// subresource sub ("" for none).
	Resource func(resources []string, resource, sub string) bool
	// Name reports whether a rule's resourceNames admit name ("" for a
	// request without one).
	Name func(names []string, name string) bool
	// URL reports whether a rule's nonResourceURLs cover path.
	URL func(urls []string, path string) bool
	// Subject reports whether s names u, in a binding of namespace
	// bindingNS ("" for a ClusterRoleBinding).
	Subject func(s api.Subject, u *rest.UserInfo, bindingNS string) bool
	// RoleBindings returns the RoleBindings that may grant a.
	RoleBindings func(src rbac.Source, a authorizer.Attributes) []*api.RoleBinding
}

// Default are the rules of the contract.
var Default = Rules{
	Verb:  Has,
	Group: Has,
	Resource: func(resources []string, resource, sub string) bool {
		want := resource
		if sub != "" {
			want += "/" + sub
		}
		for _, r := range resources {
			if r == "*" || r == want || (sub != "" && r == "*/"+sub) {
				return true
			}
		}
		return false
	},
	Name: func(names []string, name string) bool {
		if len(names) == 0 {
			return true
		}
		// resourceNames have no wildcard: "*" is a name like any other
		return name != "" && slices.Contains(names, name)
	},
	URL: func(urls []string, path string) bool {
		for _, u := range urls {
			if u == "*" || u == path {
				return true
			}
			if prefix, ok := strings.CutSuffix(u, "*"); ok && strings.HasPrefix(path, prefix) {
				return true
			}
		}
		return false
	},
	Subject: func(s api.Subject, u *rest.UserInfo, bindingNS string) bool {
		switch s.Kind {
		case api.SubjectUser:
			return s.Name == u.Name
		case api.SubjectGroup:
			return u.InGroup(s.Name)
		case api.SubjectServiceAccount:
			ns := s.Namespace
			if ns == "" {
				ns = bindingNS
			}
			return ns != "" && auth.ServiceAccountUserName(ns, s.Name) == u.Name
		}
		return false
	},
	RoleBindings: func(src rbac.Source, a authorizer.Attributes) []*api.RoleBinding {
		if a.Namespace == "" {
			return nil // a RoleBinding never grants at the cluster scope
		}
		return src.RoleBindings(a.Namespace)
	},
}

// Has reports whether list holds want, or the wildcard "*".
func Has(list []string, want string) bool {
	for _, v := range list {
		if v == "*" || v == want {
			return true
		}
	}
	return false
}

// Decide is the contract's Decide.
func Decide(src rbac.Source, a authorizer.Attributes) (bool, string) {
	return DecideWith(src, a, Default)
}

// DecideWith is Decide by rules r: the ClusterRoleBindings first, then
// the RoleBindings r says may grant a.
func DecideWith(src rbac.Source, a authorizer.Attributes, r Rules) (bool, string) {
	if a.User == nil {
		return false, ""
	}
	for _, b := range src.ClusterRoleBindings() {
		if b.RoleRef.Kind != "ClusterRole" || !names(b.Subjects, a.User, "", r) {
			continue
		}
		if role := src.ClusterRole(b.RoleRef.Name); role != nil && anyCovers(role.Rules, a, r) {
			return true, fmt.Sprintf("RBAC: allowed by ClusterRoleBinding %q of ClusterRole %q to %s", b.Name, role.Name, a.User.Name)
		}
	}
	for _, b := range r.RoleBindings(src, a) {
		if !names(b.Subjects, a.User, b.Namespace, r) {
			continue
		}
		var rules []api.PolicyRule
		switch b.RoleRef.Kind {
		case "Role":
			if role := src.Role(b.Namespace, b.RoleRef.Name); role != nil {
				rules = role.Rules
			}
		case "ClusterRole":
			if role := src.ClusterRole(b.RoleRef.Name); role != nil {
				rules = role.Rules
			}
		}
		if anyCovers(rules, a, r) {
			return true, fmt.Sprintf("RBAC: allowed by RoleBinding %q of %s %q to %s in namespace %q", b.Name, b.RoleRef.Kind, b.RoleRef.Name, a.User.Name, b.Namespace)
		}
	}
	return false, ""
}

// names reports whether one of subjects is u.
func names(subjects []api.Subject, u *rest.UserInfo, bindingNS string, r Rules) bool {
	for _, s := range subjects {
		if r.Subject(s, u, bindingNS) {
			return true
		}
	}
	return false
}

func anyCovers(rules []api.PolicyRule, a authorizer.Attributes, r Rules) bool {
	for _, rule := range rules {
		if Covers(rule, a, r) {
			return true
		}
	}
	return false
}

// Covers reports whether rule covers a by rules r.
func Covers(rule api.PolicyRule, a authorizer.Attributes, r Rules) bool {
	if !r.Verb(rule.Verbs, a.Verb) {
		return false
	}
	if !a.ResourceRequest {
		return r.URL(rule.NonResourceURLs, a.Path)
	}
	return r.Group(rule.APIGroups, a.APIGroup) && r.Resource(rule.Resources, a.Resource, a.Subresource) && r.Name(rule.ResourceNames, a.Name)
}
