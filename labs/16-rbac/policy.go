package rbaclab

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// Policy is a set of RBAC objects: the rbac.Source the checker hands to
// Decide. Like a lister, RoleBindings("") returns the RoleBindings of
// every namespace — which a request at the cluster scope must not look
// at.
type Policy struct {
	roles               []*api.Role
	clusterRoles        []*api.ClusterRole
	roleBindings        []*api.RoleBinding
	clusterRoleBindings []*api.ClusterRoleBinding
}

// ClusterRoleBindings returns every ClusterRoleBinding.
func (p *Policy) ClusterRoleBindings() []*api.ClusterRoleBinding { return p.clusterRoleBindings }

// RoleBindings returns the RoleBindings of namespace, or of every
// namespace when namespace is "".
func (p *Policy) RoleBindings(namespace string) []*api.RoleBinding {
	var out []*api.RoleBinding
	for _, b := range p.roleBindings {
		if namespace == "" || b.Namespace == namespace {
			out = append(out, b)
		}
	}
	return out
}

// Role returns the Role namespace/name, or nil.
func (p *Policy) Role(namespace, name string) *api.Role {
	for _, r := range p.roles {
		if r.Namespace == namespace && r.Name == name {
			return r
		}
	}
	return nil
}

// ClusterRole returns the ClusterRole name, or nil.
func (p *Policy) ClusterRole(name string) *api.ClusterRole {
	for _, r := range p.clusterRoles {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// clone is a deep copy of p, for one call of Decide.
func (p *Policy) clone() *Policy {
	c := &Policy{}
	for _, r := range p.roles {
		c.roles = append(c.roles, api.DeepCopy(r))
	}
	for _, r := range p.clusterRoles {
		c.clusterRoles = append(c.clusterRoles, api.DeepCopy(r))
	}
	for _, b := range p.roleBindings {
		c.roleBindings = append(c.roleBindings, api.DeepCopy(b))
	}
	for _, b := range p.clusterRoleBindings {
		c.clusterRoleBindings = append(c.clusterRoleBindings, api.DeepCopy(b))
	}
	return c
}

// objects returns every object of p, ClusterRoles and Roles before the
// bindings, as a scenario creates them.
func (p *Policy) objects() []api.Object {
	var out []api.Object
	for _, r := range p.clusterRoles {
		out = append(out, r)
	}
	for _, r := range p.roles {
		out = append(out, r)
	}
	for _, b := range p.clusterRoleBindings {
		out = append(out, b)
	}
	for _, b := range p.roleBindings {
		out = append(out, b)
	}
	return out
}

// String is p one object a line, as failures print it.
func (p *Policy) String() string {
	var lines []string
	for _, r := range p.clusterRoles {
		lines = append(lines, fmt.Sprintf("ClusterRole %q: %s", r.Name, describeRules(r.Rules)))
	}
	for _, r := range p.roles {
		lines = append(lines, fmt.Sprintf("Role %q in %q: %s", r.Name, r.Namespace, describeRules(r.Rules)))
	}
	for _, b := range p.clusterRoleBindings {
		lines = append(lines, fmt.Sprintf("ClusterRoleBinding %q: %s %q%s to %s", b.Name, b.RoleRef.Kind, b.RoleRef.Name, p.missing(b.RoleRef, ""), describeSubjects(b.Subjects)))
	}
	for _, b := range p.roleBindings {
		lines = append(lines, fmt.Sprintf("RoleBinding %q in %q: %s %q%s to %s", b.Name, b.Namespace, b.RoleRef.Kind, b.RoleRef.Name, p.missing(b.RoleRef, b.Namespace), describeSubjects(b.Subjects)))
	}
	if len(lines) == 0 {
		return "    policy: no RBAC objects"
	}
	slices.Sort(lines)
	return "    policy:\n      " + strings.Join(lines, "\n      ")
}

// missing is " (does not exist)" when ref names no role of p.
func (p *Policy) missing(ref api.RoleRef, namespace string) string {
	switch {
	case ref.Kind == "ClusterRole" && p.ClusterRole(ref.Name) != nil:
		return ""
	case ref.Kind == "Role" && namespace != "" && p.Role(namespace, ref.Name) != nil:
		return ""
	}
	return " (does not exist)"
}
