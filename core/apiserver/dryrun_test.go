package apiserver

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/rest"
)

// TestDryRunStoresNothing: every write with dryRun=All answers as the real
// write would and leaves the store exactly as it was (no object, no
// allocation, no revision).
func TestDryRunStoresNothing(t *testing.T) {
	const (
		pods = "/api/v1/namespaces/default/pods"
		svcs = "/api/v1/namespaces/default/services"
	)
	cases := []struct {
		name, method, path, ct, body string
		code                         int
		// want is a fragment the answer must hold: it is the object as it
		// would have been stored.
		want string
	}{
		{"create", "POST", pods, rest.ContentJSON, `{"metadata":{"name":"new"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`, 201, `"terminationMessagePath":"/dev/termination-log"`},
		{"create with generateName", "POST", pods, rest.ContentJSON, `{"metadata":{"generateName":"new-"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`, 201, `"name":"new-`},
		{"create of an existing name", "POST", pods, rest.ContentJSON, `{"metadata":{"name":"web"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`, 409, `AlreadyExists`},
		{"create that fails validation", "POST", pods, rest.ContentJSON, `{"metadata":{"name":"bad"},"spec":{"containers":[]}}`, 422, `Invalid`},
		{"create of a NodePort service allocates nothing", "POST", svcs, rest.ContentJSON, `{"metadata":{"name":"np"},"spec":{"type":"NodePort","ports":[{"port":80}]}}`, 201, `"nodePort":`},
		{"update", "PUT", pods + "/web", rest.ContentJSON, `{"metadata":{"name":"web","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`, 200, `"labels":{"a":"b"}`},
		{"merge patch", "PATCH", pods + "/web", rest.ContentMergePatch, `{"metadata":{"labels":{"x":"y"}}}`, 200, `"x":"y"`},
		{"json patch", "PATCH", pods + "/web", rest.ContentJSONPatch, `[{"op":"add","path":"/metadata/labels","value":{"j":"k"}}]`, 200, `"j":"k"`},
		{"status", "PUT", pods + "/web/status", rest.ContentJSON, `{"metadata":{"name":"web"},"status":{"phase":"Running"}}`, 200, `"phase":"Running"`},
		{"binding", "POST", pods + "/web/binding", rest.ContentJSON, `{"metadata":{"name":"web"},"target":{"kind":"Node","name":"n1"}}`, 201, `Success`},
		{"delete", "DELETE", pods + "/web", "", ``, 200, `"name":"web"`},
		{"delete of a service", "DELETE", svcs + "/s", "", ``, 200, `"name":"s"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if resp := f.do("POST", pods, rest.ContentJSON, `{"metadata":{"name":"web"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`); resp.Code != 201 {
				t.Fatalf("setup: %d %s", resp.Code, resp.Body)
			}
			if resp := f.do("POST", svcs, rest.ContentJSON, `{"metadata":{"name":"s"},"spec":{"type":"NodePort","ports":[{"port":80}]}}`); resp.Code != 201 {
				t.Fatalf("setup: %d %s", resp.Code, resp.Body)
			}
			before, err := f.store.Revision(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			resp := f.do(c.method, c.path, c.ct, c.body, "dryRun", "All")
			if resp.Code != c.code || !json.Valid(resp.Body) || !contains(resp.Body, c.want) {
				t.Errorf("%s %s?dryRun=All = %d %s, want %d with %s", c.method, c.path, resp.Code, resp.Body, c.code, c.want)
			}
			if after, _ := f.store.Revision(f.ctx); after != before {
				t.Errorf("the store moved from revision %d to %d: a dry run wrote", before, after)
			}
		})
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

// TestDryRunRefusesOtherValues: a value other than All is refused before
// anything runs, with Kubernetes' wording, on every write verb; reads
// ignore the parameter.
func TestDryRunRefusesOtherValues(t *testing.T) {
	cases := []struct {
		method, path, ct, body, value string
		code                          int
		message                       string
	}{
		{"POST", "/api/v1/namespaces/default/configmaps", rest.ContentJSON, `{"metadata":{"name":"c"}}`, "all", 422,
			`CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"all"}: supported values: "All"`},
		{"POST", "/api/v1/namespaces/default/configmaps", rest.ContentJSON, `{"metadata":{"name":"c"}}`, "true", 422,
			`CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"true"}: supported values: "All"`},
		{"PUT", "/api/v1/namespaces/default/configmaps/cm", rest.ContentJSON, `{"metadata":{"name":"cm"}}`, "None", 422,
			`UpdateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"None"}: supported values: "All"`},
		{"PATCH", "/api/v1/namespaces/default/configmaps/cm", rest.ContentMergePatch, `{}`, "server", 422,
			`PatchOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"server"}: supported values: "All"`},
		{"DELETE", "/api/v1/namespaces/default/configmaps/cm", "", ``, "", 422,
			`DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{""}: supported values: "All"`},
		{"DELETE", "/api/v1/namespaces/default/configmaps/cm", rest.ContentJSON, `{"dryRun":["Some"]}`, "-", 422,
			`DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Some"}: supported values: "All"`},
		{"GET", "/api/v1/namespaces/default/configmaps/cm", "", ``, "whatever", 200, ``},
	}
	for _, c := range cases {
		f := newFixture(t)
		if resp := f.do("POST", "/api/v1/namespaces/default/configmaps", rest.ContentJSON, `{"metadata":{"name":"cm"}}`); resp.Code != 201 {
			t.Fatalf("setup: %d %s", resp.Code, resp.Body)
		}
		before, _ := f.store.Revision(f.ctx)
		var query []string
		if c.value != "-" {
			query = []string{"dryRun", c.value}
		}
		resp := f.do(c.method, c.path, c.ct, c.body, query...)
		if resp.Code != c.code {
			t.Errorf("%s %s dryRun=%q = %d %s, want %d", c.method, c.path, c.value, resp.Code, resp.Body, c.code)
			continue
		}
		if c.message != "" {
			if got := status(t, resp).Message; got != c.message {
				t.Errorf("%s dryRun=%q: message\n got %s\nwant %s", c.method, c.value, got, c.message)
			}
		}
		if after, _ := f.store.Revision(f.ctx); after != before {
			t.Errorf("%s dryRun=%q: the store moved from revision %d to %d", c.method, c.value, before, after)
		}
	}
}
