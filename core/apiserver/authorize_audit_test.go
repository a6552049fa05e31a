package apiserver

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/core/rest"
)

func TestAuthorizationAuditAnnotations(t *testing.T) {
	f := newAuthzFixture(t)
	f.bindTo("ns1", "jane", rbac.EditRole)
	for _, tc := range []struct {
		name         string
		u            *rest.UserInfo
		method, path string
		body         string
		want         map[string]string
	}{
		{"allowed by a binding", user("jane"), http.MethodPost, "/api/v1/namespaces/ns1/configmaps", `{"metadata":{"name":"c"}}`,
			map[string]string{"authorization.k8s.io/decision": "allow",
				"authorization.k8s.io/reason": `RBAC: allowed by RoleBinding "jane-edit" of ClusterRole "edit" to jane in namespace "ns1"`}},
		{"allowed, then failing", user("jane"), http.MethodGet, "/api/v1/namespaces/ns1/configmaps/missing", "",
			map[string]string{"authorization.k8s.io/decision": "allow",
				"authorization.k8s.io/reason": `RBAC: allowed by RoleBinding "jane-edit" of ClusterRole "edit" to jane in namespace "ns1"`}},
		{"masters", auth.AdminUser(), http.MethodGet, "/api/v1/namespaces/ns2/configmaps", "",
			map[string]string{"authorization.k8s.io/decision": "allow",
				"authorization.k8s.io/reason": `user "kubernetes-admin" is in the group "system:masters"`}},
		{"refused", user("jane"), http.MethodDelete, "/api/v1/namespaces/ns2/configmaps/c", "",
			map[string]string{"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}},
		{"in-process", nil, http.MethodGet, "/api/v1/namespaces/ns1/configmaps", "", nil},
	} {
		resp := f.as(tc.u, tc.method, tc.path, tc.body)
		if diff := cmp.Diff(tc.want, resp.AuditAnnotations); diff != "" {
			t.Errorf("%s: %s %s (code %d) AuditAnnotations mismatch (-want +got):\n%s", tc.name, tc.method, tc.path, resp.Code, diff)
		}
	}
	// The relay's question: allowed answers carry the annotations and no
	// code; refusals are 403s.
	allowed := f.server.Authorize(context.Background(), &rest.Request{Method: http.MethodGet, Path: "/api/v1/namespaces/ns1/pods/web/log", User: user("jane")})
	if allowed == nil || allowed.Code != 0 || allowed.AuditAnnotations["authorization.k8s.io/decision"] != "allow" {
		t.Errorf("Authorize(jane get pods/log in ns1) = %+v, want no code and decision allow", allowed)
	}
	refused := f.server.Authorize(context.Background(), &rest.Request{Method: http.MethodPost, Path: "/api/v1/namespaces/ns2/pods/web/exec", User: user("jane")})
	if refused == nil || refused.Code != http.StatusForbidden || refused.AuditAnnotations["authorization.k8s.io/decision"] != "forbid" {
		t.Errorf("Authorize(jane exec in ns2) = %+v, want 403 with decision forbid", refused)
	}
}
