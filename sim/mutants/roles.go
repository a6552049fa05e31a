package mutants

import (
	"context"
	"fmt"
	"slices"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// takePermission returns a Setup that takes one permission — verb on
// resource of group — out of every ClusterRole a ClusterRoleBinding grants
// to user, and leaves every other permission of those roles as it was.
// The API server's bootstrap must have made the roles: a cluster without
// them is an error, not a mutant that changes nothing.
func takePermission(user, verb, group, resource string) func(ctx context.Context, admin *client.Client) error {
	return func(ctx context.Context, admin *client.Client) error {
		bindings, err := client.For[*api.ClusterRoleBinding](admin).List(ctx, "", client.ListOptions{})
		if err != nil {
			return err
		}
		roles := client.For[*api.ClusterRole](admin)
		changed := 0
		for _, b := range bindings.Items {
			if b.RoleRef.Kind != "ClusterRole" || !slices.ContainsFunc(b.Subjects, func(s api.Subject) bool { return s.Kind == api.SubjectUser && s.Name == user }) {
				continue
			}
			r, err := roles.Get(ctx, "", b.RoleRef.Name)
			if err != nil {
				return fmt.Errorf("ClusterRoleBinding %q grants %s the ClusterRole %q: %v", b.Name, user, b.RoleRef.Name, err)
			}
			rules := withoutPermission(r.Rules, verb, group, resource)
			if slices.EqualFunc(rules, r.Rules, sameRule) {
				continue
			}
			r.Rules = rules
			if _, err := roles.Update(ctx, r, client.WriteOptions{}); err != nil {
				return err
			}
			changed++
		}
		if changed == 0 {
			return fmt.Errorf("no ClusterRole bound to %s grants %q on %q in API group %q: is the API server's bootstrap making the default roles?", user, verb, resource, group)
		}
		return nil
	}
}

// What "*" stands for when withoutPermission must write a wildcard out:
// every verb RBAC knows, every API group and resource the registry
// serves, every subresource (as "*/SUB", which keeps them all).
var (
	allVerbs        = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate", "approve", "sign", "use"}
	allSubresources = []string{"status", "scale", "binding", "eviction", "log", "exec", "attach", "portforward", "proxy", "token", "approval", "finalize", "ephemeralcontainers", "resize"}
)

// withoutPermission returns rules minus one permission: verb on resource
// (no subresource) of group. A rule that grants it is split into the rules
// that grant the rest of what it did — its other verbs; verb on its other
// resources; verb on the resource in its other groups — with a wildcard
// written out where it stood for what is taken.
func withoutPermission(rules []api.PolicyRule, verb, group, resource string) []api.PolicyRule {
	var out []api.PolicyRule
	for _, r := range rules {
		if len(r.NonResourceURLs) > 0 || !listed(r.Verbs, verb) || !listed(r.APIGroups, group) || !listed(r.Resources, resource) {
			out = append(out, r)
			continue
		}
		if verbs := except(r.Verbs, verb, allVerbs); len(verbs) > 0 {
			out = append(out, api.PolicyRule{Verbs: verbs, APIGroups: r.APIGroups, Resources: r.Resources, ResourceNames: r.ResourceNames})
		}
		var others []string
		for _, res := range api.Resources() {
			others = append(others, res.Plural)
		}
		for _, sub := range allSubresources {
			others = append(others, "*/"+sub)
		}
		if resources := except(r.Resources, resource, others); len(resources) > 0 {
			out = append(out, api.PolicyRule{Verbs: []string{verb}, APIGroups: r.APIGroups, Resources: resources, ResourceNames: r.ResourceNames})
		}
		var groups []string
		for _, res := range api.Resources() {
			if !slices.Contains(groups, res.Group) {
				groups = append(groups, res.Group)
			}
		}
		if groups := except(r.APIGroups, group, groups); len(groups) > 0 {
			out = append(out, api.PolicyRule{Verbs: []string{verb}, APIGroups: groups, Resources: []string{resource}, ResourceNames: r.ResourceNames})
		}
	}
	return out
}

// listed reports whether list names v or "*".
func listed(list []string, v string) bool {
	return slices.Contains(list, v) || slices.Contains(list, "*")
}

// except returns list without v, "*" written out as all (without v).
func except(list []string, v string, all []string) []string {
	var out []string
	for _, x := range list {
		switch {
		case x == "*":
			for _, y := range all {
				if y != v && !slices.Contains(out, y) {
					out = append(out, y)
				}
			}
		case x != v && !slices.Contains(out, x):
			out = append(out, x)
		}
	}
	return out
}

func sameRule(a, b api.PolicyRule) bool {
	return slices.Equal(a.Verbs, b.Verbs) && slices.Equal(a.APIGroups, b.APIGroups) && slices.Equal(a.Resources, b.Resources) &&
		slices.Equal(a.ResourceNames, b.ResourceNames) && slices.Equal(a.NonResourceURLs, b.NonResourceURLs)
}
