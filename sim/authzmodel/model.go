package authzmodel

import (
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
)

// Policy is the RBAC objects a decision is made over, as plain lists.
type Policy struct {
	Roles               []*api.Role
	ClusterRoles        []*api.ClusterRole
	RoleBindings        []*api.RoleBinding
	ClusterRoleBindings []*api.ClusterRoleBinding
}

// Model is a Policy compiled into the literal grants its bindings make.
type Model struct {
	// grants maps each grant to the binding that makes it, for a reason
	// a reader can follow ("ClusterRoleBinding \"x\"").
	grants map[grant]string
}

// grant is one literal permission: a principal may use a verb on a
// resource (or a non-resource URL) within a scope. Every field holds a
// value exactly as a rule or binding wrote it, wildcards included; the
// matching happens when a request looks its candidate grants up.
type grant struct {
	// principal is "user:NAME" or "group:NAME"; a ServiceAccount subject
	// becomes the user it authenticates as.
	principal string
	// scope is the namespace of a RoleBinding, or everywhere for a
	// ClusterRoleBinding.
	scope string
	verb  string
	// A resource grant has group, resource ("pods", "pods/log",
	// "*/scale", "*") and name (anyName when the rule lists none); a
	// non-resource grant has url ("/healthz", "/healthz/*", "*").
	nonResource           bool
	group, resource, name string
	url                   string
}

const (
	// everywhere is the scope of a ClusterRoleBinding's grants. No
	// namespace can be called this (a namespace is a DNS label).
	everywhere = "<every namespace and the cluster scope>"
	// anyName is the name of a grant whose rule lists no resourceNames.
	// No object can be called this.
	anyName = "<any name>"
	wild    = "*"
)

// Compile turns p into the grants its bindings make. A binding whose role
// does not exist, or whose roleRef names a kind it cannot bind, grants
// nothing; a ServiceAccount subject of a ClusterRoleBinding must name its
// namespace.
func Compile(p Policy) *Model {
	roles := map[string]*api.Role{}
	for _, r := range p.Roles {
		roles[r.Namespace+"/"+r.Name] = r
	}
	clusterRoles := map[string]*api.ClusterRole{}
	for _, r := range p.ClusterRoles {
		clusterRoles[r.Name] = r
	}
	m := &Model{grants: map[grant]string{}}
	for _, b := range p.ClusterRoleBindings {
		cr := clusterRoles[b.RoleRef.Name]
		if b.RoleRef.Kind != "ClusterRole" || cr == nil {
			continue
		}
		m.add(principals(b.Subjects, ""), everywhere, cr.Rules, fmt.Sprintf("ClusterRoleBinding %q", b.Name))
	}
	for _, b := range p.RoleBindings {
		var rules []api.PolicyRule
		switch b.RoleRef.Kind {
		case "Role":
			if r := roles[b.Namespace+"/"+b.RoleRef.Name]; r != nil {
				rules = r.Rules
			}
		case "ClusterRole":
			if r := clusterRoles[b.RoleRef.Name]; r != nil {
				rules = r.Rules
			}
		}
		m.add(principals(b.Subjects, b.Namespace), b.Namespace, rules, fmt.Sprintf("RoleBinding %q in namespace %q", b.Name, b.Namespace))
	}
	return m
}

// principals returns the principal keys of a binding's subjects. ns is the
// binding's namespace ("" for a ClusterRoleBinding), which a
// ServiceAccount subject without a namespace of its own belongs to.
func principals(subjects []api.Subject, ns string) []string {
	var out []string
	for _, s := range subjects {
		switch s.Kind {
		case api.SubjectUser:
			out = append(out, "user:"+s.Name)
		case api.SubjectGroup:
			out = append(out, "group:"+s.Name)
		case api.SubjectServiceAccount:
			saNS := s.Namespace
			if saNS == "" {
				saNS = ns
			}
			if saNS != "" {
				out = append(out, "user:"+auth.ServiceAccountUserName(saNS, s.Name))
			}
		}
	}
	return out
}

// add records every literal grant of rules, for each principal, in scope.
// The first binding to make a grant is the one a reason names.
func (m *Model) add(who []string, scope string, rules []api.PolicyRule, by string) {
	put := func(g grant) {
		if _, ok := m.grants[g]; !ok {
			m.grants[g] = by
		}
	}
	for _, p := range who {
		for _, r := range rules {
			for _, v := range r.Verbs {
				for _, u := range r.NonResourceURLs {
					put(grant{principal: p, scope: scope, verb: v, nonResource: true, url: u})
				}
				names := r.ResourceNames
				if len(names) == 0 {
					names = []string{anyName}
				}
				for _, g := range r.APIGroups {
					for _, res := range r.Resources {
						for _, n := range names {
							put(grant{principal: p, scope: scope, verb: v, group: g, resource: res, name: n})
						}
					}
				}
			}
		}
	}
}

// Allows reports whether the policy allows a, and if so which binding
// does. It enumerates every grant that would cover a — the user or one of
// its groups; everywhere or a's namespace; a's verb or "*"; for a
// resource, a's group or "*", a's resource or "*" or "*/SUB", any name or
// a's name; for a path, the path, "*", or any of its prefixes followed by
// "*" — and looks each up.
func (m *Model) Allows(a authorizer.Attributes) (bool, string) {
	if a.User == nil {
		return false, ""
	}
	who := []string{"user:" + a.User.Name}
	for _, g := range a.User.Groups {
		who = append(who, "group:"+g)
	}
	scopes := []string{everywhere}
	if a.Namespace != "" {
		scopes = append(scopes, a.Namespace)
	}
	verbs := []string{a.Verb, wild}
	for _, p := range who {
		for _, s := range scopes {
			for _, v := range verbs {
				for _, g := range candidates(a, p, s, v) {
					if by, ok := m.grants[g]; ok {
						return true, by
					}
				}
			}
		}
	}
	return false, ""
}

// candidates lists the grants to principal p in scope s with verb v that
// would cover a.
func candidates(a authorizer.Attributes, p, s, v string) []grant {
	var out []grant
	if !a.ResourceRequest {
		urls := []string{a.Path}
		for i := 0; i <= len(a.Path); i++ {
			urls = append(urls, a.Path[:i]+wild)
		}
		for _, u := range urls {
			out = append(out, grant{principal: p, scope: s, verb: v, nonResource: true, url: u})
		}
		return out
	}
	resources := []string{a.Resource, wild}
	if a.Subresource != "" {
		resources = []string{a.Resource + "/" + a.Subresource, wild, wild + "/" + a.Subresource}
	}
	names := []string{anyName}
	if a.Name != "" {
		names = append(names, a.Name)
	}
	for _, g := range []string{a.APIGroup, wild} {
		for _, r := range resources {
			for _, n := range names {
				out = append(out, grant{principal: p, scope: s, verb: v, group: g, resource: r, name: n})
			}
		}
	}
	return out
}

// Len returns how many literal grants the policy makes.
func (m *Model) Len() int { return len(m.grants) }
