package apiserver

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/core/rest"
)

// Escalation prevention: whoever may write roles or bindings could
// otherwise grant themselves anything. So, as in Kubernetes, a user may
// write a Role or ClusterRole only with rules they already hold (in that
// namespace, or cluster-wide for a ClusterRole), and bind a role only
// when they hold its rules — unless they are allowed the verb "escalate"
// on that role (for writing it) or "bind" on it (for binding it). Both
// verbs are ordinary RBAC rules, so an administrator can delegate them,
// down to single role names.
//
// Members of system:masters, and the server itself (no user), pass. A
// write that grants nothing new (an update that keeps a role's rules, or
// a binding's subjects) passes too: the garbage collector, which may
// update everything but holds no role's rules, must still be able to
// take a finalizer off a role.

// fullAuthority is cluster-admin's rules: what setting an aggregation
// rule (which may gather any ClusterRole's rules) requires.
var fullAuthority = []api.PolicyRule{
	{Verbs: []string{rbac.All}, APIGroups: []string{rbac.All}, Resources: []string{rbac.All}},
	{Verbs: []string{rbac.All}, NonResourceURLs: []string{rbac.All}},
}

// preventEscalation is the admission plugin; see above.
func (s *Server) preventEscalation(ctx context.Context, r *admissionRequest) error {
	if r.res.Group != api.RBACGroup || r.op == opDelete || r.user == nil || r.user.InGroup(auth.Masters) || s.authorizer == nil {
		return nil
	}
	meta := r.obj.GetObjectMeta()
	switch obj := r.obj.(type) {
	case *api.Role:
		if old, ok := r.old.(*api.Role); ok && reflect.DeepEqual(old.Rules, obj.Rules) {
			return nil
		}
		return s.checkRoleWrite(ctx, r, obj.Rules, nil)
	case *api.ClusterRole:
		if old, ok := r.old.(*api.ClusterRole); ok && reflect.DeepEqual(old.Rules, obj.Rules) && reflect.DeepEqual(old.AggregationRule, obj.AggregationRule) {
			return nil
		}
		return s.checkRoleWrite(ctx, r, obj.Rules, obj.AggregationRule)
	case *api.RoleBinding:
		if old, ok := r.old.(*api.RoleBinding); ok && reflect.DeepEqual(old.Subjects, obj.Subjects) && old.RoleRef == obj.RoleRef {
			return nil
		}
		return s.checkBinding(ctx, r, obj.RoleRef, meta.Namespace)
	case *api.ClusterRoleBinding:
		if old, ok := r.old.(*api.ClusterRoleBinding); ok && reflect.DeepEqual(old.Subjects, obj.Subjects) && old.RoleRef == obj.RoleRef {
			return nil
		}
		return s.checkBinding(ctx, r, obj.RoleRef, "")
	}
	return nil
}

// checkRoleWrite allows writing a role with rules (and an aggregation
// rule) when the user may escalate it or already holds the rules.
func (s *Server) checkRoleWrite(ctx context.Context, r *admissionRequest, rules []api.PolicyRule, agg *api.AggregationRule) error {
	meta := r.obj.GetObjectMeta()
	if s.allows(ctx, r.user, "escalate", r.res.Plural, meta.Namespace, meta.Name) {
		return nil
	}
	held, err := s.rulesHeld(r.user, meta.Namespace)
	if err != nil {
		return err
	}
	if ok, missing := rbac.Covers(held, rules); !ok {
		return errEscalation(r.res, meta.Name, r.user, missing)
	}
	if agg != nil {
		if ok, _ := rbac.Covers(held, fullAuthority); !ok {
			return errForbidden(r.res, meta.Name, "must have cluster-admin privileges to use the aggregationRule")
		}
	}
	return nil
}

// checkBinding allows a binding in namespace ("" for a
// ClusterRoleBinding) of the role ref names when the user may bind that
// role or already holds its rules there. A role that does not exist is
// NotFound.
func (s *Server) checkBinding(ctx context.Context, r *admissionRequest, ref api.RoleRef, namespace string) error {
	meta := r.obj.GetObjectMeta()
	roleRes := api.ResourceByPlural(api.RBACGroup, "clusterroles")
	if ref.Kind == "Role" {
		roleRes = api.ResourceByPlural(api.RBACGroup, "roles")
	}
	if s.allows(ctx, r.user, "bind", roleRes.Plural, namespace, ref.Name) {
		return nil
	}
	idx, ok := s.rbac.current(s)
	if !ok {
		return errInternal(errRBACUnavailable)
	}
	switch {
	case ref.Kind == "Role" && idx.Role(namespace, ref.Name) == nil,
		ref.Kind == "ClusterRole" && idx.ClusterRole(ref.Name) == nil:
		return errNotFound(roleRes, ref.Name)
	}
	held := rbac.RulesFor(idx, r.user, namespace)
	if ok, missing := rbac.Covers(held, rbac.RoleRefRules(idx, ref, namespace)); !ok {
		return errEscalation(r.res, meta.Name, r.user, missing)
	}
	return nil
}

// allows asks the server's authorizer whether u may verb the RBAC
// resource (roles or clusterroles) name in namespace.
func (s *Server) allows(ctx context.Context, u *rest.UserInfo, verb, resource, namespace, name string) bool {
	d, _, _ := s.authorizer.Authorize(ctx, authorizer.Attributes{User: u, Verb: verb, ResourceRequest: true,
		APIGroup: api.RBACGroup, APIVersion: "v1", Resource: resource, Namespace: namespace, Name: name})
	return d == authorizer.Allow
}

// rulesHeld returns the RBAC rules u holds in namespace.
func (s *Server) rulesHeld(u *rest.UserInfo, namespace string) ([]api.PolicyRule, error) {
	idx, ok := s.rbac.current(s)
	if !ok {
		return nil, errInternal(errRBACUnavailable)
	}
	return rbac.RulesFor(idx, u, namespace), nil
}

// errEscalation words the refusal as Kubernetes does: the user, their
// groups, and one line per rule they lack.
func errEscalation(res *api.Resource, name string, u *rest.UserInfo, missing []api.PolicyRule) error {
	lines := make([]string, len(missing))
	for i, m := range missing {
		lines[i] = rbac.Describe(m)
	}
	return errForbidden(res, name, fmt.Sprintf("user %q (groups=%q) is attempting to grant RBAC permissions not currently held:\n%s",
		u.Name, u.Groups, strings.Join(lines, "\n")))
}
