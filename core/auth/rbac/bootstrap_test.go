package rbac

import (
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
)

func res(u *rest.UserInfo, verb, group, resource, sub, ns, name string) authorizer.Attributes {
	return authorizer.Attributes{User: u, Verb: verb, ResourceRequest: true, APIGroup: group, Resource: resource, Subresource: sub, Namespace: ns, Name: name}
}

func TestDecideOnDefaultPolicy(t *testing.T) {
	jane := &rest.UserInfo{Name: "jane", Groups: []string{auth.AllAuthenticated}}
	bob := &rest.UserInfo{Name: "bob", Groups: []string{auth.AllAuthenticated}}
	ann := &rest.UserInfo{Name: "ann", Groups: []string{auth.AllAuthenticated}}
	sa := &rest.UserInfo{Name: auth.ServiceAccountUserName("ns1", "ci"), Groups: auth.ServiceAccountGroups("ns1")}
	bind := func(ns, name, role string, s api.Subject) *api.RoleBinding {
		return &api.RoleBinding{ObjectMeta: api.ObjectMeta{Namespace: ns, Name: name}, Subjects: []api.Subject{s},
			RoleRef: api.RoleRef{APIGroup: api.RBACGroup, Kind: "ClusterRole", Name: role}}
	}
	src := defaults(objects{roleBindings: []*api.RoleBinding{
		bind("ns1", "jane-admin", AdminRole, api.Subject{Kind: api.SubjectUser, Name: "jane"}),
		bind("ns1", "bob-view", ViewRole, api.Subject{Kind: api.SubjectUser, Name: "bob"}),
		bind("ns1", "ann-edit", EditRole, api.Subject{Kind: api.SubjectUser, Name: "ann"}),
		bind("ns1", "ci-view", ViewRole, api.Subject{Kind: api.SubjectServiceAccount, Name: "ci"}),
	}})
	sched := auth.ComponentUser(auth.KubeScheduler)
	cm := auth.ComponentUser(auth.KubeControllerManager)
	anon := auth.AnonymousUser()
	for _, tc := range []struct {
		name string
		a    authorizer.Attributes
		want bool
	}{
		{"scheduler binds pods", res(sched, "create", "", "pods", "binding", "ns1", "web"), true},
		{"scheduler watches pods", res(sched, "watch", "", "pods", "", "", ""), true},
		{"scheduler renews its lease", res(sched, "update", "coordination.k8s.io", "leases", "", "kube-system", "kube-scheduler"), true},
		{"scheduler may not renew another's lease", res(sched, "update", "coordination.k8s.io", "leases", "", "kube-system", "kube-controller-manager"), false},
		{"scheduler may not read secrets", res(sched, "get", "", "secrets", "", "ns1", "s"), false},
		{"scheduler may not delete pods", res(sched, "delete", "", "pods", "", "ns1", "web"), false},
		{"controller manager creates pods", res(cm, "create", "", "pods", "", "ns1", ""), true},
		{"controller manager writes deployment status", res(cm, "update", "apps", "deployments", "status", "ns1", "d"), true},
		{"controller manager may not bind pods", res(cm, "create", "", "pods", "binding", "ns1", "web"), false},
		{"controller manager may not create secrets", res(cm, "create", "", "secrets", "", "ns1", ""), false},
		{"controller manager scales any kind", res(cm, "update", "example.com", "widgets", "scale", "ns1", "w"), true},
		{"controller manager reads pod metrics", res(cm, "list", "metrics.k8s.io", "pods", "", "ns1", ""), true},
		{"controller manager writes autoscaler status", res(cm, "update", "autoscaling", "horizontalpodautoscalers", "status", "ns1", "web"), true},
		{"view reads pods", res(bob, "list", "", "pods", "", "ns1", ""), true},
		{"view may not read secrets", res(bob, "get", "", "secrets", "", "ns1", "s"), false},
		{"view may not write", res(bob, "create", "", "pods", "", "ns1", ""), false},
		{"edit reads secrets", res(ann, "get", "", "secrets", "", "ns1", "s"), true},
		{"edit scales deployments", res(ann, "update", "apps", "deployments", "scale", "ns1", "d"), true},
		{"edit may not write roles", res(ann, "create", api.RBACGroup, "roles", "", "ns1", ""), false},
		{"admin writes roles in its namespace", res(jane, "create", api.RBACGroup, "roles", "", "ns1", ""), true},
		{"admin in ns1 is nobody in ns2", res(jane, "get", "", "pods", "", "ns2", "web"), false},
		{"a RoleBinding never grants at the cluster scope", res(jane, "list", "", "pods", "", "", ""), false},
		{"service account by its binding", res(sa, "list", "", "pods", "", "ns1", ""), true},
		{"service account not elsewhere", res(sa, "list", "", "pods", "", "default", ""), false},
		{"everyone asks who they are", res(bob, "create", "authentication.k8s.io", "selfsubjectreviews", "", "", ""), true},
		{"authenticated read discovery", authorizer.Attributes{User: bob, Verb: "get", Path: "/apis/apps/v1"}, true},
		{"anonymous reads /healthz", authorizer.Attributes{User: anon, Verb: "get", Path: "/healthz"}, true},
		{"anonymous may not read discovery", authorizer.Attributes{User: anon, Verb: "get", Path: "/api"}, false},
		{"anonymous lists nothing", res(anon, "list", "", "pods", "", "ns1", ""), false},
		{"masters by RBAC too", res(auth.AdminUser(), "delete", "", "nodes", "", "", "n1"), true},
		{"bootstrappers create CSRs", res(auth.BootstrapUser("abcdef"), "create", "certificates.k8s.io", "certificatesigningrequests", "", "", ""), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, reason := Decide(src, tc.a)
			if got != tc.want {
				t.Errorf("Decide(%+v) = %v (%q), want %v", tc.a, got, reason, tc.want)
			}
		})
	}
}

// TestRulesForAgreesWithDecide: a request is allowed exactly when one of
// the rules RulesFor lists allows it.
func TestRulesForAgreesWithDecide(t *testing.T) {
	jane := &rest.UserInfo{Name: "jane", Groups: []string{auth.AllAuthenticated}}
	src := defaults(objects{roleBindings: []*api.RoleBinding{{ObjectMeta: api.ObjectMeta{Namespace: "ns1", Name: "b"},
		Subjects: []api.Subject{{Kind: api.SubjectUser, Name: "jane"}}, RoleRef: api.RoleRef{APIGroup: api.RBACGroup, Kind: "ClusterRole", Name: EditRole}}}})
	for _, ns := range []string{"", "ns1", "ns2"} {
		rules := RulesFor(src, jane, ns)
		for _, a := range []authorizer.Attributes{
			res(jane, "get", "", "secrets", "", ns, "s"), res(jane, "create", "apps", "deployments", "", ns, ""),
			res(jane, "create", api.RBACGroup, "roles", "", ns, ""), {User: jane, Verb: "get", Path: "/version"},
		} {
			allowed, _ := Decide(src, a)
			if got := anyRuleAllows(rules, a); got != allowed {
				t.Errorf("in %q: RulesFor allows %+v = %v, Decide = %v", ns, a, got, allowed)
			}
		}
	}
}

// TestControllerManagerRoleIsTheUnion: every controller's rules are in
// the controller manager's role.
func TestControllerManagerRoleIsTheUnion(t *testing.T) {
	all := ControllerManagerRules()
	for _, c := range ControllerRules {
		if ok, missing := Covers(all, c.Rules); !ok {
			t.Errorf("controller %s: ControllerManagerRules() misses %v", c.Controller, missing)
		}
	}
}
