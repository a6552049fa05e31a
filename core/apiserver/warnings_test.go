package apiserver

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/rest"
)

// TestWarningsOnlyForWhatTheClientAsked: a not-implemented field warns when
// the client asks for something, not when it sends back what the server
// defaulted (an object read and written back, as kubectl edit/replace and
// controllers do), at every field validation level.
func TestWarningsOnlyForWhatTheClientAsked(t *testing.T) {
	const tmp = `"spec.containers[0].terminationMessagePath"`
	podBody := func(extra string) string {
		return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c","image":"busybox"` + extra + `}]}}`
	}
	cases := []struct {
		name   string
		method string // POST creates "p" from body; PUT first creates it plainly, then sends body (or the object as read, when body is "")
		body   string
		query  []string
		want   []string // fields named in warnings
		code   int
	}{
		{name: "create asking for a termination message path", method: "POST", body: podBody(`,"terminationMessagePath":"/tmp/msg"`),
			want: []string{tmp}, code: 201},
		{name: "create sending the default path", method: "POST", body: podBody(`,"terminationMessagePath":"/dev/termination-log"`),
			code: 201},
		{name: "create sending the default path, strict", method: "POST", body: podBody(`,"terminationMessagePath":"/dev/termination-log"`),
			query: []string{"fieldValidation", "Strict"}, code: 201},
		// Strict refuses unknown and duplicate fields only: a field tinykube
		// knows but does not implement stays a warning, or ordinary
		// Kubernetes manifests (kubectl sends Strict) could not be applied.
		{name: "create asking for a path, strict", method: "POST", body: podBody(`,"terminationMessagePath":"/tmp/msg"`),
			query: []string{"fieldValidation", "Strict"}, want: []string{tmp}, code: 201},
		{name: "update echoing the object as read", method: "PUT", code: 200},
		{name: "update echoing the object as read, strict", method: "PUT", query: []string{"fieldValidation", "Strict"}, code: 200},
		{name: "update changing the path (a pod's containers are immutable: refused, and warned)", method: "PUT", body: podBody(`,"terminationMessagePath":"/tmp/msg"`),
			want: []string{tmp}, code: 422},
		{name: "other warnings stay", method: "POST", body: podBody(`,"terminationMessagePath":"/dev/termination-log","startupProbe":{"exec":{"command":["true"]}},"bogus":1`),
			want: []string{`"spec.containers[0].bogus"`, `"spec.containers[0].startupProbe"`}, code: 201},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			body, path := c.body, "/api/v1/namespaces/default/pods"
			if c.method == "PUT" {
				path += "/p"
				if resp := f.do("POST", "/api/v1/namespaces/default/pods", rest.ContentJSON, podBody("")); resp.Code != 201 {
					t.Fatalf("create: %d %s", resp.Code, resp.Body)
				}
				if body == "" {
					resp := f.do("GET", path, "", "")
					if !strings.Contains(string(resp.Body), "terminationMessagePath") {
						t.Fatalf("the object as read has no terminationMessagePath to echo: %s", resp.Body)
					}
					body = string(resp.Body)
				}
			}
			resp := f.do(c.method, path, rest.ContentJSON, body, c.query...)
			if resp.Code != c.code {
				t.Fatalf("%s = %d %s, want %d", c.method, resp.Code, resp.Body, c.code)
			}
			var got []string
			for _, w := range resp.Warnings {
				for _, field := range []string{tmp, `"spec.containers[0].bogus"`, `"spec.containers[0].startupProbe"`} {
					if strings.Contains(w, field) {
						got = append(got, field)
					}
				}
			}
			if len(got) != len(resp.Warnings) {
				t.Errorf("unexpected warnings: %q", resp.Warnings)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("fields warned about (-want +got):\n%s\nwarnings: %q", diff, resp.Warnings)
			}
		})
	}
}

func TestParseFieldPath(t *testing.T) {
	got := parseFieldPath("spec.template.spec.containers[0].env[a.b/c].x")
	want := []pathStep{{name: "spec"}, {name: "template"}, {name: "spec"}, {name: "containers"}, {name: "0", subscript: true},
		{name: "env"}, {name: "a.b/c", subscript: true}, {name: "x"}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(pathStep{})); diff != "" {
		t.Errorf("parseFieldPath (-want +got):\n%s", diff)
	}
}

// A strategic patch that adds a container puts it first, so the containers
// already there move to other indices: their defaulted fields must not look
// new and warn (client-side kubectl apply over an object made by kubectl
// create did). A field the patch itself asks for still warns.
func TestPatchMovingContainersDoesNotWarn(t *testing.T) {
	for _, c := range []struct {
		name  string
		patch string
		want  int // warnings
	}{
		{"a new container first", `{"name":"new","image":"busybox"}`, 0},
		{"a new container asking for a path", `{"name":"new","image":"busybox","terminationMessagePath":"/tmp/m"}`, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			dep := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"default"},"spec":{"selector":{"matchLabels":{"a":"b"}},` +
				`"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"old","image":"busybox"}]}}}}`
			if resp := f.do("POST", "/apis/apps/v1/namespaces/default/deployments", rest.ContentJSON, dep); resp.Code != 201 {
				t.Fatalf("create: %d %s", resp.Code, resp.Body)
			}
			patch := `{"spec":{"template":{"spec":{"containers":[` + c.patch + `]}}}}`
			resp := f.do("PATCH", "/apis/apps/v1/namespaces/default/deployments/d", rest.ContentStrategicPatch, patch)
			if resp.Code != 200 {
				t.Fatalf("patch: %d %s", resp.Code, resp.Body)
			}
			if !strings.Contains(string(resp.Body), `"name":"new"`) || !strings.Contains(string(resp.Body), `"name":"old"`) {
				t.Fatalf("patched object lacks a container: %s", resp.Body)
			}
			if len(resp.Warnings) != c.want {
				t.Errorf("warnings %q, want %d", resp.Warnings, c.want)
			}
		})
	}
}
