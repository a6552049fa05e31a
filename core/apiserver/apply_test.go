package apiserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

const cmPath = "/api/v1/namespaces/default/configmaps/conf"

// managed returns an object's managedFields as "manager/operation[/sub]"
// → FieldsV1.
func managed(t *testing.T, obj api.Object) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, e := range obj.GetObjectMeta().ManagedFields {
		k := e.Manager + "/" + e.Operation
		if e.Subresource != "" {
			k += "/" + e.Subresource
		}
		out[k] = string(e.FieldsV1)
	}
	return out
}

func (f *fixture) apply(path, body string, query ...string) *rest.Response {
	f.t.Helper()
	return f.do(http.MethodPatch, path, rest.ContentApplyPatch, body, query...)
}

func (f *fixture) configMap(name string) *api.ConfigMap {
	f.t.Helper()
	cm, err := configMaps(f).Get(f.ctx, "default", name)
	if err != nil {
		f.t.Fatalf("get %s: %v", name, err)
	}
	return cm
}

func TestApplyCreatesUpdatesAndPrunes(t *testing.T) {
	f := newFixture(t)
	resp := f.apply(cmPath, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf","labels":{"app":"web"}},"data":{"a":"1","b":"2"}}`, "fieldManager", "kubectl")
	if resp.Code != http.StatusCreated {
		t.Fatalf("first apply: %d %s, want 201", resp.Code, resp.Body)
	}
	cm := f.configMap("conf")
	if diff := cmp.Diff(map[string]string{"kubectl/Apply": `{"f:data":{"f:a":{},"f:b":{}},"f:metadata":{"f:labels":{"f:app":{}}}}`}, managed(t, cm)); diff != "" {
		t.Errorf("managedFields after create (-want +got):\n%s", diff)
	}

	// The same configuration again is a no-op: no new resourceVersion.
	rv := cm.ResourceVersion
	resp = f.apply(cmPath, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf","labels":{"app":"web"}},"data":{"a":"1","b":"2"}}`, "fieldManager", "kubectl")
	if resp.Code != http.StatusOK {
		t.Fatalf("re-apply: %d %s", resp.Code, resp.Body)
	}
	if got := f.configMap("conf").ResourceVersion; got != rv {
		t.Errorf("re-applying the same configuration moved the resourceVersion %s → %s", rv, got)
	}

	// Another writer adds a key with an ordinary patch: it owns it.
	resp = f.do(http.MethodPatch, cmPath, rest.ContentMergePatch, `{"data":{"c":"3"}}`, "fieldManager", "editor")
	if resp.Code != http.StatusOK {
		t.Fatalf("merge patch: %d %s", resp.Code, resp.Body)
	}

	// The applier stops applying b and c... it never owned c: c stays, b goes.
	resp = f.apply(cmPath, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf"},"data":{"a":"1"}}`, "fieldManager", "kubectl")
	if resp.Code != http.StatusOK {
		t.Fatalf("apply without b: %d %s", resp.Code, resp.Body)
	}
	cm = f.configMap("conf")
	if diff := cmp.Diff(map[string]string{"a": "1", "c": "3"}, cm.Data); diff != "" {
		t.Errorf("data after pruning (-want +got):\n%s", diff)
	}
	if cm.Labels["app"] != "" {
		t.Errorf("the label the applier stopped applying is still there: %v", cm.Labels)
	}
	if diff := cmp.Diff(map[string]string{
		"kubectl/Apply": `{"f:data":{"f:a":{}}}`,
		"editor/Update": `{"f:data":{"f:c":{}}}`,
	}, managed(t, cm)); diff != "" {
		t.Errorf("managedFields (-want +got):\n%s", diff)
	}
}

func TestApplyConflictsSharingAndForce(t *testing.T) {
	f := newFixture(t)
	if resp := f.do(http.MethodPost, "/api/v1/namespaces/default/configmaps", rest.ContentJSON,
		`{"metadata":{"name":"conf"},"data":{"a":"1","b":"2"}}`, "fieldManager", "creator"); resp.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.Code, resp.Body)
	}
	before := f.configMap("conf")
	if diff := cmp.Diff(map[string]string{"creator/Update": `{"f:data":{".":{},"f:a":{},"f:b":{}}}`}, managed(t, before)); diff != "" {
		t.Errorf("managedFields after create (-want +got):\n%s", diff)
	}

	// Applying a different value to a field another manager set is a
	// conflict that names the manager and the field; nothing is stored.
	resp := f.apply(cmPath, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf"},"data":{"a":"9"}}`, "fieldManager", "kubectl")
	if resp.Code != http.StatusConflict {
		t.Fatalf("conflicting apply: %d %s, want 409", resp.Code, resp.Body)
	}
	st := status(t, resp)
	wantMsg := `Apply failed with 1 conflict: conflict with "creator" using v1: .data.a`
	if st.Message != wantMsg || st.Reason != api.ReasonConflict {
		t.Errorf("conflict status = %q %q, want %q", st.Reason, st.Message, wantMsg)
	}
	if st.Details == nil || len(st.Details.Causes) != 1 || st.Details.Causes[0].Field != ".data.a" || st.Details.Causes[0].Type != "FieldManagerConflict" {
		t.Errorf("conflict causes = %+v", st.Details)
	}
	if got := f.configMap("conf"); got.ResourceVersion != before.ResourceVersion {
		t.Errorf("a refused apply wrote the object")
	}

	// The same value is no conflict: both own it.
	resp = f.apply(cmPath, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf"},"data":{"a":"1"}}`, "fieldManager", "kubectl")
	if resp.Code != http.StatusOK {
		t.Fatalf("agreeing apply: %d %s", resp.Code, resp.Body)
	}
	if diff := cmp.Diff(map[string]string{
		"creator/Update": `{"f:data":{".":{},"f:a":{},"f:b":{}}}`,
		"kubectl/Apply":  `{"f:data":{"f:a":{}}}`,
	}, managed(t, f.configMap("conf"))); diff != "" {
		t.Errorf("shared ownership (-want +got):\n%s", diff)
	}

	// force=true takes the field.
	resp = f.apply(cmPath, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf"},"data":{"a":"9"}}`, "fieldManager", "kubectl", "force", "true")
	if resp.Code != http.StatusOK {
		t.Fatalf("forced apply: %d %s", resp.Code, resp.Body)
	}
	cm := f.configMap("conf")
	if cm.Data["a"] != "9" {
		t.Errorf("forced apply did not set the value: %v", cm.Data)
	}
	if diff := cmp.Diff(map[string]string{
		"creator/Update": `{"f:data":{".":{},"f:b":{}}}`,
		"kubectl/Apply":  `{"f:data":{"f:a":{}}}`,
	}, managed(t, cm)); diff != "" {
		t.Errorf("after force (-want +got):\n%s", diff)
	}

	// An ordinary update never conflicts: it takes what it changes.
	resp = f.do(http.MethodPatch, cmPath, rest.ContentMergePatch, `{"data":{"a":"10"}}`, "fieldManager", "editor")
	if resp.Code != http.StatusOK {
		t.Fatalf("merge patch: %d %s", resp.Code, resp.Body)
	}
	if diff := cmp.Diff(map[string]string{
		"creator/Update": `{"f:data":{".":{},"f:b":{}}}`,
		"editor/Update":  `{"f:data":{"f:a":{}}}`,
	}, managed(t, f.configMap("conf"))); diff != "" {
		t.Errorf("after an update took the field (-want +got):\n%s", diff)
	}
}

func TestApplyKeyedListsAndTwoAppliers(t *testing.T) {
	f := newFixture(t)
	const path = "/apis/apps/v1/namespaces/default/deployments/web"
	base := func(extra string) string {
		return `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
		"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"web:1","ports":[{"containerPort":80}]}` + extra + `]}}}}`
	}
	if resp := f.apply(path, base(""), "fieldManager", "team"); resp.Code != http.StatusCreated {
		t.Fatalf("apply: %d %s", resp.Code, resp.Body)
	}
	// A second applier adds a sidecar: a container of its own.
	side := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"proxy","image":"proxy:1"}]}}}}`
	if resp := f.apply(path, side, "fieldManager", "mesh"); resp.Code != http.StatusOK {
		t.Fatalf("sidecar apply: %d %s", resp.Code, resp.Body)
	}
	d, err := deploys(f).Get(f.ctx, "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	names := func(d *api.Deployment) []string {
		var out []string
		for _, c := range d.Spec.Template.Spec.Containers {
			out = append(out, c.Name+"="+c.Image)
		}
		return out
	}
	if diff := cmp.Diff([]string{"web=web:1", "proxy=proxy:1"}, names(d)); diff != "" {
		t.Errorf("containers (-want +got):\n%s", diff)
	}
	m := managed(t, d)
	if !strings.Contains(m["team/Apply"], `"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}`) {
		t.Errorf("team's fields do not key the container by name and the port by port and protocol: %s", m["team/Apply"])
	}
	if want := `{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"proxy\"}":{".":{},"f:image":{},"f:name":{}}}}}}}`; m["mesh/Apply"] != want {
		t.Errorf("mesh's fields = %s, want %s", m["mesh/Apply"], want)
	}

	// The mesh may not change team's image...
	steal := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"web","image":"web:evil"}]}}}}`
	resp := f.apply(path, steal, "fieldManager", "mesh")
	if resp.Code != http.StatusConflict || !strings.Contains(string(resp.Body), `.spec.template.spec.containers[name=\"web\"].image`) {
		t.Errorf("taking another applier's image: %d %s, want a 409 naming the field", resp.Code, resp.Body)
	}
	// ... and team re-applying without the sidecar leaves it alone.
	if resp := f.apply(path, base(""), "fieldManager", "team"); resp.Code != http.StatusOK {
		t.Fatalf("re-apply: %d %s", resp.Code, resp.Body)
	}
	// When the mesh stops applying its sidecar, it goes.
	none := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}}`
	if resp := f.apply(path, none, "fieldManager", "mesh"); resp.Code != http.StatusOK {
		t.Fatalf("empty apply: %d %s", resp.Code, resp.Body)
	}
	d, _ = deploys(f).Get(f.ctx, "default", "web")
	if diff := cmp.Diff([]string{"web=web:1"}, names(d)); diff != "" {
		t.Errorf("containers after the mesh left (-want +got):\n%s", diff)
	}
	if _, ok := managed(t, d)["mesh/Apply"]; ok {
		t.Errorf("a manager that owns nothing is still listed: %v", managed(t, d))
	}
}

func TestUpdatesAreRecordedPerSubresource(t *testing.T) {
	f := newFixture(t)
	d := newDeployment("web", 1)
	if _, err := deploys(f).Create(f.ctx, d, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	resp := f.do(http.MethodPatch, "/apis/apps/v1/namespaces/default/deployments/web/status", rest.ContentMergePatch,
		`{"status":{"replicas":1}}`, "fieldManager", "controller")
	if resp.Code != http.StatusOK {
		t.Fatalf("status patch: %d %s", resp.Code, resp.Body)
	}
	resp = f.do(http.MethodPatch, "/apis/apps/v1/namespaces/default/deployments/web/scale", rest.ContentMergePatch,
		`{"spec":{"replicas":3}}`, "fieldManager", "scaler")
	if resp.Code != http.StatusOK {
		t.Fatalf("scale patch: %d %s", resp.Code, resp.Body)
	}
	got, _ := deploys(f).Get(f.ctx, "default", "web")
	m := managed(t, got)
	if m["controller/Update/status"] != `{"f:status":{"f:replicas":{}}}` {
		t.Errorf("status writer's fields = %q", m["controller/Update/status"])
	}
	if m["scaler/Update/scale"] != `{"f:spec":{"f:replicas":{}}}` {
		t.Errorf("scale writer's fields = %q", m["scaler/Update/scale"])
	}
	for k, v := range m {
		if strings.HasPrefix(k, "unknown/") && strings.Contains(v, "f:status") {
			t.Errorf("the creator owns status fields: %s", v)
		}
		if strings.HasPrefix(k, "unknown/") && strings.Contains(v, "f:replicas") && !strings.Contains(v, "f:template") {
			t.Errorf("the creator still owns replicas after the scale: %s", v)
		}
	}
	if strings.Contains(m["unknown/Update"], `"f:replicas"`) {
		t.Errorf("the creator still owns spec.replicas after the scaler changed it: %s", m["unknown/Update"])
	}
}

func TestApplyBadInput(t *testing.T) {
	cm := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf"},"data":{"a":"1"}}`
	tests := []struct {
		name, path, ct, body string
		query                []string
		code                 int
		msg                  string
	}{
		{"no field manager", cmPath, rest.ContentApplyPatch, cm, nil, 400, "fieldManager is required"},
		{"force on a merge patch", cmPath, rest.ContentMergePatch, `{"data":{"a":"2"}}`, []string{"force", "true"}, 400, "force: Forbidden"},
		{"force not a boolean", cmPath, rest.ContentApplyPatch, cm, []string{"fieldManager", "m", "force", "yes"}, 400, "force: Invalid value"},
		{"manager too long", cmPath, rest.ContentApplyPatch, cm, []string{"fieldManager", strings.Repeat("m", 129)}, 400, "at most 128"},
		{"no kind", cmPath, rest.ContentApplyPatch, `{"metadata":{"name":"conf"},"data":{"a":"1"}}`, []string{"fieldManager", "m"}, 400, "must set apiVersion and kind"},
		{"wrong kind", cmPath, rest.ContentApplyPatch, `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"conf"}}`, []string{"fieldManager", "m"}, 400, "do not match"},
		{"other name", cmPath, rest.ContentApplyPatch, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other"}}`, []string{"fieldManager", "m"}, 400, "does not match the name on the URL"},
		{"not JSON", cmPath, rest.ContentApplyPatch, `data: {a: 1}`, []string{"fieldManager", "m"}, 400, "not valid JSON"},
		{"unknown field, strict", cmPath, rest.ContentApplyPatch, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf"},"dta":{}}`, []string{"fieldManager", "m", "fieldValidation", "Strict"}, 400, `unknown field "dta"`},
		{"repeated key", "/api/v1/namespaces/default/pods/p", rest.ContentApplyPatch,
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x"},{"name":"a","image":"y"}]}}`,
			[]string{"fieldManager", "m"}, 422, `the key {"name":"a"} appears more than once`},
		{"bad dryRun", cmPath, rest.ContentApplyPatch, cm, []string{"fieldManager", "m", "dryRun", "all"}, 422, "dryRun: Unsupported value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if _, err := configMaps(f).Create(f.ctx, &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: "conf", Namespace: "default"}, Data: map[string]string{"a": "0"}}, client.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			before := f.configMap("conf")
			resp := f.do(http.MethodPatch, tt.path, tt.ct, tt.body, tt.query...)
			st := status(t, resp)
			if resp.Code != tt.code || !strings.Contains(st.Message, tt.msg) {
				t.Errorf("got %d %q, want %d containing %q", resp.Code, st.Message, tt.code, tt.msg)
			}
			if after := f.configMap("conf"); after.ResourceVersion != before.ResourceVersion {
				t.Errorf("refused input changed the object")
			}
			if _, err := pods(f).Get(f.ctx, "default", "p"); !api.IsNotFound(err) {
				t.Errorf("refused input created a pod: %v", err)
			}
		})
	}
}

func TestApplyDryRunStoresNothing(t *testing.T) {
	f := newFixture(t)
	resp := f.apply(cmPath, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf"},"data":{"a":"1"}}`, "fieldManager", "m", "dryRun", "All")
	if resp.Code != http.StatusCreated {
		t.Fatalf("dry-run apply: %d %s", resp.Code, resp.Body)
	}
	var cm api.ConfigMap
	if err := json.Unmarshal(resp.Body, &cm); err != nil || cm.Data["a"] != "1" || len(cm.ManagedFields) != 1 {
		t.Errorf("dry-run answer = %s", resp.Body)
	}
	if _, err := configMaps(f).Get(f.ctx, "default", "conf"); !api.IsNotFound(err) {
		t.Errorf("a dry-run apply stored the object: %v", err)
	}
}

func TestApplyToAnObjectWithoutManagedFields(t *testing.T) {
	f := newFixture(t)
	// An object written before fields were tracked.
	if _, err := f.store.Create(f.ctx, key(api.ResourceByPlural("", "configmaps"), "default", "conf"),
		[]byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf","namespace":"default","uid":"u1"},"data":{"a":"1"}}`)); err != nil {
		t.Fatal(err)
	}
	resp := f.apply(cmPath, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf"},"data":{"a":"2"}}`, "fieldManager", "kubectl")
	if resp.Code != http.StatusConflict || !strings.Contains(string(resp.Body), `conflict with \"before-first-apply\"`) {
		t.Errorf("apply over untracked fields: %d %s, want a conflict with before-first-apply", resp.Code, resp.Body)
	}
}

func TestManagedFieldsResetAndKept(t *testing.T) {
	f := newFixture(t)
	if resp := f.apply(cmPath, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf"},"data":{"a":"1"}}`, "fieldManager", "kubectl"); resp.Code != http.StatusCreated {
		t.Fatalf("apply: %d %s", resp.Code, resp.Body)
	}
	// An update that leaves managedFields out keeps them.
	cm := f.configMap("conf")
	cm.ManagedFields = nil
	cm.Data["b"] = "2"
	if _, err := configMaps(f).Update(f.ctx, cm, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := managed(t, f.configMap("conf"))["kubectl/Apply"]; !ok {
		t.Errorf("an update without managedFields dropped them: %v", managed(t, f.configMap("conf")))
	}
	// A single empty entry clears them; the writer of the reset records
	// nothing more, as it changed no field.
	resp := f.do(http.MethodPatch, cmPath, rest.ContentMergePatch, `{"metadata":{"managedFields":[{}]}}`, "fieldManager", "resetter")
	if resp.Code != http.StatusOK {
		t.Fatalf("reset: %d %s", resp.Code, resp.Body)
	}
	if m := managed(t, f.configMap("conf")); len(m) != 0 {
		t.Errorf("after the reset managedFields = %v, want none", m)
	}
	// Malformed managedFields are refused, naming the entry.
	resp = f.do(http.MethodPatch, cmPath, rest.ContentMergePatch, `{"metadata":{"managedFields":[{"manager":"x","operation":"Steal","fieldsType":"FieldsV1","fieldsV1":{}}]}}`)
	if st := status(t, resp); resp.Code != http.StatusUnprocessableEntity || !strings.Contains(st.Message, "metadata.managedFields[0].operation") {
		t.Errorf("malformed managedFields: %d %s", resp.Code, st.Message)
	}
}

func TestServerSideApplyTakesOverFromClientSideApply(t *testing.T) {
	for _, tt := range []struct {
		manager string
		code    int
	}{{"kubectl", http.StatusOK}, {"other", http.StatusConflict}} {
		t.Run(tt.manager, func(t *testing.T) {
			f := newFixture(t)
			// What kubectl apply (client-side) creates.
			last := `{"apiVersion":"v1","data":{"a":"1"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"conf","namespace":"default"}}`
			body, _ := json.Marshal(map[string]any{"metadata": map[string]any{"name": "conf", "annotations": map[string]string{lastAppliedAnnotation: last}}, "data": map[string]string{"a": "1"}})
			if resp := f.do(http.MethodPost, "/api/v1/namespaces/default/configmaps", rest.ContentJSON, string(body), "fieldManager", "kubectl-client-side-apply"); resp.Code != http.StatusCreated {
				t.Fatalf("create: %d %s", resp.Code, resp.Body)
			}
			resp := f.apply(cmPath, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf"},"data":{"a":"2"}}`, "fieldManager", tt.manager)
			if resp.Code != tt.code {
				t.Errorf("apply by %s over a client-side applied field: %d %s, want %d", tt.manager, resp.Code, resp.Body, tt.code)
			}
		})
	}
}
