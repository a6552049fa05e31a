package rbaclab

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/core/rest"
)

// The checker's answer is core/auth/rbac's Decide; this file explains it
// to a reader: which binding, subject and rule grant a request, or why
// the bindings that name the user do not.

// names returns the subject of subjects that is u, if any. A
// ServiceAccount subject without a namespace is of the binding's
// (bindingNS; "" for a ClusterRoleBinding, where it names nobody).
func names(subjects []api.Subject, u *rest.UserInfo, bindingNS string) (api.Subject, bool) {
	for _, s := range subjects {
		ok := false
		switch s.Kind {
		case api.SubjectUser:
			ok = s.Name == u.Name
		case api.SubjectGroup:
			ok = u.InGroup(s.Name)
		case api.SubjectServiceAccount:
			ns := s.Namespace
			if ns == "" {
				ns = bindingNS
			}
			ok = ns != "" && auth.ServiceAccountUserName(ns, s.Name) == u.Name
		}
		if ok {
			return s, true
		}
	}
	return api.Subject{}, false
}

// binding is a ClusterRoleBinding or a RoleBinding, as the explanation
// needs it.
type binding struct {
	kind, name, namespace string
	ref                   api.RoleRef
	subjects              []api.Subject
}

func (b binding) String() string {
	if b.namespace == "" {
		return fmt.Sprintf("%s %q", b.kind, b.name)
	}
	return fmt.Sprintf("%s %q in %q", b.kind, b.name, b.namespace)
}

func bindingsOf(p rbac.Source) []binding {
	var out []binding
	for _, b := range p.ClusterRoleBindings() {
		out = append(out, binding{"ClusterRoleBinding", b.Name, "", b.RoleRef, b.Subjects})
	}
	for _, b := range p.RoleBindings("") {
		out = append(out, binding{"RoleBinding", b.Name, b.Namespace, b.RoleRef, b.Subjects})
	}
	return out
}

// rulesOf returns the rules b grants, and false when its role does not
// exist (a ClusterRoleBinding can grant only a ClusterRole).
func rulesOf(p rbac.Source, b binding) ([]api.PolicyRule, bool) {
	switch {
	case b.ref.Kind == "ClusterRole":
		if r := p.ClusterRole(b.ref.Name); r != nil {
			return r.Rules, true
		}
	case b.ref.Kind == "Role" && b.namespace != "":
		if r := p.Role(b.namespace, b.ref.Name); r != nil {
			return r.Rules, true
		}
	}
	return nil, false
}

// explain says why rbac.Decide answers want for a over p: the binding
// that grants it, or what the bindings naming the user lack.
func explain(p rbac.Source, a authorizer.Attributes, want bool) string {
	var lacks []string
	for _, b := range bindingsOf(p) {
		s, ok := names(b.subjects, a.User, b.namespace)
		if !ok {
			continue
		}
		rules, exists := rulesOf(p, b)
		var covering *api.PolicyRule
		for i := range rules {
			if rbac.RuleAllows(rules[i], a) {
				covering = &rules[i]
				break
			}
		}
		grants := fmt.Sprintf("%s grants %s %q to %s", b, b.ref.Kind, b.ref.Name, describeSubject(s))
		switch {
		case !exists:
			lacks = append(lacks, fmt.Sprintf("%s, which does not exist: a binding of a missing role grants nothing", grants))
		case covering == nil:
			lacks = append(lacks, fmt.Sprintf("%s, whose rules %s do not cover it", grants, describeRules(rules)))
		case b.namespace != "" && a.Namespace == "":
			lacks = append(lacks, fmt.Sprintf("%s, whose rule %s would cover it, but a RoleBinding acts only inside its namespace and this request is at the cluster scope", grants, describeRule(*covering)))
		case b.namespace != "" && b.namespace != a.Namespace:
			lacks = append(lacks, fmt.Sprintf("%s, whose rule %s would cover it, but a RoleBinding acts only in its own namespace %q, not in %q", grants, describeRule(*covering), b.namespace, a.Namespace))
		case want:
			return fmt.Sprintf("%s, whose rule %s covers it", grants, describeRule(*covering))
		}
	}
	if want {
		// unreachable while explain and rbac.Decide agree (expected_test.go)
		return "rbac.Decide allows it"
	}
	if len(lacks) == 0 {
		return "no binding names the user, one of its groups or its service account"
	}
	return "no binding grants it:\n      " + strings.Join(lacks, "\n      ")
}
