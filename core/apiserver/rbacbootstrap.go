package apiserver

import (
	"context"
	"slices"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/rbac"
)

// bootstrapRBAC writes the default policy (rbac.BootstrapClusterRoles,
// rbac.BootstrapClusterRoleBindings) as Kubernetes' API server does at
// start: a missing object is created; an existing one gets back the rules
// or subjects it lacks, unless its rbac.AutoUpdateAnnotation is "false".
// Nothing an administrator added is taken away. Several servers may run
// it at once: the writes are creates and conflict-checked updates.
func (s *Server) bootstrapRBAC(ctx context.Context) error {
	w := writer{manager: "tinykube-apiserver"}
	roles := api.ResourceByPlural(api.RBACGroup, "clusterroles")
	for _, want := range rbac.BootstrapClusterRoles() {
		_, err := s.create(ctx, target{res: roles}, want, false, w)
		if !api.IsAlreadyExists(err) {
			if err != nil {
				return err
			}
			continue
		}
		_, err = s.update(ctx, target{res: roles, name: want.Name}, false, updateMain, w, func(old api.Object) (api.Object, error) {
			have := old.(*api.ClusterRole)
			if have.Annotations[rbac.AutoUpdateAnnotation] == "false" {
				return have, nil
			}
			if ok, missing := rbac.Covers(have.Rules, want.Rules); !ok {
				have.Rules = append(have.Rules, missing...)
			}
			return have, nil
		})
		if err != nil {
			return err
		}
	}
	bindings := api.ResourceByPlural(api.RBACGroup, "clusterrolebindings")
	for _, want := range rbac.BootstrapClusterRoleBindings() {
		_, err := s.create(ctx, target{res: bindings}, want, false, w)
		if !api.IsAlreadyExists(err) {
			if err != nil {
				return err
			}
			continue
		}
		_, err = s.update(ctx, target{res: bindings, name: want.Name}, false, updateMain, w, func(old api.Object) (api.Object, error) {
			have := old.(*api.ClusterRoleBinding)
			if have.Annotations[rbac.AutoUpdateAnnotation] == "false" || have.RoleRef != want.RoleRef {
				// A binding's roleRef cannot change: one that names
				// another role is the administrator's, left alone.
				return have, nil
			}
			for _, sub := range want.Subjects {
				if !slices.ContainsFunc(have.Subjects, func(h api.Subject) bool {
					return h.Kind == sub.Kind && h.Name == sub.Name && h.Namespace == sub.Namespace
				}) {
					have.Subjects = append(have.Subjects, sub)
				}
			}
			return have, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
