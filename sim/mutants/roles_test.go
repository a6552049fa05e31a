package mutants

import (
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
)

// withoutPermission takes exactly one permission away: over a universe of
// requests, the new rules allow what the old ones did, except that one.
func TestWithoutPermission(t *testing.T) {
	rules := map[string][]api.PolicyRule{
		"everything": {{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}},
		"listed": {
			{Verbs: []string{"get", "delete", "create"}, APIGroups: []string{"", "apps"}, Resources: []string{"pods", "services", "pods/status"}},
			{Verbs: []string{"get"}, NonResourceURLs: []string{"*"}},
		},
		"named":     {{Verbs: []string{"delete"}, APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{"web"}}},
		"untouched": {{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}}},
	}
	taken := func(a authorizer.Attributes) bool {
		return a.ResourceRequest && a.Verb == "delete" && a.APIGroup == "" && a.Resource == "pods" && a.Subresource == ""
	}
	var universe []authorizer.Attributes
	for _, verb := range []string{"get", "list", "delete", "create", "patch", "escalate"} {
		for _, group := range []string{"", "apps", "batch"} {
			for _, res := range []string{"pods", "services", "deployments", "jobs"} {
				for _, sub := range []string{"", "status", "scale", "eviction"} {
					for _, name := range []string{"", "web", "db"} {
						universe = append(universe, authorizer.Attributes{Verb: verb, ResourceRequest: true, APIGroup: group, Resource: res, Subresource: sub, Name: name})
					}
				}
			}
		}
		universe = append(universe, authorizer.Attributes{Verb: verb, Path: "/healthz"})
	}
	allows := func(rules []api.PolicyRule, a authorizer.Attributes) bool {
		for _, r := range rules {
			if rbac.RuleAllows(r, a) {
				return true
			}
		}
		return false
	}
	for name, before := range rules {
		after := withoutPermission(before, "delete", "", "pods")
		for _, a := range universe {
			want := allows(before, a) && !taken(a)
			if got := allows(after, a); got != want {
				t.Errorf("%s: withoutPermission(delete pods) allows %s %s/%s (group %q, name %q) = %v, want %v", name, a.Verb, a.Resource, a.Subresource, a.APIGroup, a.Name, got, want)
			}
		}
	}
}
