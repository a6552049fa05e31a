package authorizer

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/rest"
)

func TestAttributesFor(t *testing.T) {
	u := &rest.UserInfo{Name: "jane"}
	tests := []struct {
		method, path, query string
		want                Attributes
	}{
		{"GET", "/api/v1/namespaces/dev/pods", "", Attributes{Verb: "list", ResourceRequest: true, APIVersion: "v1", Resource: "pods", Namespace: "dev"}},
		{"GET", "/api/v1/namespaces/dev/pods", "watch=true", Attributes{Verb: "watch", ResourceRequest: true, APIVersion: "v1", Resource: "pods", Namespace: "dev"}},
		{"GET", "/api/v1/watch/namespaces/dev/pods", "", Attributes{Verb: "watch", ResourceRequest: true, APIVersion: "v1", Resource: "pods", Namespace: "dev"}},
		{"GET", "/api/v1/pods", "", Attributes{Verb: "list", ResourceRequest: true, APIVersion: "v1", Resource: "pods"}},
		{"GET", "/api/v1/namespaces/dev/pods/web/log", "", Attributes{Verb: "get", ResourceRequest: true, APIVersion: "v1", Resource: "pods", Subresource: "log", Namespace: "dev", Name: "web"}},
		{"POST", "/api/v1/namespaces/dev/pods/web/exec", "", Attributes{Verb: "create", ResourceRequest: true, APIVersion: "v1", Resource: "pods", Subresource: "exec", Namespace: "dev", Name: "web"}},
		{"POST", "/apis/apps/v1/namespaces/dev/deployments", "", Attributes{Verb: "create", ResourceRequest: true, APIGroup: "apps", APIVersion: "v1", Resource: "deployments", Namespace: "dev"}},
		{"PUT", "/apis/apps/v1/namespaces/dev/deployments/web/scale", "", Attributes{Verb: "update", ResourceRequest: true, APIGroup: "apps", APIVersion: "v1", Resource: "deployments", Subresource: "scale", Namespace: "dev", Name: "web"}},
		{"PATCH", "/api/v1/nodes/n1/status", "", Attributes{Verb: "patch", ResourceRequest: true, APIVersion: "v1", Resource: "nodes", Subresource: "status", Name: "n1"}},
		{"DELETE", "/api/v1/namespaces/dev/pods/web", "", Attributes{Verb: "delete", ResourceRequest: true, APIVersion: "v1", Resource: "pods", Namespace: "dev", Name: "web"}},
		{"DELETE", "/api/v1/namespaces/dev/pods", "", Attributes{Verb: "deletecollection", ResourceRequest: true, APIVersion: "v1", Resource: "pods", Namespace: "dev"}},
		{"GET", "/api/v1/namespaces/dev", "", Attributes{Verb: "get", ResourceRequest: true, APIVersion: "v1", Resource: "namespaces", Namespace: "dev", Name: "dev"}},
		{"PUT", "/api/v1/namespaces/dev/finalize", "", Attributes{Verb: "update", ResourceRequest: true, APIVersion: "v1", Resource: "namespaces", Subresource: "finalize", Namespace: "dev", Name: "dev"}},
		{"GET", "/api/v1/namespaces", "", Attributes{Verb: "list", ResourceRequest: true, APIVersion: "v1", Resource: "namespaces"}},
		{"POST", "/api/v1/namespaces/dev/serviceaccounts/default/token", "", Attributes{Verb: "create", ResourceRequest: true, APIVersion: "v1", Resource: "serviceaccounts", Subresource: "token", Namespace: "dev", Name: "default"}},
		{"GET", "/healthz", "", Attributes{Verb: "get", Path: "/healthz"}},
		{"HEAD", "/version", "", Attributes{Verb: "get", Path: "/version"}},
		{"GET", "/api", "", Attributes{Verb: "get", Path: "/api"}},
		{"GET", "/api/v1", "", Attributes{Verb: "get", Path: "/api/v1"}},
		{"GET", "/apis/apps/v1", "", Attributes{Verb: "get", Path: "/apis/apps/v1"}},
		{"POST", "/tinykube/v1/join", "", Attributes{Verb: "post", Path: "/tinykube/v1/join"}},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		got := AttributesFor(&rest.Request{Method: tt.method, Path: tt.path, Query: q, User: u})
		tt.want.User = u
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("AttributesFor(%s %s?%s) (-want +got):\n%s", tt.method, tt.path, tt.query, diff)
		}
	}
}

func TestUnionFirstOpinionWins(t *testing.T) {
	allow := Func(func(context.Context, Attributes) (Decision, string, error) { return Allow, "a", nil })
	deny := Func(func(context.Context, Attributes) (Decision, string, error) { return Deny, "d", nil })
	none := Func(func(context.Context, Attributes) (Decision, string, error) { return NoOpinion, "n", nil })
	broken := Func(func(context.Context, Attributes) (Decision, string, error) {
		return NoOpinion, "", errors.New("rules unreadable")
	})
	tests := []struct {
		name   string
		u      Union
		want   Decision
		reason string
		err    bool
	}{
		{"empty", Union{}, NoOpinion, "", false},
		{"none then allow", Union{none, allow}, Allow, "a", false},
		{"deny before allow", Union{deny, allow}, Deny, "d", false},
		{"broken then allow", Union{broken, allow}, Allow, "a", false},
		{"broken alone", Union{broken, none}, NoOpinion, "n", true},
	}
	for _, tt := range tests {
		d, reason, err := tt.u.Authorize(context.Background(), Attributes{})
		if d != tt.want || reason != tt.reason || (err != nil) != tt.err {
			t.Errorf("%s: Authorize = %v, %q, %v; want %v, %q, error %v", tt.name, d, reason, err, tt.want, tt.reason, tt.err)
		}
	}
}
