package apiserver

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// widgetCRD is a namespaced definition exercising what the API server
// serves for custom resources: two versions sharing storage (v1 with the
// status and scale subresources and selectable fields, v1beta1 with
// neither), defaults, a keyed list, a map, and CEL rules with and without
// oldSelf.
const widgetCRD = `{
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "widgets.example.com"},
  "spec": {
    "group": "example.com", "scope": "Namespaced",
    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"], "categories": ["all"]},
    "versions": [
      {"name": "v1", "served": true, "storage": true,
       "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"}},
       "selectableFields": [{"jsonPath": ".spec.color"}, {"jsonPath": ".spec.replicas"}],
       "schema": {"openAPIV3Schema": ` + widgetSchema + `}},
      {"name": "v1beta1", "served": true, "storage": false,
       "schema": {"openAPIV3Schema": ` + widgetSchema + `}}
    ]
  }
}`

const widgetSchema = `{"type": "object", "properties": {
  "spec": {"type": "object",
    "x-kubernetes-validations": [
      {"rule": "!has(self.replicas) || self.replicas <= self.maxReplicas", "message": "replicas must not exceed maxReplicas"},
      {"rule": "!has(oldSelf.color) || self.color == oldSelf.color", "message": "color is immutable"}],
    "properties": {
      "color": {"type": "string", "default": "blue"},
      "replicas": {"type": "integer", "minimum": 0},
      "maxReplicas": {"type": "integer", "default": 10},
      "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
        "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}},
      "tags": {"type": "object", "additionalProperties": {"type": "string"}}}},
  "status": {"type": "object", "properties": {
    "replicas": {"type": "integer"}, "selector": {"type": "string"},
    "phase": {"type": "string", "enum": ["Pending", "Ready"]}}}}}`

// gadgetCRD is a cluster-scoped definition whose schema keeps whatever it
// is sent.
const gadgetCRD = `{
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "gadgets.example.com"},
  "spec": {"group": "example.com", "scope": "Cluster",
    "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
    "versions": [{"name": "v1", "served": true, "storage": true,
      "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
}`

const (
	crdsPath    = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
	widgetsPath = "/apis/example.com/v1/namespaces/default/widgets"
	gadgetsPath = "/apis/example.com/v1/gadgets"
)

// defineCRD creates a definition and fails the test if it is not created.
func (f *fixture) defineCRD(body string) {
	f.t.Helper()
	if resp := f.do(http.MethodPost, crdsPath, rest.ContentJSON, body); resp.Code != http.StatusCreated {
		f.t.Fatalf("create CRD = %d %s", resp.Code, resp.Body)
	}
}

// widget is what tests read of a Widget.
type widget struct {
	Metadata struct {
		Name, ResourceVersion string
		Generation            int64
		OwnerReferences       []api.OwnerReference
		ManagedFields         []api.ManagedFieldsEntry
	}
	APIVersion string         `json:"apiVersion"`
	Spec       map[string]any `json:"spec"`
	Status     map[string]any `json:"status"`
}

// decodeWidget decodes a response that must have the wanted code.
func decodeWidget(t *testing.T, what string, resp *rest.Response, code int) widget {
	t.Helper()
	if resp.Code != code {
		t.Fatalf("%s = %d %s, want %d", what, resp.Code, resp.Body, code)
	}
	var w widget
	if err := json.Unmarshal(resp.Body, &w); err != nil {
		t.Fatalf("%s: %v: %s", what, err, resp.Body)
	}
	return w
}

func widgetJSON(name, spec string) string {
	return fmt.Sprintf(`{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":%q},"spec":%s}`, name, spec)
}

// TestCustomResourceVerbs walks one Widget through every write verb and
// checks what each leaves: generation moves on spec changes only, status
// is the status subresource's alone, a strategic merge patch replaces
// lists as a merge patch does.
func TestCustomResourceVerbs(t *testing.T) {
	f := newFixture(t)
	f.defineCRD(widgetCRD)
	w1 := widgetsPath + "/w1"

	w := decodeWidget(t, "create", f.do(http.MethodPost, widgetsPath, rest.ContentJSON,
		`{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","labels":{"app":"a"}},"spec":{"color":"red","replicas":1,"ports":[{"name":"http","port":80}]},"status":{"phase":"Ready"}}`), http.StatusCreated)
	if w.Metadata.Generation != 1 || w.Status != nil {
		t.Errorf("create: generation %d, status %v; want 1 and no status", w.Metadata.Generation, w.Status)
	}

	steps := []struct {
		name           string
		method, path   string
		contentType    string
		body           string
		wantGeneration int64
		wantSpec       string // JSON of spec after the step
		wantStatus     string // JSON of status after the step ("null": none)
	}{
		{"update spec", http.MethodPut, w1, rest.ContentJSON,
			`{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"color":"red","replicas":2,"ports":[{"name":"http","port":80}]},"status":{"phase":"Ready"}}`,
			2, `{"color":"red","ports":[{"name":"http","port":80}],"replicas":2}`, "null"},
		{"merge patch of labels only", http.MethodPatch, w1, rest.ContentMergePatch, `{"metadata":{"labels":{"app":"b"}}}`,
			2, `{"color":"red","ports":[{"name":"http","port":80}],"replicas":2}`, "null"},
		{"merge patch of spec", http.MethodPatch, w1, rest.ContentMergePatch, `{"spec":{"replicas":3}}`,
			3, `{"color":"red","ports":[{"name":"http","port":80}],"replicas":3}`, "null"},
		{"status put", http.MethodPut, w1 + "/status", rest.ContentJSON,
			`{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"replicas":9},"status":{"phase":"Ready","replicas":3}}`,
			3, `{"color":"red","ports":[{"name":"http","port":80}],"replicas":3}`, `{"phase":"Ready","replicas":3}`},
		{"status merge patch", http.MethodPatch, w1 + "/status", rest.ContentMergePatch, `{"status":{"phase":"Pending"}}`,
			3, `{"color":"red","ports":[{"name":"http","port":80}],"replicas":3}`, `{"phase":"Pending","replicas":3}`},
		{"main patch ignores status", http.MethodPatch, w1, rest.ContentMergePatch, `{"status":{"phase":"Ready"}}`,
			3, `{"color":"red","ports":[{"name":"http","port":80}],"replicas":3}`, `{"phase":"Pending","replicas":3}`},
		{"json patch", http.MethodPatch, w1, rest.ContentJSONPatch, `[{"op":"replace","path":"/spec/replicas","value":4}]`,
			4, `{"color":"red","ports":[{"name":"http","port":80}],"replicas":4}`, `{"phase":"Pending","replicas":3}`},
		{"strategic patch replaces lists", http.MethodPatch, w1, rest.ContentStrategicPatch, `{"spec":{"ports":[{"name":"https","port":443}]}}`,
			5, `{"color":"red","ports":[{"name":"https","port":443}],"replicas":4}`, `{"phase":"Pending","replicas":3}`},
	}
	for _, s := range steps {
		w := decodeWidget(t, s.name, f.do(s.method, s.path, s.contentType, s.body), http.StatusOK)
		delete(w.Spec, "maxReplicas") // the schema's default, once package schema applies it
		spec, _ := json.Marshal(w.Spec)
		st, _ := json.Marshal(w.Status)
		if w.Metadata.Generation != s.wantGeneration || string(spec) != s.wantSpec || string(st) != s.wantStatus {
			t.Errorf("%s: generation %d, spec %s, status %s; want %d, %s, %s", s.name, w.Metadata.Generation, spec, st, s.wantGeneration, s.wantSpec, s.wantStatus)
		}
	}

	got := decodeWidget(t, "get", f.do(http.MethodGet, w1, "", ""), http.StatusOK)
	if got.Metadata.Generation != 5 {
		t.Errorf("get: generation %d, want 5", got.Metadata.Generation)
	}
	var list struct {
		Kind  string   `json:"kind"`
		Items []widget `json:"items"`
	}
	resp := f.do(http.MethodGet, widgetsPath, "", "")
	if err := json.Unmarshal(resp.Body, &list); err != nil || resp.Code != http.StatusOK || len(list.Items) != 1 || list.Kind != "WidgetList" {
		t.Errorf("list = %d %s, want a WidgetList of w1", resp.Code, resp.Body)
	}
	if resp := f.do(http.MethodDelete, w1, "", ""); resp.Code != http.StatusOK {
		t.Errorf("delete = %d %s", resp.Code, resp.Body)
	}
	if resp := f.do(http.MethodGet, w1, "", ""); resp.Code != http.StatusNotFound {
		t.Errorf("get after delete = %d %s, want 404", resp.Code, resp.Body)
	}
}

// TestCustomResourceVersionsShareStorage: an object written through one
// version is read through the other, and a version without the status
// subresource writes status as part of the object (bumping generation).
func TestCustomResourceVersionsShareStorage(t *testing.T) {
	f := newFixture(t)
	f.defineCRD(widgetCRD)
	decodeWidget(t, "create v1", f.do(http.MethodPost, widgetsPath, rest.ContentJSON, widgetJSON("w1", `{"color":"red"}`)), http.StatusCreated)
	beta := "/apis/example.com/v1beta1/namespaces/default/widgets/w1"
	w := decodeWidget(t, "get v1beta1", f.do(http.MethodGet, beta, "", ""), http.StatusOK)
	if w.APIVersion != "example.com/v1beta1" {
		t.Errorf("get through v1beta1: apiVersion %q, want example.com/v1beta1", w.APIVersion)
	}
	w = decodeWidget(t, "status through v1beta1", f.do(http.MethodPatch, beta, rest.ContentMergePatch, `{"status":{"phase":"Ready"}}`), http.StatusOK)
	if w.Metadata.Generation != 2 || w.Status["phase"] != "Ready" {
		t.Errorf("status patch through v1beta1 (no status subresource): generation %d, status %v; want 2 and phase Ready", w.Metadata.Generation, w.Status)
	}
	if resp := f.do(http.MethodGet, beta+"/status", "", ""); resp.Code != http.StatusNotFound {
		t.Errorf("GET v1beta1 status = %d, want 404 (no status subresource)", resp.Code)
	}
	w = decodeWidget(t, "get v1", f.do(http.MethodGet, widgetsPath+"/w1", "", ""), http.StatusOK)
	if w.APIVersion != "example.com/v1" || w.Status["phase"] != "Ready" {
		t.Errorf("get v1 = %s %v, want example.com/v1 with the status written through v1beta1", w.APIVersion, w.Status)
	}
}

// TestCustomResourceScale reads and writes replicas through /scale at the
// definition's paths, and discovery lists the subresource.
func TestCustomResourceScale(t *testing.T) {
	f := newFixture(t)
	f.defineCRD(widgetCRD)
	decodeWidget(t, "create", f.do(http.MethodPost, widgetsPath, rest.ContentJSON, widgetJSON("w1", `{"replicas":1}`)), http.StatusCreated)
	decodeWidget(t, "status", f.do(http.MethodPatch, widgetsPath+"/w1/status", rest.ContentMergePatch, `{"status":{"replicas":1,"selector":"app=w1"}}`), http.StatusOK)
	scale := widgetsPath + "/w1/scale"
	var sc api.Scale
	resp := f.do(http.MethodGet, scale, "", "")
	if err := json.Unmarshal(resp.Body, &sc); err != nil || resp.Code != http.StatusOK {
		t.Fatalf("GET scale = %d %s", resp.Code, resp.Body)
	}
	want := api.ScaleSpec{Replicas: 1}
	if sc.Spec != want || sc.Status.Replicas != 1 || sc.Status.Selector != "app=w1" || sc.Kind != "Scale" {
		t.Errorf("scale = %+v, want replicas 1/1 and selector app=w1", sc)
	}
	for _, c := range []struct {
		method, ct, body string
		want             int
	}{
		{http.MethodPut, rest.ContentJSON, `{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"w1"},"spec":{"replicas":5}}`, 5},
		{http.MethodPatch, rest.ContentMergePatch, `{"spec":{"replicas":7}}`, 7},
		{http.MethodPatch, rest.ContentJSONPatch, `[{"op":"replace","path":"/spec/replicas","value":2}]`, 2},
	} {
		resp := f.do(c.method, scale, c.ct, c.body)
		if err := json.Unmarshal(resp.Body, &sc); err != nil || resp.Code != http.StatusOK || sc.Spec.Replicas != int32(c.want) {
			t.Errorf("%s scale %s = %d %s, want replicas %d", c.method, c.body, resp.Code, resp.Body, c.want)
		}
		w := decodeWidget(t, "get", f.do(http.MethodGet, widgetsPath+"/w1", "", ""), http.StatusOK)
		if fmt.Sprint(w.Spec["replicas"]) != fmt.Sprint(c.want) {
			t.Errorf("after %s scale: spec.replicas = %v, want %d", c.method, w.Spec["replicas"], c.want)
		}
	}
	if resp := f.do(http.MethodGet, "/apis/example.com/v1beta1/namespaces/default/widgets/w1/scale", "", ""); resp.Code != http.StatusNotFound {
		t.Errorf("GET v1beta1 scale = %d, want 404 (no scale subresource)", resp.Code)
	}
	var rl apiResourceList
	if err := json.Unmarshal(f.do(http.MethodGet, "/apis/example.com/v1", "", "").Body, &rl); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rl.Resources {
		names = append(names, r.Name)
	}
	if want := []string{"widgets", "widgets/scale", "widgets/status"}; !cmp.Equal(names, want) {
		t.Errorf("discovery of example.com/v1 = %v, want %v", names, want)
	}
}

// TestCustomResourceSelectors: label selectors, metadata fields and the
// version's selectable fields select; other fields are refused as
// Kubernetes refuses them.
func TestCustomResourceSelectors(t *testing.T) {
	f := newFixture(t)
	f.defineCRD(widgetCRD)
	for _, w := range []struct{ name, labels, spec string }{
		{"a", `{"tier":"front"}`, `{"color":"red","replicas":1}`},
		{"b", `{"tier":"back"}`, `{"color":"green","replicas":2}`},
		{"c", `{"tier":"front"}`, `{"color":"red","replicas":3}`},
	} {
		body := fmt.Sprintf(`{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":%q,"labels":%s},"spec":%s}`, w.name, w.labels, w.spec)
		decodeWidget(t, "create "+w.name, f.do(http.MethodPost, widgetsPath, rest.ContentJSON, body), http.StatusCreated)
	}
	for _, c := range []struct {
		query []string
		want  []string
	}{
		{[]string{"labelSelector", "tier=front"}, []string{"a", "c"}},
		{[]string{"fieldSelector", "spec.color=red"}, []string{"a", "c"}},
		{[]string{"fieldSelector", "spec.color!=red"}, []string{"b"}},
		{[]string{"fieldSelector", "spec.replicas=2"}, []string{"b"}},
		{[]string{"fieldSelector", "metadata.name=c,spec.color=red"}, []string{"c"}},
		{[]string{"fieldSelector", "metadata.namespace=default", "labelSelector", "tier=back"}, []string{"b"}},
	} {
		resp := f.do(http.MethodGet, widgetsPath, "", "", c.query...)
		var list struct{ Items []widget }
		if err := json.Unmarshal(resp.Body, &list); err != nil || resp.Code != http.StatusOK {
			t.Errorf("list %v = %d %s", c.query, resp.Code, resp.Body)
			continue
		}
		var got []string
		for _, w := range list.Items {
			got = append(got, w.Metadata.Name)
		}
		if !cmp.Equal(got, c.want) {
			t.Errorf("list %v = %v, want %v", c.query, got, c.want)
		}
	}
	resp := f.do(http.MethodGet, widgetsPath, "", "", "fieldSelector", "spec.maxReplicas=3")
	if resp.Code != http.StatusBadRequest || !strings.Contains(string(resp.Body), "field label not supported: spec.maxReplicas") {
		t.Errorf("unsupported field selector = %d %s, want 400 field label not supported: spec.maxReplicas", resp.Code, resp.Body)
	}
	// A watch filters by the same fields.
	w := f.do(http.MethodGet, widgetsPath, "", "", "watch", "true", "fieldSelector", "spec.color=green")
	if w.Stream == nil {
		t.Fatalf("watch = %d %s", w.Code, w.Body)
	}
	defer w.Stream.Stop()
	f.do(http.MethodPatch, widgetsPath+"/a", rest.ContentMergePatch, `{"spec":{"replicas":9}}`)
	f.do(http.MethodPatch, widgetsPath+"/b", rest.ContentMergePatch, `{"spec":{"replicas":8}}`)
	if got, want := watchLines(t, w), []string{"ADDED b", "MODIFIED b"}; !cmp.Equal(got, want) {
		t.Errorf("watch spec.color=green = %v, want %v", got, want)
	}
}

// watchLines drains a raw watch stream into "TYPE name" lines.
func watchLines(t *testing.T, resp *rest.Response) []string {
	t.Helper()
	var out []string
	for {
		ev, ok := resp.Stream.Next()
		if !ok {
			return out
		}
		var obj struct {
			Kind     string
			Metadata struct {
				Name        string
				Annotations map[string]string
			}
		}
		if err := json.Unmarshal(ev.Object, &obj); err != nil {
			t.Fatalf("event %s: %v", ev.Type, err)
		}
		line := ev.Type + " " + obj.Metadata.Name
		if ev.Type == rest.Bookmark {
			line = ev.Type + " " + obj.Kind
			if obj.Metadata.Annotations[InitialEventsEndAnnotation] == "true" {
				line += " end"
			}
		}
		out = append(out, line)
	}
}

// TestCustomResourceWatchAndPages: watches from a resourceVersion, the
// streaming list with its bookmark, and paginated lists work on custom
// resources as on built-in kinds.
func TestCustomResourceWatchAndPages(t *testing.T) {
	f := newFixture(t)
	f.defineCRD(widgetCRD)
	first := decodeWidget(t, "create a", f.do(http.MethodPost, widgetsPath, rest.ContentJSON, widgetJSON("a", `{}`)), http.StatusCreated)
	decodeWidget(t, "create b", f.do(http.MethodPost, widgetsPath, rest.ContentJSON, widgetJSON("b", `{}`)), http.StatusCreated)
	w := f.do(http.MethodGet, widgetsPath, "", "", "watch", "true", "resourceVersion", first.Metadata.ResourceVersion)
	defer w.Stream.Stop()
	f.do(http.MethodDelete, widgetsPath+"/a", "", "")
	if got, want := watchLines(t, w), []string{"ADDED b", "DELETED a"}; !cmp.Equal(got, want) {
		t.Errorf("watch from %s = %v, want %v", first.Metadata.ResourceVersion, got, want)
	}
	sl := f.do(http.MethodGet, widgetsPath, "", "", "watch", "true", "sendInitialEvents", "true",
		"resourceVersionMatch", "NotOlderThan", "allowWatchBookmarks", "true")
	defer sl.Stream.Stop()
	if got, want := watchLines(t, sl), []string{"ADDED b", "BOOKMARK Widget end"}; !cmp.Equal(got, want) {
		t.Errorf("streaming list = %v, want %v", got, want)
	}
	decodeWidget(t, "create c", f.do(http.MethodPost, widgetsPath, rest.ContentJSON, widgetJSON("c", `{}`)), http.StatusCreated)
	var names []string
	cont := ""
	for page := 0; page < 5; page++ {
		q := []string{"limit", "1"}
		if cont != "" {
			q = append(q, "continue", cont)
		}
		var list struct {
			Metadata struct{ Continue string }
			Items    []widget
		}
		if err := json.Unmarshal(f.do(http.MethodGet, widgetsPath, "", "", q...).Body, &list); err != nil {
			t.Fatal(err)
		}
		for _, it := range list.Items {
			names = append(names, it.Metadata.Name)
		}
		if cont = list.Metadata.Continue; cont == "" {
			break
		}
	}
	if want := []string{"b", "c"}; !cmp.Equal(names, want) {
		t.Errorf("paginated list = %v, want %v", names, want)
	}
}

// TestCustomResourceApply: server-side apply creates, is idempotent,
// merges a keyed list item by item between managers (the schema's
// x-kubernetes-list-type: map), and reports conflicts on fields another
// manager owns unless forced.
func TestCustomResourceApply(t *testing.T) {
	f := newFixture(t)
	f.defineCRD(widgetCRD)
	w1 := widgetsPath + "/w1"
	cfgA := widgetJSON("w1", `{"color":"red","replicas":1,"ports":[{"name":"http","port":80}]}`)
	created := decodeWidget(t, "apply a", f.apply(w1, cfgA, "fieldManager", "a"), http.StatusCreated)
	again := decodeWidget(t, "apply a again", f.apply(w1, cfgA, "fieldManager", "a"), http.StatusOK)
	if again.Metadata.ResourceVersion != created.Metadata.ResourceVersion {
		t.Errorf("applying the same configuration moved resourceVersion %s -> %s", created.Metadata.ResourceVersion, again.Metadata.ResourceVersion)
	}
	both := decodeWidget(t, "apply b", f.apply(w1, widgetJSON("w1", `{"ports":[{"name":"https","port":443}]}`), "fieldManager", "b"), http.StatusOK)
	if ports, _ := json.Marshal(both.Spec["ports"]); string(ports) != `[{"name":"http","port":80},{"name":"https","port":443}]` {
		t.Errorf("ports after b's apply = %s, want both managers' items", ports)
	}
	var mf []string
	for _, e := range both.Metadata.ManagedFields {
		mf = append(mf, e.Manager+" "+string(e.FieldsV1))
	}
	slices.Sort(mf)
	want := []string{
		`a {"f:spec":{"f:color":{},"f:ports":{"k:{\"name\":\"http\"}":{".":{},"f:name":{},"f:port":{}}},"f:replicas":{}}}`,
		`b {"f:spec":{"f:ports":{"k:{\"name\":\"https\"}":{".":{},"f:name":{},"f:port":{}}}}}`,
	}
	if diff := cmp.Diff(want, mf); diff != "" {
		t.Errorf("managedFields (-want +got):\n%s", diff)
	}
	resp := f.apply(w1, widgetJSON("w1", `{"replicas":2}`), "fieldManager", "b")
	if resp.Code != http.StatusConflict || !strings.Contains(string(resp.Body), `conflict with \"a\"`) || !strings.Contains(string(resp.Body), ".spec.replicas") {
		t.Errorf("conflicting apply = %d %s, want 409 naming a and .spec.replicas", resp.Code, resp.Body)
	}
	forced := decodeWidget(t, "forced apply", f.apply(w1, widgetJSON("w1", `{"replicas":2}`), "fieldManager", "b", "force", "true"), http.StatusOK)
	if fmt.Sprint(forced.Spec["replicas"]) != "2" || forced.Metadata.Generation != 3 {
		t.Errorf("forced apply: replicas %v, generation %d; want 2 and 3", forced.Spec["replicas"], forced.Metadata.Generation)
	}
	// b no longer applies the https port: it goes, a's stays.
	after := decodeWidget(t, "apply b without port", f.apply(w1, widgetJSON("w1", `{"replicas":2}`), "fieldManager", "b"), http.StatusOK)
	if ports, _ := json.Marshal(after.Spec["ports"]); string(ports) != `[{"name":"http","port":80}]` {
		t.Errorf("ports after b drops https = %s, want only a's", ports)
	}
}

// TestCustomResourceClusterScoped: a cluster-scoped custom resource has no
// namespace, keeps what its preserving schema is sent, and owner
// references to other custom objects are kept.
func TestCustomResourceClusterScoped(t *testing.T) {
	f := newFixture(t)
	f.defineCRD(gadgetCRD)
	f.defineCRD(widgetCRD)
	owner := decodeWidget(t, "create owner", f.do(http.MethodPost, widgetsPath, rest.ContentJSON, widgetJSON("w1", `{}`)), http.StatusCreated)
	var ownerMeta struct{ Metadata struct{ UID string } }
	if err := json.Unmarshal(f.do(http.MethodGet, widgetsPath+"/w1", "", "").Body, &ownerMeta); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g1","ownerReferences":[{"apiVersion":"example.com/v1","kind":"Widget","name":"w1","uid":%q}]},"spec":{"anything":{"goes":[1,2]}}}`, ownerMeta.Metadata.UID)
	g := decodeWidget(t, "create gadget", f.do(http.MethodPost, gadgetsPath, rest.ContentJSON, body), http.StatusCreated)
	if len(g.Metadata.OwnerReferences) != 1 || g.Metadata.OwnerReferences[0].Name != owner.Metadata.Name {
		t.Errorf("owner references = %+v, want w1", g.Metadata.OwnerReferences)
	}
	if got, _ := json.Marshal(g.Spec); string(got) != `{"anything":{"goes":[1,2]}}` {
		t.Errorf("spec = %s, want it kept whole", got)
	}
	if _, err := f.store.Get(f.ctx, "/registry/example.com/gadgets/g1"); err != nil {
		t.Errorf("cluster-scoped object not stored under /registry/example.com/gadgets/g1: %v", err)
	}
	if resp := f.do(http.MethodGet, "/apis/example.com/v1/namespaces/default/gadgets/g1", "", ""); resp.Code != http.StatusNotFound {
		t.Errorf("GET a cluster-scoped gadget under a namespace = %d, want 404", resp.Code)
	}
	resp := f.do(http.MethodGet, gadgetsPath, "", "", "fieldSelector", "metadata.namespace=default")
	if resp.Code != http.StatusBadRequest || !strings.Contains(string(resp.Body), "field label not supported: metadata.namespace") {
		t.Errorf("metadata.namespace selector on a cluster-scoped resource = %d %s, want 400", resp.Code, resp.Body)
	}
}

// TestCustomResourceDefinitionDeletion: while a definition terminates its
// objects can be read, changed and deleted but not created; once it is
// gone its resource is not served nor discovered; defined again, the
// objects still stored are served again.
func TestCustomResourceDefinitionDeletion(t *testing.T) {
	f := newFixture(t)
	f.defineCRD(widgetCRD)
	for _, n := range []string{"w1", "w2"} {
		decodeWidget(t, "create "+n, f.do(http.MethodPost, widgetsPath, rest.ContentJSON, widgetJSON(n, `{}`)), http.StatusCreated)
	}
	crd := crdsPath + "/widgets.example.com"
	if resp := f.do(http.MethodDelete, crd, "", ""); resp.Code != http.StatusOK {
		t.Fatalf("delete CRD = %d %s", resp.Code, resp.Body)
	}
	resp := f.do(http.MethodPost, widgetsPath, rest.ContentJSON, widgetJSON("w3", `{}`))
	if st := status(t, resp); resp.Code != http.StatusForbidden ||
		st.Message != `widgets.example.com "w3" is forbidden: create not allowed while custom resource definition is terminating` {
		t.Errorf("create while terminating = %d %q, want 403 create not allowed while custom resource definition is terminating", resp.Code, st.Message)
	}
	if resp := f.apply(widgetsPath+"/w4", widgetJSON("w4", `{}`), "fieldManager", "m"); resp.Code != http.StatusForbidden {
		t.Errorf("apply creating while terminating = %d %s, want 403", resp.Code, resp.Body)
	}
	decodeWidget(t, "get while terminating", f.do(http.MethodGet, widgetsPath+"/w1", "", ""), http.StatusOK)
	decodeWidget(t, "patch while terminating", f.do(http.MethodPatch, widgetsPath+"/w1", rest.ContentMergePatch, `{"spec":{"replicas":1}}`), http.StatusOK)
	if resp := f.do(http.MethodDelete, widgetsPath+"/w2", "", ""); resp.Code != http.StatusOK {
		t.Errorf("delete while terminating = %d %s", resp.Code, resp.Body)
	}
	// The cleanup controller (elsewhere) would delete w1 first; here it
	// stays, and the finalizer goes.
	if resp := f.do(http.MethodPatch, crd, rest.ContentMergePatch, `{"metadata":{"finalizers":null}}`); resp.Code != http.StatusOK {
		t.Fatalf("remove the cleanup finalizer = %d %s", resp.Code, resp.Body)
	}
	if resp := f.do(http.MethodGet, widgetsPath+"/w1", "", ""); resp.Code != http.StatusNotFound {
		t.Errorf("GET w1 after the CRD is gone = %d %s, want 404", resp.Code, resp.Body)
	}
	for _, p := range []string{"/apis/example.com", "/apis/example.com/v1"} {
		if resp := f.do(http.MethodGet, p, "", ""); resp.Code != http.StatusNotFound {
			t.Errorf("discovery %s after the CRD is gone = %d, want 404", p, resp.Code)
		}
	}
	if strings.Contains(string(f.do(http.MethodGet, "/apis", "", "").Body), "example.com") {
		t.Errorf("/apis still lists example.com after the CRD is gone")
	}
	f.defineCRD(widgetCRD)
	w := decodeWidget(t, "GET w1 after the CRD is back", f.do(http.MethodGet, widgetsPath+"/w1", "", ""), http.StatusOK)
	if fmt.Sprint(w.Spec["replicas"]) != "1" {
		t.Errorf("w1 after the CRD is back: spec %v, want the stored replicas 1", w.Spec)
	}
}

// TestCustomResourceTwoServers: a definition created through one server of
// an HA pair is served by the other at once, without a restart, and each
// sees the other's custom objects.
func TestCustomResourceTwoServers(t *testing.T) {
	f := newFixture(t)
	other := New(Config{Store: f.store, Clock: f.clock, Rand: rand.New(rand.NewPCG(3, 4)), Version: "test"})
	get := func(s *Server, path string) *rest.Response {
		return s.Handle(f.ctx, &rest.Request{Method: http.MethodGet, Path: path})
	}
	if resp := get(other, widgetsPath); resp.Code != http.StatusNotFound {
		t.Fatalf("second server before the CRD = %d, want 404", resp.Code)
	}
	f.defineCRD(widgetCRD)
	resp := other.Handle(f.ctx, &rest.Request{Method: http.MethodPost, Path: widgetsPath, ContentType: rest.ContentJSON, Body: []byte(widgetJSON("w1", `{}`))})
	decodeWidget(t, "create through the second server", resp, http.StatusCreated)
	decodeWidget(t, "get through the first", f.do(http.MethodGet, widgetsPath+"/w1", "", ""), http.StatusOK)
	if resp := get(other, "/apis/example.com/v1"); resp.Code != http.StatusOK || !strings.Contains(string(resp.Body), `"widgets/scale"`) {
		t.Errorf("second server's discovery = %d %s", resp.Code, resp.Body)
	}
}

// BenchmarkBuiltinGetWithDefinitions measures what following definitions
// costs a request for a built-in kind: s.resources() runs on every
// request. Compare the sub-benchmarks: with 20 definitions a GET of a
// ConfigMap must cost about what it costs with none.
func BenchmarkBuiltinGetWithDefinitions(b *testing.B) {
	for _, n := range []int{0, 20} {
		b.Run(fmt.Sprintf("crds=%d", n), func(b *testing.B) {
			f := newFixture(&testing.T{})
			for i := 0; i < n; i++ {
				body := strings.NewReplacer("widgets", fmt.Sprintf("widgets%d", i), `"Widget"`, fmt.Sprintf(`"Widget%d"`, i),
					`"widget"`, fmt.Sprintf(`"widget%d"`, i), `["wd"]`, fmt.Sprintf(`["wd%d"]`, i)).Replace(widgetCRD)
				if resp := f.do(http.MethodPost, crdsPath, rest.ContentJSON, body); resp.Code != http.StatusCreated {
					b.Fatalf("create CRD %d = %d %s", i, resp.Code, resp.Body)
				}
			}
			if resp := f.do(http.MethodPost, "/api/v1/namespaces/default/configmaps", rest.ContentJSON, `{"metadata":{"name":"c"}}`); resp.Code != http.StatusCreated {
				b.Fatalf("create ConfigMap = %d %s", resp.Code, resp.Body)
			}
			req := &rest.Request{Method: http.MethodGet, Path: "/api/v1/namespaces/default/configmaps/c"}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if resp := f.server.Handle(f.ctx, req); resp.Code != http.StatusOK {
					b.Fatalf("GET = %d", resp.Code)
				}
			}
		})
	}
}
