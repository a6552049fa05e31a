package authzmodel

import (
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"pgregory.net/rapid"
)

// policySource serves a Policy to rbac.Decide.
type policySource struct{ p Policy }

func (s policySource) ClusterRoleBindings() []*api.ClusterRoleBinding { return s.p.ClusterRoleBindings }

func (s policySource) RoleBindings(namespace string) []*api.RoleBinding {
	var out []*api.RoleBinding
	for _, b := range s.p.RoleBindings {
		if b.Namespace == namespace {
			out = append(out, b)
		}
	}
	return out
}

func (s policySource) Role(namespace, name string) *api.Role {
	for _, r := range s.p.Roles {
		if r.Namespace == namespace && r.Name == name {
			return r
		}
	}
	return nil
}

func (s policySource) ClusterRole(name string) *api.ClusterRole {
	for _, r := range s.p.ClusterRoles {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// rbac.Decide and the model agree on every request over random policies:
// wildcards in verbs, groups, resources and URLs, resourceNames,
// subresources and "*/sub", users, groups and service accounts (with and
// without a namespace of their own), RoleBindings to Roles and to
// ClusterRoles, ClusterRoleBindings, and bindings to roles that do not
// exist.
func TestModelAgreesWithDecide(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genPolicy().Draw(t, "policy")
		m := Compile(p)
		for i, n := 0, rapid.IntRange(1, 20).Draw(t, "requests"); i < n; i++ {
			a := genAttributes().Draw(t, "request")
			got, why := rbac.Decide(policySource{p}, a)
			want, model := m.Allows(a)
			if got != want {
				t.Fatalf("rbac.Decide(%+v, user %+v) = %v (%s), want %v as the model says (%s)", a, *a.User, got, why, want, model)
			}
		}
	})
}
