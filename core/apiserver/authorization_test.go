package apiserver

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// authzFixture is a bootstrapped server with RBAC on. Requests go in as
// a named user; setup goes in without one (in-process).
type authzFixture struct {
	t        *testing.T
	server   *Server
	observed []authorizer.Decision
}

func newAuthzFixture(t *testing.T) *authzFixture {
	t.Helper()
	f := &authzFixture{t: t}
	f.server = New(Config{Store: store.NewMemory(), Clock: &clock.Fixed{T: t0}, Rand: rand.New(rand.NewPCG(1, 2)), Version: "test",
		Authorization: &Authorization{Observe: func(_ authorizer.Attributes, d authorizer.Decision, _ string) { f.observed = append(f.observed, d) }}})
	if err := f.server.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{"ns1", "ns2"} {
		f.setup("/api/v1/namespaces", `{"metadata":{"name":"`+ns+`"}}`)
	}
	return f
}

// as sends a request as u (nil: in-process).
func (f *authzFixture) as(u *rest.UserInfo, method, path, body string) *rest.Response {
	f.t.Helper()
	return f.server.Handle(context.Background(), &rest.Request{Method: method, Path: path, ContentType: rest.ContentJSON, Body: []byte(body), User: u})
}

// setup creates an object in-process and fails the test if it cannot.
func (f *authzFixture) setup(path, body string) {
	f.t.Helper()
	if resp := f.as(nil, http.MethodPost, path, body); resp.Code != http.StatusCreated {
		f.t.Fatalf("POST %s = %d %s, want 201", path, resp.Code, resp.Body)
	}
}

// bindTo binds the ClusterRole role to user in ns.
func (f *authzFixture) bindTo(ns, user, role string) {
	f.t.Helper()
	f.setup("/apis/rbac.authorization.k8s.io/v1/namespaces/"+ns+"/rolebindings",
		`{"metadata":{"name":"`+user+`-`+role+`"},"subjects":[{"kind":"User","name":"`+user+`"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"`+role+`"}}`)
}

func user(name string) *rest.UserInfo {
	return &rest.UserInfo{Name: name, Groups: []string{auth.AllAuthenticated}}
}

func TestAuthorizationChain(t *testing.T) {
	f := newAuthzFixture(t)
	f.bindTo("ns1", "jane", rbac.AdminRole)
	f.bindTo("ns1", "bob", rbac.ViewRole)
	for _, tc := range []struct {
		name         string
		u            *rest.UserInfo
		method, path string
		want         int
	}{
		{"masters do anything", auth.AdminUser(), http.MethodDelete, "/api/v1/namespaces/ns2", http.StatusOK},
		{"admin lists pods in its namespace", user("jane"), http.MethodGet, "/api/v1/namespaces/ns1/pods", http.StatusOK},
		{"admin is nobody in another", user("jane"), http.MethodGet, "/api/v1/namespaces/ns2/pods", http.StatusForbidden},
		{"view may not read secrets", user("bob"), http.MethodGet, "/api/v1/namespaces/ns1/secrets", http.StatusForbidden},
		{"view lists deployments", user("bob"), http.MethodGet, "/apis/apps/v1/namespaces/ns1/deployments", http.StatusOK},
		{"scheduler may read pods everywhere", auth.ComponentUser(auth.KubeScheduler), http.MethodGet, "/api/v1/pods", http.StatusOK},
		{"scheduler may not read secrets", auth.ComponentUser(auth.KubeScheduler), http.MethodGet, "/api/v1/namespaces/ns1/secrets", http.StatusForbidden},
		{"anonymous reads /version", auth.AnonymousUser(), http.MethodGet, "/version", http.StatusOK},
		{"anonymous may not list namespaces", auth.AnonymousUser(), http.MethodGet, "/api/v1/namespaces", http.StatusForbidden},
		{"in-process requests are not authorized", nil, http.MethodGet, "/api/v1/namespaces/ns1/secrets", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if resp := f.as(tc.u, tc.method, tc.path, ""); resp.Code != tc.want {
				t.Errorf("%s %s as %v = %d %s, want %d", tc.method, tc.path, tc.u, resp.Code, resp.Body, tc.want)
			}
		})
	}
	if len(f.observed) == 0 {
		t.Errorf("Observe was told no decision")
	}
}

func TestForbiddenMessage(t *testing.T) {
	f := newAuthzFixture(t)
	resp := f.as(user("bob"), http.MethodGet, "/api/v1/namespaces/ns1/secrets/s", "")
	want := `secrets "s" is forbidden: User "bob" cannot get resource "secrets" in API group "" in the namespace "ns1"`
	if got := status(t, resp).Message; got != want {
		t.Errorf("403 message = %q, want %q", got, want)
	}
}

// TestRBACCacheFollowsWrites: a binding takes effect on the next request,
// and its deletion too.
func TestRBACCacheFollowsWrites(t *testing.T) {
	f := newAuthzFixture(t)
	path := "/api/v1/namespaces/ns1/configmaps"
	if resp := f.as(user("ann"), http.MethodGet, path, ""); resp.Code != http.StatusForbidden {
		t.Fatalf("before the binding: GET = %d, want 403", resp.Code)
	}
	f.bindTo("ns1", "ann", rbac.ViewRole)
	if resp := f.as(user("ann"), http.MethodGet, path, ""); resp.Code != http.StatusOK {
		t.Fatalf("after the binding: GET = %d %s, want 200", resp.Code, resp.Body)
	}
	if resp := f.as(nil, http.MethodDelete, "/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/rolebindings/ann-view", ""); resp.Code != http.StatusOK {
		t.Fatalf("DELETE binding = %d %s", resp.Code, resp.Body)
	}
	if resp := f.as(user("ann"), http.MethodGet, path, ""); resp.Code != http.StatusForbidden {
		t.Fatalf("after deleting the binding: GET = %d, want 403", resp.Code)
	}
}

func TestBootstrapRBACReconciles(t *testing.T) {
	f := newAuthzFixture(t)
	path := "/apis/rbac.authorization.k8s.io/v1/clusterroles/view"
	// An administrator trims view and adds a rule of their own.
	body := `{"metadata":{"name":"view"},"rules":[{"verbs":["get"],"apiGroups":["example.com"],"resources":["widgets"]}]}`
	if resp := f.as(nil, http.MethodPut, path, body); resp.Code != http.StatusOK {
		t.Fatalf("PUT view = %d %s", resp.Code, resp.Body)
	}
	if err := f.server.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got api.ClusterRole
	json.Unmarshal(f.as(nil, http.MethodGet, path, "").Body, &got)
	want := rbac.BootstrapClusterRoles()[3]
	if ok, missing := rbac.Covers(got.Rules, want.Rules); !ok {
		t.Errorf("after Bootstrap, view misses %v", missing)
	}
	if got.Rules[0].APIGroups[0] != "example.com" {
		t.Errorf("after Bootstrap, view's first rule = %v, want the administrator's widgets rule kept", got.Rules[0])
	}
}

func TestEscalationPrevention(t *testing.T) {
	f := newAuthzFixture(t)
	f.bindTo("ns1", "jane", rbac.AdminRole)
	f.bindTo("ns1", "bob", rbac.EditRole)
	// carl may write roles and bindings in ns1 but holds nothing else.
	f.setup("/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/roles",
		`{"metadata":{"name":"rbac-writer"},"rules":[{"verbs":["create","update"],"apiGroups":["rbac.authorization.k8s.io"],"resources":["roles","rolebindings"]}]}`)
	f.setup("/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/rolebindings",
		`{"metadata":{"name":"carl"},"subjects":[{"kind":"User","name":"carl"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"rbac-writer"}}`)
	// dave may bind (only) the view ClusterRole in ns1.
	f.setup("/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/roles",
		`{"metadata":{"name":"view-binder"},"rules":[{"verbs":["create"],"apiGroups":["rbac.authorization.k8s.io"],"resources":["rolebindings"]},{"verbs":["bind"],"apiGroups":["rbac.authorization.k8s.io"],"resources":["clusterroles"],"resourceNames":["view"]}]}`)
	f.setup("/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/rolebindings",
		`{"metadata":{"name":"dave"},"subjects":[{"kind":"User","name":"dave"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"view-binder"}}`)
	// erin may escalate roles in ns1.
	f.setup("/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/roles",
		`{"metadata":{"name":"escalator"},"rules":[{"verbs":["create","escalate"],"apiGroups":["rbac.authorization.k8s.io"],"resources":["roles"]}]}`)
	f.setup("/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/rolebindings",
		`{"metadata":{"name":"erin"},"subjects":[{"kind":"User","name":"erin"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"escalator"}}`)

	roles := "/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/roles"
	bindings := "/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/rolebindings"
	secretsRole := func(name string) string {
		return `{"metadata":{"name":"` + name + `"},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["secrets"]}]}`
	}
	binding := func(name, kind, role string) string {
		return `{"metadata":{"name":"` + name + `"},"subjects":[{"kind":"User","name":"zed"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"` + kind + `","name":"` + role + `"}}`
	}
	for _, tc := range []struct {
		name       string
		u          *rest.UserInfo
		path, body string
		want       int
		message    string // a part of the 403's message
	}{
		{"admin writes a role it holds", user("jane"), roles, secretsRole("a"), http.StatusCreated, ""},
		{"admin may not grant what it lacks", user("jane"), roles,
			`{"metadata":{"name":"b"},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["nodes"]}]}`, http.StatusForbidden,
			`roles.rbac.authorization.k8s.io "b" is forbidden: user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:` + "\n" +
				`{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}`},
		{"admin binds edit in its namespace", user("jane"), bindings, binding("c", "ClusterRole", "edit"), http.StatusCreated, ""},
		{"admin may not bind cluster-admin", user("jane"), bindings, binding("d", "ClusterRole", "cluster-admin"), http.StatusForbidden, "not currently held"},
		{"roles writer without the rules", user("carl"), roles, secretsRole("e"), http.StatusForbidden, `{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}`},
		{"roles writer binding a role it lacks", user("carl"), bindings, binding("f", "ClusterRole", "view"), http.StatusForbidden, "not currently held"},
		{"bind on view lets view be bound", user("dave"), bindings, binding("g", "ClusterRole", "view"), http.StatusCreated, ""},
		{"bind on view is not bind on edit", user("dave"), bindings, binding("h", "ClusterRole", "edit"), http.StatusForbidden, "not currently held"},
		{"escalate lets any rules be written", user("erin"), roles, secretsRole("i"), http.StatusCreated, ""},
		{"binding a missing role", user("jane"), bindings, binding("j", "Role", "nope"), http.StatusNotFound, ""},
		{"masters bind anything", auth.AdminUser(), bindings, binding("k", "ClusterRole", "cluster-admin"), http.StatusCreated, ""},
		{"edit may not write roles at all", user("bob"), roles, secretsRole("l"), http.StatusForbidden, "cannot create resource"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := f.as(tc.u, http.MethodPost, tc.path, tc.body)
			if resp.Code != tc.want {
				t.Fatalf("POST %s as %s = %d %s, want %d", tc.path, tc.u.Name, resp.Code, resp.Body, tc.want)
			}
			if tc.message != "" {
				if got := status(t, resp).Message; !strings.Contains(got, tc.message) {
					t.Errorf("message = %q, want it to hold %q", got, tc.message)
				}
			}
		})
	}
}

// review posts a review as u and returns the decoded answer.
func review[T any](t *testing.T, f *authzFixture, u *rest.UserInfo, path, body string) (T, *rest.Response) {
	t.Helper()
	var out T
	resp := f.as(u, http.MethodPost, path, body)
	if resp.Code == http.StatusCreated {
		if err := json.Unmarshal(resp.Body, &out); err != nil {
			t.Fatal(err)
		}
	}
	return out, resp
}

func TestAccessReviews(t *testing.T) {
	f := newAuthzFixture(t)
	f.bindTo("ns1", "jane", rbac.AdminRole)
	f.bindTo("ns1", "bob", rbac.ViewRole)
	const ssar = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
	const sar = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
	const lsar = "/apis/authorization.k8s.io/v1/namespaces/ns1/localsubjectaccessreviews"
	for _, tc := range []struct {
		name       string
		u          *rest.UserInfo
		path, body string
		code       int
		allowed    bool
	}{
		{"can I list pods", user("bob"), ssar, `{"spec":{"resourceAttributes":{"namespace":"ns1","verb":"list","resource":"pods"}}}`, 201, true},
		{"can I get secrets", user("bob"), ssar, `{"spec":{"resourceAttributes":{"namespace":"ns1","verb":"get","resource":"secrets"}}}`, 201, false},
		{"can I get /healthz", user("bob"), ssar, `{"spec":{"nonResourceAttributes":{"path":"/healthz","verb":"get"}}}`, 201, true},
		{"neither attributes", user("bob"), ssar, `{"spec":{}}`, 422, false},
		{"admin asks about bob", auth.AdminUser(), sar, `{"spec":{"user":"bob","resourceAttributes":{"namespace":"ns1","verb":"list","resource":"pods"}}}`, 201, true},
		{"admin asks about bob elsewhere", auth.AdminUser(), sar, `{"spec":{"user":"bob","resourceAttributes":{"namespace":"ns2","verb":"list","resource":"pods"}}}`, 201, false},
		{"nobody named", auth.AdminUser(), sar, `{"spec":{"resourceAttributes":{"verb":"list","resource":"pods"}}}`, 422, false},
		{"bob may not ask about others", user("bob"), sar, `{"spec":{"user":"jane","resourceAttributes":{"verb":"list","resource":"pods"}}}`, 403, false},
		{"namespace admin asks locally", user("jane"), lsar, `{"spec":{"user":"bob","resourceAttributes":{"namespace":"ns1","verb":"get","resource":"secrets"}}}`, 201, false},
		{"local review of another namespace", user("jane"), lsar, `{"spec":{"user":"bob","resourceAttributes":{"namespace":"ns2","verb":"get","resource":"pods"}}}`, 400, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, resp := review[api.SubjectAccessReview](t, f, tc.u, tc.path, tc.body)
			if resp.Code != tc.code {
				t.Fatalf("POST %s = %d %s, want %d", tc.path, resp.Code, resp.Body, tc.code)
			}
			if got.Status.Allowed != tc.allowed {
				t.Errorf("status.allowed = %v (%+v), want %v", got.Status.Allowed, got.Status, tc.allowed)
			}
		})
	}
}

func TestSelfSubjectRulesReview(t *testing.T) {
	f := newAuthzFixture(t)
	f.setup("/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/roles",
		`{"metadata":{"name":"pod-reader"},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"]}]}`)
	f.setup("/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/rolebindings",
		`{"metadata":{"name":"bob"},"subjects":[{"kind":"User","name":"bob"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"pod-reader"}}`)
	const path = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
	got, resp := review[api.SelfSubjectRulesReview](t, f, user("bob"), path, `{"spec":{"namespace":"ns1"}}`)
	if resp.Code != http.StatusCreated {
		t.Fatalf("POST = %d %s, want 201", resp.Code, resp.Body)
	}
	pods := api.ResourceRule{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	var sawPods, sawReview, sawHealthz bool
	for _, r := range got.Status.ResourceRules {
		sawPods = sawPods || cmp.Equal(r, pods)
		sawReview = sawReview || (len(r.Resources) > 0 && r.Resources[0] == "selfsubjectreviews")
	}
	for _, r := range got.Status.NonResourceRules {
		for _, u := range r.NonResourceURLs {
			sawHealthz = sawHealthz || u == "/healthz"
		}
	}
	if !sawPods || !sawReview || !sawHealthz || got.Status.Incomplete {
		t.Errorf("rules of bob in ns1 = %+v, want the pod-reader rule, system:basic-user's and /healthz, complete", got.Status)
	}
	got, _ = review[api.SelfSubjectRulesReview](t, f, user("bob"), path, `{"spec":{"namespace":"ns2"}}`)
	for _, r := range got.Status.ResourceRules {
		if cmp.Equal(r, pods) {
			t.Errorf("rules of bob in ns2 hold %v, a rule of ns1", r)
		}
	}
	got, _ = review[api.SelfSubjectRulesReview](t, f, auth.NodeUser("n1"), path, `{"spec":{"namespace":"ns1"}}`)
	if !got.Status.Incomplete {
		t.Errorf("rules of a node: incomplete = false, want true (the node authorizer lists none)")
	}
}
