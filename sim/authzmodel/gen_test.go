package authzmodel

import (
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
	"pgregory.net/rapid"
)

// The small universe random policies and requests are drawn from: few
// enough values that rules, bindings and requests meet often, with every
// kind of wildcard, subresource and scope among them.
var (
	genNamespaces = []string{"ns-a", "ns-b"}
	genVerbs      = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}
	genGroups     = []string{"", "apps"}
	// genResources are what requests ask for; rules may also write the
	// wildcards of ruleResources.
	genResources    = []string{"pods", "secrets", "deployments"}
	genSubresources = []string{"", "", "status", "log", "scale"}
	genNames        = []string{"web", "db"}
	genPaths        = []string{"/healthz", "/healthz/live", "/metrics", "/version", "/api", "/apis/apps"}
	ruleResources   = []string{"pods", "secrets", "deployments", "pods/log", "pods/status", "deployments/scale", "*/scale", "*/status", "*"}
	ruleURLs        = []string{"/healthz", "/healthz/*", "/metrics", "/he*", "*", "/api"}
	genUserNames    = []string{"alice", "bob", auth.ServiceAccountUserName("ns-a", "robot"), auth.ServiceAccountUserName("ns-b", "robot")}
	genGroupNames   = []string{"devs", "ops", auth.ServiceAccounts, "system:serviceaccounts:ns-a", auth.AllAuthenticated}
)

func subsetOf(vals []string, min, max int) *rapid.Generator[[]string] {
	return rapid.SliceOfNDistinct(rapid.SampledFrom(vals), min, max, rapid.ID[string])
}

func genRule() *rapid.Generator[api.PolicyRule] {
	return rapid.Custom(func(t *rapid.T) api.PolicyRule {
		r := api.PolicyRule{Verbs: subsetOf(append(genVerbs, "*"), 1, 3).Draw(t, "verbs")}
		if rapid.IntRange(0, 4).Draw(t, "kind") == 0 {
			r.Verbs = subsetOf([]string{"get", "post", "*"}, 1, 2).Draw(t, "urlVerbs")
			r.NonResourceURLs = subsetOf(ruleURLs, 1, 2).Draw(t, "urls")
			return r
		}
		r.APIGroups = subsetOf(append(genGroups, "*"), 1, 2).Draw(t, "groups")
		r.Resources = subsetOf(ruleResources, 1, 3).Draw(t, "resources")
		if rapid.IntRange(0, 3).Draw(t, "named") == 0 {
			r.ResourceNames = subsetOf(genNames, 1, 2).Draw(t, "names")
		}
		return r
	})
}

func genSubjects() *rapid.Generator[[]api.Subject] {
	return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) api.Subject {
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			return api.Subject{Kind: api.SubjectUser, APIGroup: api.RBACGroup, Name: rapid.SampledFrom(genUserNames).Draw(t, "user")}
		case 1:
			return api.Subject{Kind: api.SubjectGroup, APIGroup: api.RBACGroup, Name: rapid.SampledFrom(genGroupNames).Draw(t, "group")}
		}
		return api.Subject{Kind: api.SubjectServiceAccount, Name: "robot", Namespace: rapid.SampledFrom(append(genNamespaces, "")).Draw(t, "saNamespace")}
	}), 1, 3)
}

// genPolicy draws Roles r1, r2 in each namespace, ClusterRoles c1 … c3,
// and bindings to them (and to roles that do not exist).
func genPolicy() *rapid.Generator[Policy] {
	return rapid.Custom(func(t *rapid.T) Policy {
		var p Policy
		rules := rapid.SliceOfN(genRule(), 0, 3)
		for _, ns := range genNamespaces {
			for _, name := range []string{"r1", "r2"} {
				if rapid.Bool().Draw(t, "hasRole") {
					p.Roles = append(p.Roles, &api.Role{ObjectMeta: meta(ns, name), Rules: rules.Draw(t, "roleRules")})
				}
			}
		}
		for _, name := range []string{"c1", "c2", "c3"} {
			if rapid.Bool().Draw(t, "hasClusterRole") {
				p.ClusterRoles = append(p.ClusterRoles, &api.ClusterRole{ObjectMeta: meta("", name), Rules: rules.Draw(t, "clusterRoleRules")})
			}
		}
		for i, n := 0, rapid.IntRange(0, 4).Draw(t, "roleBindings"); i < n; i++ {
			ref := api.RoleRef{APIGroup: api.RBACGroup, Kind: "ClusterRole", Name: rapid.SampledFrom([]string{"c1", "c2", "c3", "c9"}).Draw(t, "clusterRef")}
			if rapid.Bool().Draw(t, "toRole") {
				ref = api.RoleRef{APIGroup: api.RBACGroup, Kind: "Role", Name: rapid.SampledFrom([]string{"r1", "r2", "r9"}).Draw(t, "roleRef")}
			}
			ns := rapid.SampledFrom(genNamespaces).Draw(t, "bindingNamespace")
			p.RoleBindings = append(p.RoleBindings, &api.RoleBinding{ObjectMeta: meta(ns, fmt.Sprintf("rb%d", i)), Subjects: genSubjects().Draw(t, "subjects"), RoleRef: ref})
		}
		for i, n := 0, rapid.IntRange(0, 2).Draw(t, "clusterRoleBindings"); i < n; i++ {
			ref := api.RoleRef{APIGroup: api.RBACGroup, Kind: "ClusterRole", Name: rapid.SampledFrom([]string{"c1", "c2", "c3", "c9"}).Draw(t, "clusterRef")}
			p.ClusterRoleBindings = append(p.ClusterRoleBindings, &api.ClusterRoleBinding{ObjectMeta: meta("", fmt.Sprintf("crb%d", i)), Subjects: genSubjects().Draw(t, "subjects"), RoleRef: ref})
		}
		return p
	})
}

func genUser() *rapid.Generator[*rest.UserInfo] {
	return rapid.Custom(func(t *rapid.T) *rest.UserInfo {
		name := rapid.SampledFrom(append(genUserNames, "carol")).Draw(t, "user")
		if ns, _, ok := auth.ServiceAccountOf(name); ok {
			return &rest.UserInfo{Name: name, Groups: auth.ServiceAccountGroups(ns)}
		}
		return &rest.UserInfo{Name: name, Groups: subsetOf(genGroupNames[:2], 0, 2).Draw(t, "groups")}
	})
}

// genAttributes draws a request as AttributesFor would classify it: a
// name only for verbs on one object, a subresource only with a name,
// no namespace for a non-resource path.
func genAttributes() *rapid.Generator[authorizer.Attributes] {
	return rapid.Custom(func(t *rapid.T) authorizer.Attributes {
		a := authorizer.Attributes{User: genUser().Draw(t, "user")}
		if rapid.IntRange(0, 5).Draw(t, "kind") == 0 {
			a.Verb = rapid.SampledFrom([]string{"get", "post"}).Draw(t, "urlVerb")
			a.Path = rapid.SampledFrom(genPaths).Draw(t, "path")
			return a
		}
		a.ResourceRequest = true
		a.APIVersion = "v1"
		a.Verb = rapid.SampledFrom(genVerbs).Draw(t, "verb")
		a.APIGroup = rapid.SampledFrom(genGroups).Draw(t, "group")
		a.Resource = rapid.SampledFrom(genResources).Draw(t, "resource")
		a.Namespace = rapid.SampledFrom(append(genNamespaces, "")).Draw(t, "namespace")
		switch a.Verb {
		case "get", "update", "patch", "delete":
			if a.Namespace == "" {
				a.Namespace = genNamespaces[0] // these kinds are namespaced
			}
			a.Name = rapid.SampledFrom(genNames).Draw(t, "name")
			a.Subresource = rapid.SampledFrom(genSubresources).Draw(t, "subresource")
		}
		return a
	})
}
