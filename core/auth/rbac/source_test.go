package rbac

import "github.com/tinykube/tinykube/core/api"

// objects is a Source over slices, for tests.
type objects struct {
	clusterRoles        []*api.ClusterRole
	roles               []*api.Role
	clusterRoleBindings []*api.ClusterRoleBinding
	roleBindings        []*api.RoleBinding
}

func (o objects) ClusterRoleBindings() []*api.ClusterRoleBinding { return o.clusterRoleBindings }

func (o objects) RoleBindings(ns string) []*api.RoleBinding {
	var out []*api.RoleBinding
	for _, b := range o.roleBindings {
		if b.Namespace == ns {
			out = append(out, b)
		}
	}
	return out
}

func (o objects) Role(ns, name string) *api.Role {
	for _, r := range o.roles {
		if r.Namespace == ns && r.Name == name {
			return r
		}
	}
	return nil
}

func (o objects) ClusterRole(name string) *api.ClusterRole {
	for _, r := range o.clusterRoles {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// defaults is the bootstrap policy as a Source, plus extra objects.
func defaults(extra objects) objects {
	extra.clusterRoles = append(extra.clusterRoles, BootstrapClusterRoles()...)
	extra.clusterRoleBindings = append(extra.clusterRoleBindings, BootstrapClusterRoleBindings()...)
	return extra
}
