package authzmodel

import (
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
)

func meta(ns, name string) api.ObjectMeta { return api.ObjectMeta{Namespace: ns, Name: name} }

// The policy of the table: a Role "pod-reader" in team-a bound to jane,
// a ClusterRole "secret-web" (get secrets named web, pods/log, every
// resource's scale) bound to the group devs in team-b, a ClusterRole
// "health" (non-resource URLs) bound to everyone authenticated, a
// ServiceAccount bound by a RoleBinding that leaves the subject's
// namespace to the binding's, and two bindings that grant nothing (a
// missing role, a ClusterRoleBinding to a Role).
var tablePolicy = Policy{
	Roles: []*api.Role{{ObjectMeta: meta("team-a", "pod-reader"), Rules: []api.PolicyRule{
		{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}},
	}}},
	ClusterRoles: []*api.ClusterRole{
		{ObjectMeta: meta("", "secret-web"), Rules: []api.PolicyRule{
			{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"web"}},
			{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods/log"}},
			{Verbs: []string{"update"}, APIGroups: []string{"*"}, Resources: []string{"*/scale"}},
		}},
		{ObjectMeta: meta("", "health"), Rules: []api.PolicyRule{
			{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz", "/livez/*"}},
		}},
		{ObjectMeta: meta("", "deployer"), Rules: []api.PolicyRule{
			{Verbs: []string{"*"}, APIGroups: []string{"apps"}, Resources: []string{"deployments"}},
		}},
	},
	RoleBindings: []*api.RoleBinding{
		{ObjectMeta: meta("team-a", "jane-reads"), Subjects: []api.Subject{{Kind: api.SubjectUser, Name: "jane"}},
			RoleRef: api.RoleRef{Kind: "Role", Name: "pod-reader"}},
		{ObjectMeta: meta("team-b", "devs-web"), Subjects: []api.Subject{{Kind: api.SubjectGroup, Name: "devs"}},
			RoleRef: api.RoleRef{Kind: "ClusterRole", Name: "secret-web"}},
		{ObjectMeta: meta("team-b", "robot-deploys"), Subjects: []api.Subject{{Kind: api.SubjectServiceAccount, Name: "robot"}},
			RoleRef: api.RoleRef{Kind: "ClusterRole", Name: "deployer"}},
		{ObjectMeta: meta("team-a", "dangling"), Subjects: []api.Subject{{Kind: api.SubjectUser, Name: "jane"}},
			RoleRef: api.RoleRef{Kind: "Role", Name: "gone"}},
	},
	ClusterRoleBindings: []*api.ClusterRoleBinding{
		{ObjectMeta: meta("", "health"), Subjects: []api.Subject{{Kind: api.SubjectGroup, Name: auth.AllAuthenticated}},
			RoleRef: api.RoleRef{Kind: "ClusterRole", Name: "health"}},
		{ObjectMeta: meta("", "wrong-kind"), Subjects: []api.Subject{{Kind: api.SubjectUser, Name: "jane"}},
			RoleRef: api.RoleRef{Kind: "Role", Name: "pod-reader"}},
	},
}

func TestAllows(t *testing.T) {
	jane := &rest.UserInfo{Name: "jane", Groups: []string{auth.AllAuthenticated}}
	dev := &rest.UserInfo{Name: "sam", Groups: []string{"devs", auth.AllAuthenticated}}
	robot := &rest.UserInfo{Name: auth.ServiceAccountUserName("team-b", "robot"), Groups: auth.ServiceAccountGroups("team-b")}
	otherRobot := &rest.UserInfo{Name: auth.ServiceAccountUserName("team-a", "robot"), Groups: auth.ServiceAccountGroups("team-a")}
	res := func(u *rest.UserInfo, verb, group, resource, sub, ns, name string) authorizer.Attributes {
		return authorizer.Attributes{User: u, Verb: verb, ResourceRequest: true, APIGroup: group, Resource: resource, Subresource: sub, Namespace: ns, Name: name}
	}
	path := func(u *rest.UserInfo, verb, p string) authorizer.Attributes {
		return authorizer.Attributes{User: u, Verb: verb, Path: p}
	}
	tests := []struct {
		name string
		a    authorizer.Attributes
		want bool
	}{
		{"role in its namespace", res(jane, "list", "", "pods", "", "team-a", ""), true},
		{"role's verb missing", res(jane, "delete", "", "pods", "", "team-a", "web"), false},
		{"role outside its namespace", res(jane, "get", "", "pods", "", "team-b", "web"), false},
		{"role binding never grants at the cluster scope", res(jane, "list", "", "pods", "", "", ""), false},
		{"rule names no subresource", res(jane, "get", "", "pods", "log", "team-a", "web"), false},
		{"resourceNames: the named object", res(dev, "get", "", "secrets", "", "team-b", "web"), true},
		{"resourceNames: another object", res(dev, "get", "", "secrets", "", "team-b", "db"), false},
		{"resourceNames: a list names nothing", res(dev, "list", "", "secrets", "", "team-b", ""), false},
		{"subresource named", res(dev, "get", "", "pods", "log", "team-b", "web"), true},
		{"subresource rule does not cover the resource", res(dev, "get", "", "pods", "", "team-b", "web"), false},
		{"*/scale covers every scale", res(dev, "update", "apps", "deployments", "scale", "team-b", "web"), true},
		{"*/scale is not the resource", res(dev, "update", "apps", "deployments", "", "team-b", "web"), false},
		{"cluster role through a role binding stays in it", res(dev, "get", "", "secrets", "", "team-a", "web"), false},
		{"group member only", res(jane, "get", "", "secrets", "", "team-b", "web"), false},
		{"service account of the binding's namespace", res(robot, "delete", "apps", "deployments", "", "team-b", "web"), true},
		{"same name, other namespace", res(otherRobot, "delete", "apps", "deployments", "", "team-b", "web"), false},
		{"verb wildcard is not a group wildcard", res(robot, "get", "", "deployments", "", "team-b", "web"), false},
		{"non-resource exact", path(jane, "get", "/healthz"), true},
		{"non-resource prefix", path(jane, "get", "/livez/ping"), true},
		{"non-resource prefix needs its slash", path(jane, "get", "/livez"), false},
		{"non-resource verb", path(jane, "post", "/healthz"), false},
		{"not authenticated", path(auth.AnonymousUser(), "get", "/healthz"), false},
		{"no user", res(nil, "list", "", "pods", "", "team-a", ""), false},
		{"a dangling binding grants nothing", res(jane, "get", "", "pods", "", "team-c", "x"), false},
	}
	m := Compile(tablePolicy)
	for _, tt := range tests {
		if got, reason := m.Allows(tt.a); got != tt.want {
			t.Errorf("%s: Allows(%+v) = %v (%s), want %v", tt.name, tt.a, got, reason, tt.want)
		}
	}
}

// The reason names the binding that allowed the request.
func TestAllowsNamesTheBinding(t *testing.T) {
	jane := &rest.UserInfo{Name: "jane"}
	_, reason := Compile(tablePolicy).Allows(authorizer.Attributes{User: jane, Verb: "get", ResourceRequest: true, Resource: "pods", Namespace: "team-a", Name: "web"})
	if want := `RoleBinding "jane-reads" in namespace "team-a"`; reason != want {
		t.Errorf("Allows(jane get pods in team-a) reason = %q, want %q", reason, want)
	}
}
