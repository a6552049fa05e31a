package apiserver

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

func TestScaleSubresource(t *testing.T) {
	const path = "/apis/apps/v1/namespaces/default/deployments/web/scale"
	type want struct {
		code     int
		replicas int32 // of the Deployment afterwards
		reason   api.StatusReason
	}
	tests := []struct {
		name        string
		method, ct  string
		body        func(rv string) string
		want        want
		wantVersion bool // the Deployment's resourceVersion moved
	}{
		{"get", http.MethodGet, "", func(string) string { return "" }, want{code: 200, replicas: 2}, false},
		{"merge patch, as kubectl scale sends", http.MethodPatch, rest.ContentMergePatch, func(string) string { return `{"spec":{"replicas":5}}` }, want{code: 200, replicas: 5}, true},
		{"strategic patch means merge", http.MethodPatch, rest.ContentStrategicPatch, func(string) string { return `{"spec":{"replicas":4}}` }, want{code: 200, replicas: 4}, true},
		{"json patch", http.MethodPatch, rest.ContentJSONPatch, func(string) string { return `[{"op":"replace","path":"/spec/replicas","value":0}]` }, want{code: 200, replicas: 0}, true},
		{"put with current resourceVersion", http.MethodPut, rest.ContentJSON, func(rv string) string {
			return `{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"web","resourceVersion":"` + rv + `"},"spec":{"replicas":3}}`
		}, want{code: 200, replicas: 3}, true},
		{"put with stale resourceVersion", http.MethodPut, rest.ContentJSON, func(string) string {
			return `{"metadata":{"name":"web","resourceVersion":"1"},"spec":{"replicas":3}}`
		}, want{code: 409, replicas: 2, reason: api.ReasonConflict}, false},
		{"negative replicas", http.MethodPatch, rest.ContentMergePatch, func(string) string { return `{"spec":{"replicas":-1}}` }, want{code: 422, replicas: 2, reason: api.ReasonInvalid}, false},
		{"wrong kind", http.MethodPut, rest.ContentJSON, func(string) string { return `{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":3}}` }, want{code: 400, replicas: 2, reason: api.ReasonBadRequest}, false},
		{"post", http.MethodPost, rest.ContentJSON, func(string) string { return `{}` }, want{code: 405, replicas: 2, reason: api.ReasonMethodNotAllowed}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			d, err := deploys(f).Create(f.ctx, newDeployment("web", 2), client.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			resp := f.do(tc.method, path, tc.ct, tc.body(d.ResourceVersion))
			got := want{code: resp.Code}
			if resp.Code >= 300 {
				got.reason = status(t, resp).Reason
			}
			after, err := deploys(f).Get(f.ctx, "default", "web")
			if err != nil {
				t.Fatal(err)
			}
			got.replicas = *after.Spec.Replicas
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s %s: (-want +got)\n%s\n%s", tc.method, path, diff, resp.Body)
			}
			if moved := after.ResourceVersion != d.ResourceVersion; moved != tc.wantVersion {
				t.Errorf("resourceVersion moved = %v, want %v", moved, tc.wantVersion)
			}
			if resp.Code != 200 {
				return
			}
			var sc api.Scale
			if err := json.Unmarshal(resp.Body, &sc); err != nil {
				t.Fatal(err)
			}
			wantScale := api.Scale{
				TypeMeta:   api.TypeMeta{APIVersion: "autoscaling/v1", Kind: "Scale"},
				ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default", UID: after.UID, ResourceVersion: after.ResourceVersion, CreationTimestamp: after.CreationTimestamp},
				Spec:       api.ScaleSpec{Replicas: tc.want.replicas},
				Status:     api.ScaleStatus{Selector: "app=web"},
			}
			if diff := cmp.Diff(wantScale, sc); diff != "" {
				t.Errorf("Scale answer (-want +got)\n%s", diff)
			}
		})
	}
}

func TestScaleOnlyForWorkloads(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{
		"/api/v1/namespaces/default/pods/p/scale",
		"/apis/apps/v1/namespaces/default/daemonsets/d/scale",
		"/api/v1/namespaces/default/services/s/eviction",
	} {
		if resp := f.do(http.MethodGet, p, "", ""); resp.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, resp.Code)
		}
	}
	if resp := f.do(http.MethodGet, "/apis/apps/v1/namespaces/default/deployments/none/scale", "", ""); resp.Code != http.StatusNotFound {
		t.Errorf("GET scale of a missing deployment = %d, want 404", resp.Code)
	}
}
