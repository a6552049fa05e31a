package audit

import (
	"net/url"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
)

var (
	jane      = &rest.UserInfo{Name: "jane", Groups: []string{"dev", "system:authenticated"}}
	kubeProxy = &rest.UserInfo{Name: "system:kube-proxy", Groups: []string{"system:authenticated"}}
	anonymous = &rest.UserInfo{Name: "system:anonymous", Groups: []string{"system:unauthenticated"}}
)

// attrs returns the attributes of a request "METHOD /path?query" by u, as
// the edge derives them.
func attrs(t *testing.T, u *rest.UserInfo, method, uri string) authorizer.Attributes {
	t.Helper()
	p, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	return authorizer.AttributesFor(&rest.Request{Method: method, Path: p.Path, Query: p.Query(), User: u})
}

func TestEvaluateDocsPolicy(t *testing.T) {
	data, err := os.ReadFile("testdata/docs-policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, warnings, err := ParsePolicy(data)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("ParsePolicy(docs policy) = warnings %q, error %v, want none", warnings, err)
	}
	tests := []struct {
		user   *rest.UserInfo
		method string
		uri    string
		want   Level
	}{
		{jane, "POST", "/api/v1/namespaces/dev/pods", LevelRequestResponse},
		{jane, "GET", "/api/v1/pods?watch=true", LevelRequestResponse},
		{jane, "PATCH", "/api/v1/namespaces/dev/pods/web", LevelRequestResponse},
		// "pods" does not name a subresource of pods …
		{jane, "GET", "/api/v1/namespaces/dev/pods/web/log", LevelMetadata},
		{jane, "PUT", "/api/v1/namespaces/dev/pods/web/status", LevelMetadata},
		// … and a subresource no rule names falls to the core-group rule.
		{jane, "POST", "/api/v1/namespaces/dev/pods/web/exec", LevelRequest},
		{jane, "PUT", "/api/v1/namespaces/dev/configmaps/controller-leader", LevelNone},
		{jane, "PUT", "/api/v1/namespaces/kube-system/configmaps/other", LevelRequest},
		{jane, "PUT", "/api/v1/namespaces/dev/configmaps/other", LevelMetadata},
		{jane, "GET", "/api/v1/namespaces/dev/secrets/token", LevelMetadata},
		{kubeProxy, "GET", "/api/v1/services?watch=1", LevelNone},
		{kubeProxy, "GET", "/api/v1/services", LevelRequest},
		{jane, "GET", "/api/v1/services?watch=1", LevelRequest},
		{jane, "GET", "/apis", LevelNone},
		{jane, "GET", "/api/v1", LevelNone},
		{jane, "GET", "/version", LevelNone},
		{anonymous, "GET", "/version", LevelMetadata},
		{jane, "GET", "/healthz", LevelMetadata},
		{jane, "DELETE", "/apis/apps/v1/namespaces/dev/deployments/web", LevelMetadata},
		{jane, "GET", "/apis/extensions/v1beta1/namespaces/dev/ingresses", LevelRequest},
	}
	for _, tt := range tests {
		got := p.Evaluate(attrs(t, tt.user, tt.method, tt.uri))
		if got.Level != tt.want {
			t.Errorf("Evaluate(%s %s %s).Level = %s, want %s", tt.user.Name, tt.method, tt.uri, got.Level, tt.want)
		}
		if tt.want != LevelNone && got.Records(StageRequestReceived) {
			t.Errorf("Evaluate(%s %s %s) records RequestReceived, which the policy omits", tt.user.Name, tt.method, tt.uri)
		}
	}
}

func TestResourceMatches(t *testing.T) {
	tests := []struct {
		spec, resource, sub string
		want                bool
	}{
		{"pods", "pods", "", true},
		{"pods", "pods", "log", false},
		{"pods/log", "pods", "log", true},
		{"pods/log", "pods", "", false},
		{"*/status", "deployments", "status", true},
		{"*/status", "deployments", "", false},
		{"*/status", "pods", "log", false},
		{"pods/*", "pods", "exec", true},
		{"pods/*", "pods", "", true},
		{"pods/*", "services", "", false},
		{"*", "anything", "sub", true},
	}
	for _, tt := range tests {
		if got := resourceMatches(tt.spec, tt.resource, tt.sub); got != tt.want {
			t.Errorf("resourceMatches(%q, %q, %q) = %v, want %v", tt.spec, tt.resource, tt.sub, got, tt.want)
		}
	}
}

func TestPathMatches(t *testing.T) {
	tests := []struct {
		path, spec string
		want       bool
	}{
		{"/healthz", "/healthz", true},
		{"/healthz/etcd", "/healthz", false},
		{"/healthz/etcd", "/healthz*", true},
		{"/anything", "*", true},
		{"/metrics", "/healthz*", false},
	}
	for _, tt := range tests {
		if got := pathMatches(tt.path, tt.spec); got != tt.want {
			t.Errorf("pathMatches(%q, %q) = %v, want %v", tt.path, tt.spec, got, tt.want)
		}
	}
}

func TestEvaluateStagesAndManagedFields(t *testing.T) {
	yes, no := true, false
	p := &Policy{
		OmitStages:        []Stage{StageRequestReceived},
		OmitManagedFields: true,
		Rules: []PolicyRule{
			{Level: LevelRequest, Users: []string{"jane"}, OmitStages: []Stage{StageResponseStarted}, OmitManagedFields: &no},
			{Level: LevelRequestResponse, UserGroups: []string{"ops"}, OmitManagedFields: &yes},
			{Level: LevelMetadata, Namespaces: []string{""}},
		},
	}
	ops := &rest.UserInfo{Name: "olga", Groups: []string{"ops"}}
	tests := []struct {
		name string
		a    authorizer.Attributes
		want RequestConfig
	}{
		{"first rule", attrs(t, jane, "POST", "/api/v1/namespaces/a/pods"),
			RequestConfig{Level: LevelRequest, OmitStages: []Stage{StageRequestReceived, StageResponseStarted}, OmitManagedFields: false}},
		{"group rule", attrs(t, ops, "POST", "/api/v1/namespaces/a/pods"),
			RequestConfig{Level: LevelRequestResponse, OmitStages: []Stage{StageRequestReceived}, OmitManagedFields: true}},
		{"cluster scope", attrs(t, anonymous, "POST", "/api/v1/nodes"),
			RequestConfig{Level: LevelMetadata, OmitStages: []Stage{StageRequestReceived}, OmitManagedFields: true}},
		{"no rule", attrs(t, anonymous, "POST", "/api/v1/namespaces/a/pods"),
			RequestConfig{Level: LevelNone, OmitStages: []Stage{StageRequestReceived}, OmitManagedFields: true}},
		{"non-resource vs namespaces", attrs(t, anonymous, "GET", "/healthz"),
			RequestConfig{Level: LevelNone, OmitStages: []Stage{StageRequestReceived}, OmitManagedFields: true}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, p.Evaluate(tt.a)); diff != "" {
			t.Errorf("Evaluate(%s) mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
	if got := (*Policy)(nil).Evaluate(attrs(t, jane, "DELETE", "/api/v1/nodes/n")); got.Level != LevelNone {
		t.Errorf("nil Policy.Evaluate().Level = %s, want None", got.Level)
	}
}

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	if errs := ValidatePolicy(p); len(errs) > 0 {
		t.Fatalf("ValidatePolicy(DefaultPolicy()) = %v, want no errors", errs)
	}
	node := &rest.UserInfo{Name: "system:node:n1", Groups: []string{"system:nodes"}}
	tests := []struct {
		user   *rest.UserInfo
		method string
		uri    string
		want   Level
	}{
		{jane, "GET", "/api/v1/namespaces/dev/pods", LevelNone},
		{jane, "GET", "/api/v1/namespaces/dev/pods/web", LevelNone},
		{jane, "GET", "/api/v1/pods?watch=true", LevelNone},
		{jane, "GET", "/healthz", LevelNone},
		{jane, "POST", "/api/v1/namespaces/dev/pods", LevelMetadata},
		{jane, "PATCH", "/api/v1/namespaces/dev/pods/web", LevelMetadata},
		{jane, "DELETE", "/api/v1/namespaces/dev/pods/web", LevelMetadata},
		{jane, "DELETE", "/api/v1/namespaces/dev/pods", LevelMetadata},
		{jane, "POST", "/api/v1/namespaces/dev/pods/web/exec", LevelMetadata},
		{jane, "POST", "/api/v1/namespaces/dev/events", LevelNone},
		{jane, "POST", "/apis/events.k8s.io/v1/namespaces/dev/events", LevelNone},
		{node, "PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1", LevelNone},
		{node, "PATCH", "/api/v1/nodes/n1/status", LevelNone},
		{node, "PATCH", "/api/v1/nodes/n1", LevelMetadata},
	}
	for _, tt := range tests {
		got := p.Evaluate(attrs(t, tt.user, tt.method, tt.uri))
		if got.Level != tt.want {
			t.Errorf("DefaultPolicy().Evaluate(%s %s).Level = %s, want %s", tt.method, tt.uri, got.Level, tt.want)
		}
	}
}
