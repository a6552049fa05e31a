package rbac

import (
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
)

func reqOn(verb, group, resource, sub, ns, name string) authorizer.Attributes {
	return authorizer.Attributes{Verb: verb, ResourceRequest: true, APIGroup: group, Resource: resource, Subresource: sub, Namespace: ns, Name: name}
}

func TestRuleAllows(t *testing.T) {
	pods := api.PolicyRule{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	tests := []struct {
		name string
		rule api.PolicyRule
		a    authorizer.Attributes
		want bool
	}{
		{"exact", pods, reqOn("get", "", "pods", "", "a", "web"), true},
		{"other verb", pods, reqOn("delete", "", "pods", "", "a", "web"), false},
		{"other group", pods, reqOn("get", "apps", "pods", "", "a", "web"), false},
		{"subresource not covered by parent", pods, reqOn("get", "", "pods", "log", "a", "web"), false},
		{"subresource named", api.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods/log"}}, reqOn("get", "", "pods", "log", "a", "web"), true},
		{"subresource rule does not cover parent", api.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods/log"}}, reqOn("get", "", "pods", "", "a", "web"), false},
		{"*/scale", api.PolicyRule{Verbs: []string{"update"}, APIGroups: []string{"*"}, Resources: []string{"*/scale"}}, reqOn("update", "apps", "deployments", "scale", "a", "web"), true},
		{"*/scale not status", api.PolicyRule{Verbs: []string{"update"}, APIGroups: []string{"*"}, Resources: []string{"*/scale"}}, reqOn("update", "apps", "deployments", "status", "a", "web"), false},
		{"all wildcards", api.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}, reqOn("deletecollection", "batch", "jobs", "", "a", ""), true},
		{"resourceNames match", api.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"s1"}}, reqOn("get", "", "secrets", "", "a", "s1"), true},
		{"resourceNames other", api.PolicyRule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"s1"}}, reqOn("get", "", "secrets", "", "a", "s2"), false},
		{"resourceNames never cover a list", api.PolicyRule{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"s1"}}, reqOn("list", "", "secrets", "", "a", ""), false},
		{"non-resource exact", api.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}, authorizer.Attributes{Verb: "get", Path: "/healthz"}, true},
		{"non-resource prefix", api.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz/*"}}, authorizer.Attributes{Verb: "get", Path: "/healthz/etcd"}, true},
		{"non-resource prefix is not the bare path", api.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz/*"}}, authorizer.Attributes{Verb: "get", Path: "/healthz"}, false},
		{"resource rule never covers a path", pods, authorizer.Attributes{Verb: "get", Path: "/api/v1/pods"}, false},
		{"path rule never covers a resource", api.PolicyRule{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}, reqOn("get", "", "pods", "", "a", "web"), false},
	}
	for _, tt := range tests {
		if got := RuleAllows(tt.rule, tt.a); got != tt.want {
			t.Errorf("%s: RuleAllows(%+v, %+v) = %v, want %v", tt.name, tt.rule, tt.a, got, tt.want)
		}
	}
}

func TestDecideScopes(t *testing.T) {
	read := []api.PolicyRule{{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}}}
	meta := func(ns, name string) api.ObjectMeta { return api.ObjectMeta{Namespace: ns, Name: name} }
	p := objects{
		roles:        []*api.Role{{ObjectMeta: meta("a", "reader"), Rules: read}},
		clusterRoles: []*api.ClusterRole{{ObjectMeta: meta("", "pod-reader"), Rules: read}},
		roleBindings: []*api.RoleBinding{
			{ObjectMeta: meta("a", "jane-reads"), Subjects: []api.Subject{{Kind: "User", Name: "jane"}}, RoleRef: api.RoleRef{Kind: "Role", Name: "reader"}},
			{ObjectMeta: meta("b", "devs-read"), Subjects: []api.Subject{{Kind: "Group", Name: "devs"}}, RoleRef: api.RoleRef{Kind: "ClusterRole", Name: "pod-reader"}},
			{ObjectMeta: meta("c", "sa-reads"), Subjects: []api.Subject{{Kind: "ServiceAccount", Name: "bot"}}, RoleRef: api.RoleRef{Kind: "Role", Name: "missing"}},
			{ObjectMeta: meta("d", "sa-reads"), Subjects: []api.Subject{{Kind: "ServiceAccount", Name: "bot"}}, RoleRef: api.RoleRef{Kind: "ClusterRole", Name: "pod-reader"}},
		},
		clusterRoleBindings: []*api.ClusterRoleBinding{
			{ObjectMeta: meta("", "ops"), Subjects: []api.Subject{{Kind: "User", Name: "olga"}}, RoleRef: api.RoleRef{Kind: "ClusterRole", Name: "pod-reader"}},
		},
	}
	jane := &rest.UserInfo{Name: "jane"}
	dev := &rest.UserInfo{Name: "dan", Groups: []string{"devs"}}
	olga := &rest.UserInfo{Name: "olga"}
	botD := &rest.UserInfo{Name: "system:serviceaccount:d:bot"}
	botC := &rest.UserInfo{Name: "system:serviceaccount:c:bot"}
	with := func(u *rest.UserInfo, a authorizer.Attributes) authorizer.Attributes { a.User = u; return a }
	tests := []struct {
		name string
		a    authorizer.Attributes
		want bool
	}{
		{"role binding in its namespace", with(jane, reqOn("get", "", "pods", "", "a", "x")), true},
		{"role binding not in another", with(jane, reqOn("get", "", "pods", "", "b", "x")), false},
		{"role binding never at cluster scope", with(jane, reqOn("list", "", "pods", "", "", "")), false},
		{"group through a cluster role in one namespace", with(dev, reqOn("list", "", "pods", "", "b", "")), true},
		{"group not elsewhere", with(dev, reqOn("list", "", "pods", "", "a", "")), false},
		{"cluster role binding everywhere", with(olga, reqOn("list", "", "pods", "", "", "")), true},
		{"cluster role binding in a namespace", with(olga, reqOn("get", "", "pods", "", "z", "p")), true},
		{"service account defaults to the binding's namespace", with(botD, reqOn("get", "", "pods", "", "d", "p")), true},
		{"missing role grants nothing", with(botC, reqOn("get", "", "pods", "", "c", "p")), false},
		{"verb outside the rules", with(olga, reqOn("delete", "", "pods", "", "z", "p")), false},
	}
	for _, tt := range tests {
		if got, reason := Decide(p, tt.a); got != tt.want {
			t.Errorf("%s: Decide(%s %s %s in %q) = %v (%s), want %v", tt.name, tt.a.User.Name, tt.a.Verb, tt.a.Resource, tt.a.Namespace, got, reason, tt.want)
		}
	}
}
