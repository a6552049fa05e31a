package apiserver

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// TestStatusWritesAreValidated sends the same bad status through every way
// of writing /status: each is refused with 422, the field path and the
// object, and nothing is stored.
func TestStatusWritesAreValidated(t *testing.T) {
	f := newFixture(t)
	if _, err := pods(f).Create(f.ctx, newPod("web", nil), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	const path = "/api/v1/namespaces/default/pods/web/status"
	get := func() string {
		resp := f.do(http.MethodGet, path, "", "")
		return string(resp.Body)
	}
	tests := []struct {
		name, method, contentType, body string
		query                           []string
		want                            []string
	}{
		{"put phase", http.MethodPut, rest.ContentJSON,
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default"},"status":{"phase":"Bogus"}}`, nil,
			[]string{`Pod "web" is invalid`, `status.phase: Unsupported value: "Bogus"`}},
		{"merge patch condition", http.MethodPatch, rest.ContentMergePatch,
			`{"status":{"conditions":[{"type":"Ready","status":"Maybe"}]}}`, nil,
			[]string{`status.conditions[0].status: Unsupported value: "Maybe"`}},
		{"strategic patch restartCount", http.MethodPatch, rest.ContentStrategicPatch,
			`{"status":{"containerStatuses":[{"name":"c","restartCount":-7,"ready":false,"image":"busybox","imageID":""}]}}`, nil,
			[]string{`status.containerStatuses[0].restartCount: Invalid value: -7: must be greater than or equal to 0`}},
		{"json patch ghost container", http.MethodPatch, rest.ContentJSONPatch,
			`[{"op":"add","path":"/status/containerStatuses","value":[{"name":"ghost","restartCount":0,"ready":false,"image":"x","imageID":""}]}]`, nil,
			[]string{"status.containerStatuses[0].name: Invalid value: \"ghost\": must match the name of an entry in `spec.containers`"}},
		{"apply podIP", http.MethodPatch, rest.ContentApplyPatch,
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default"},"status":{"podIP":"10.1.2"}}`,
			[]string{"fieldManager", "test", "force", "true"},
			[]string{`status.podIP: Invalid value: "10.1.2": must be a valid IP address`}},
	}
	for _, tt := range tests {
		before := get()
		resp := f.do(tt.method, path, tt.contentType, tt.body, tt.query...)
		st := status(t, resp)
		if resp.Code != http.StatusUnprocessableEntity || st.Reason != api.ReasonInvalid {
			t.Errorf("%s: %s %s = %d %s %q, want 422 Invalid", tt.name, tt.method, path, resp.Code, st.Reason, st.Message)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(st.Message, w) {
				t.Errorf("%s: message %q, want it to contain %q", tt.name, st.Message, w)
			}
		}
		if after := get(); after != before {
			t.Errorf("%s: a refused status write changed the pod:\n%s\n->\n%s", tt.name, before, after)
		}
	}
	// A valid write of the same kinds of fields goes through.
	resp := f.do(http.MethodPatch, path, rest.ContentMergePatch,
		`{"status":{"phase":"Running","podIP":"10.244.0.5","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"c","restartCount":1,"ready":true,"image":"busybox","imageID":""}]}}`)
	if resp.Code != http.StatusOK {
		t.Errorf("valid status patch = %d %s, want 200", resp.Code, resp.Body)
	}
}

// TestWorkloadStatusCounts: a Deployment's status counts must agree.
func TestWorkloadStatusCounts(t *testing.T) {
	f := newFixture(t)
	if _, err := deploys(f).Create(f.ctx, newDeployment("web", 2), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	resp := f.do(http.MethodPatch, "/apis/apps/v1/namespaces/default/deployments/web/status", rest.ContentMergePatch,
		`{"status":{"replicas":2,"readyReplicas":1,"availableReplicas":2}}`)
	st := status(t, resp)
	want := `Deployment.apps "web" is invalid: status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas`
	if resp.Code != http.StatusUnprocessableEntity || st.Message != want {
		t.Errorf("PATCH deployment status = %d %q, want 422 %q", resp.Code, st.Message, want)
	}
}

// TestBadQuantityNamesItsField: a quantity that does not parse fails the
// decoding (400, as in Kubernetes), and the answer names the object and
// the field, for create and for a patch that introduces it.
func TestBadQuantityNamesItsField(t *testing.T) {
	f := newFixture(t)
	if _, err := deploys(f).Create(f.ctx, newDeployment("web", 1), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	format := api.ErrQuantityFormat.Error()
	tests := []struct {
		name, method, path, contentType, body, want string
	}{
		{"create", http.MethodPost, "/api/v1/namespaces/default/pods", rest.ContentJSON,
			`{"metadata":{"name":"q"},"spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":"abc"}}}]}}`,
			`the request body is not a valid Pod "q": spec.containers[0].resources.limits[cpu]: Invalid value: "abc": ` + format},
		{"too large", http.MethodPost, "/api/v1/namespaces/default/persistentvolumeclaims", rest.ContentJSON,
			`{"metadata":{"name":"big"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":1e300}}}}`,
			`the request body is not a valid PersistentVolumeClaim "big": spec.resources.requests[storage]: Invalid value: "1e300": ` + api.ErrQuantityTooLarge.Error()},
		{"merge patch", http.MethodPatch, "/apis/apps/v1/namespaces/default/deployments/web", rest.ContentMergePatch,
			`{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox","resources":{"requests":{"memory":"NaN"}}}]}}}}`,
			`the request body is not a valid Deployment "web": spec.template.spec.containers[0].resources.requests[memory]: Invalid value: "NaN": ` + format},
	}
	for _, tt := range tests {
		before, _ := f.store.Revision(f.ctx)
		resp := f.do(tt.method, tt.path, tt.contentType, tt.body)
		st := status(t, resp)
		if resp.Code != http.StatusBadRequest || st.Reason != api.ReasonBadRequest || st.Message != tt.want {
			t.Errorf("%s: %s %s = %d %s %q, want 400 BadRequest %q", tt.name, tt.method, tt.path, resp.Code, st.Reason, st.Message, tt.want)
		}
		if after, _ := f.store.Revision(f.ctx); after != before {
			t.Errorf("%s: a refused write moved the store (revision %d -> %d)", tt.name, before, after)
		}
	}
}
