package apiserver

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

var (
	podType    = reflect.TypeOf(&api.Pod{})
	deployType = reflect.TypeOf(&api.Deployment{})
	svcType    = reflect.TypeOf(&api.Service{})
	nodeType   = reflect.TypeOf(&api.Node{})
)

func TestStrategicMergePatch(t *testing.T) {
	pod := `{"metadata":{"name":"p","labels":{"a":"1","b":"2"},"finalizers":["f1","f2"]},
	  "spec":{"containers":[
	    {"name":"a","image":"a:1","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}],"ports":[{"containerPort":80,"name":"http"}]},
	    {"name":"b","image":"b:1"}],
	  "tolerations":[{"key":"k1"}],
	  "securityContext":{"runAsUser":1},
	  "volumes":[{"name":"v","emptyDir":{}}]}}`
	for _, tc := range []struct {
		name  string
		typ   reflect.Type
		doc   string
		patch string
		want  string
	}{
		{"a container merges by name, the other stays", podType, pod,
			`{"spec":{"containers":[{"name":"b","image":"b:2"}]}}`,
			`{"spec":{"containers":[{"name":"a","image":"a:1","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}],"ports":[{"containerPort":80,"name":"http"}]},{"name":"b","image":"b:2"}]}}`},
		{"a new container comes before the server-only ones (Kubernetes' order)", podType, pod,
			`{"spec":{"containers":[{"name":"c","image":"c:1"}]}}`,
			`{"spec":{"containers":[{"name":"c","image":"c:1"},{"name":"a"},{"name":"b"}]}}`},
		{"env merges by name inside a merged container", podType, pod,
			`{"spec":{"containers":[{"name":"a","env":[{"name":"Y","value":"3"},{"name":"Z","value":"4"}]}]}}`,
			`{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"},{"name":"Y","value":"3"},{"name":"Z","value":"4"}]},{"name":"b"}]}}`},
		{"ports merge by containerPort", podType, pod,
			`{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"protocol":"TCP"}]}]}}`,
			`{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http","protocol":"TCP"}]},{"name":"b"}]}}`},
		{"$patch: delete removes exactly that item", podType, pod,
			`{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}`,
			`{"spec":{"containers":[{"name":"b","image":"b:1"}]}}`},
		{"$patch: replace in a list replaces it", podType, pod,
			`{"spec":{"containers":[{"name":"z","image":"z"},{"$patch":"replace"}]}}`,
			`{"spec":{"containers":[{"name":"z","image":"z"}]}}`},
		{"$patch: replace in an object replaces it", podType, pod,
			`{"metadata":{"labels":{"c":"3","$patch":"replace"}}}`,
			`{"metadata":{"labels":{"c":"3"}}}`},
		{"$patch: delete in an object empties it", podType, pod,
			`{"spec":{"securityContext":{"$patch":"delete"}}}`,
			`{"spec":{"securityContext":{}}}`},
		{"$patch: merge in an object is the default merge", podType, pod,
			`{"metadata":{"labels":{"c":"3","$patch":"merge"}}}`,
			`{"metadata":{"labels":{"a":"1","b":"2","c":"3"}}}`},
		{"null deletes a map key", podType, pod,
			`{"metadata":{"labels":{"a":null}}}`,
			`{"metadata":{"labels":{"b":"2"}}}`},
		{"a list without a strategy is replaced", podType, pod,
			`{"spec":{"tolerations":[{"key":"k2"}]}}`,
			`{"spec":{"tolerations":[{"key":"k2"}]}}`},
		{"a scalar list with merge is a set union", podType, pod,
			`{"metadata":{"finalizers":["f2","f3"]}}`,
			`{"metadata":{"finalizers":["f1","f2","f3"]}}`},
		{"$deleteFromPrimitiveList drops values", podType, pod,
			`{"metadata":{"$deleteFromPrimitiveList/finalizers":["f1","nope"]}}`,
			`{"metadata":{"finalizers":["f2"]}}`},
		{"$setElementOrder orders the merged list", podType, pod,
			`{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"a","image":"a:2"}]}}`,
			`{"spec":{"containers":[{"name":"b"},{"name":"a","image":"a:2"}]}}`},
		{"$setElementOrder for scalars", podType, pod,
			`{"metadata":{"$setElementOrder/finalizers":["f2","f1"]}}`,
			`{"metadata":{"finalizers":["f2","f1"]}}`},
		{"$retainKeys in a volume drops its other source", podType, pod,
			`{"spec":{"volumes":[{"name":"v","hostPath":{"path":"/x"},"$retainKeys":["name","hostPath"]}]}}`,
			`{"spec":{"volumes":[{"name":"v","hostPath":{"path":"/x"}}]}}`},
		{"$retainKeys on a deployment strategy", deployType,
			`{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}`,
			`{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}`,
			`{"spec":{"strategy":{"type":"Recreate"}}}`},
		{"service ports merge by port", svcType,
			`{"spec":{"ports":[{"port":80,"name":"http"},{"port":443,"name":"https"}]}}`,
			`{"spec":{"ports":[{"port":443,"targetPort":8443}]}}`,
			`{"spec":{"ports":[{"port":80,"name":"http"},{"port":443,"name":"https","targetPort":8443}]}}`},
		{"node conditions merge by type (a status patch)", nodeType,
			`{"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"MemoryPressure","status":"False"}]}}`,
			`{"status":{"conditions":[{"type":"Ready","status":"True"}]}}`,
			`{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"MemoryPressure","status":"False"}]}}`},
		{"cordon sets a field", nodeType,
			`{"spec":{"podCIDR":"10.0.0.0/24"}}`,
			`{"spec":{"unschedulable":true}}`,
			`{"spec":{"podCIDR":"10.0.0.0/24","unschedulable":true}}`},
		{"a new field takes the patch without its nulls and directives", deployType,
			`{"spec":{}}`,
			`{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"x","args":null,"env":[{"name":"gone","$patch":"delete"}]}]}}}}`,
			`{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"x","env":[]}]}}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := strategicMergePatch([]byte(tc.doc), []byte(tc.patch), tc.typ)
			if err != nil {
				t.Fatalf("strategicMergePatch: %v", err)
			}
			var got, want any
			unmarshalT(t, out, &got)
			unmarshalT(t, []byte(tc.want), &want)
			if diff := cmp.Diff(want, project(got, want)); diff != "" {
				t.Errorf("result (-want +got):\n%s\nfull result: %s", diff, out)
			}
		})
	}
}

// project keeps only the parts of got that want mentions, so that a case
// states what it is about; lists are kept whole (their length and order
// matter), and their objects are projected item by item.
func project(got, want any) any {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return got
		}
		out := map[string]any{}
		for k, wv := range w {
			if gv, ok := g[k]; ok {
				out[k] = project(gv, wv)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return got
		}
		out := make([]any, len(g))
		for i := range g {
			out[i] = project(g[i], w[i])
		}
		return out
	}
	return got
}

func unmarshalT(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("bad JSON %s: %v", b, err)
	}
}

func TestStrategicMergePatchErrors(t *testing.T) {
	pod := `{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}],"volumes":[{"name":"v","emptyDir":{}}]}}`
	for _, tc := range []struct {
		name  string
		patch string
		code  int32
		want  string // in the message
	}{
		{"not JSON", `{`, 400, "not valid JSON"},
		{"not an object", `[1]`, 400, "must be a JSON object"},
		{"an item without its merge key", `{"spec":{"containers":[{"image":"x"}]}}`, 422, `spec.containers: item 0 of the patch list does not contain the merge key "name"`},
		{"delete without a merge key", `{"spec":{"containers":[{"$patch":"delete"}]}}`, 422, `spec.containers: item 0 of the patch list has $patch: delete but no merge key "name"`},
		{"an unknown $patch in a list", `{"spec":{"containers":[{"name":"a","$patch":"explode"}]}}`, 422, `unknown $patch directive explode`},
		{"an unknown $patch in an object", `{"spec":{"$patch":"explode"}}`, 422, `spec: unknown $patch directive explode`},
		{"an unknown directive", `{"spec":{"$explode":1}}`, 422, `spec: unknown directive "$explode"`},
		{"a key $retainKeys does not list", `{"spec":{"volumes":[{"name":"v","hostPath":{"path":"/"},"$retainKeys":["name"]}]}}`, 422, `spec.volumes[name="v"]: the patch sets "hostPath", which $retainKeys does not list`},
		{"$retainKeys not a list", `{"spec":{"$retainKeys":"x"}}`, 422, `spec: $retainKeys must be a list`},
		{"$setElementOrder out of order", `{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"b"},{"name":"a"}]}}`, 422, `spec.containers: the patch list is not in the order`},
		{"$setElementOrder item without a key", `{"spec":{"$setElementOrder/containers":[{"image":"a"}]}}`, 422, `item 0 of $setElementOrder/containers does not contain the merge key "name"`},
		{"$deleteFromPrimitiveList not a list", `{"metadata":{"$deleteFromPrimitiveList/finalizers":"x"}}`, 422, `metadata.finalizers: $deleteFromPrimitiveList/finalizers must be a list`},
		{"a merge list mixing objects and scalars", `{"spec":{"containers":["a"]}}`, 422, `spec.containers: the list mixes objects and scalars`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := strategicMergePatch([]byte(pod), []byte(tc.patch), podType)
			se, ok := err.(*api.StatusError)
			if !ok {
				t.Fatalf("err = %v, want a StatusError", err)
			}
			if se.Status.Code != tc.code || !strings.Contains(se.Status.Message, tc.want) {
				t.Errorf("err = %d %q, want %d containing %q", se.Status.Code, se.Status.Message, tc.code, tc.want)
			}
		})
	}
}

// TestStrategicMergePatchKeepsInputs checks that the function is pure: the
// decoded inputs it is given are not changed.
func TestMergeObjectKeepsInputs(t *testing.T) {
	doc := `{"spec":{"containers":[{"name":"a","env":[{"name":"X"}]},{"name":"b"}],"nodeSelector":{"k":"v"}}}`
	patch := `{"spec":{"containers":[{"name":"a","env":[{"name":"Y"}]},{"name":"b","$patch":"delete"}],"nodeSelector":{"k":null}}}`
	d, _ := decodeJSON([]byte(doc), "doc")
	p, _ := decodeJSON([]byte(patch), "patch")
	if _, err := mergeObject(d.(map[string]any), p.(map[string]any), schemaOf(podType), ""); err != nil {
		t.Fatal(err)
	}
	if got := jsonKey(d); got != jsonKey(mustDecode(doc)) {
		t.Errorf("the document changed: %s", got)
	}
	if got := jsonKey(p); got != jsonKey(mustDecode(patch)) {
		t.Errorf("the patch changed: %s", got)
	}
}

func mustDecode(s string) any {
	v, err := decodeJSON([]byte(s), "test")
	if err != nil {
		panic(err)
	}
	return v
}

// TestStrategicPatchThroughServer sends strategic merge patches as kubectl
// does: to an object, to its status, and a broken one that must store
// nothing.
func TestStrategicPatchThroughServer(t *testing.T) {
	f := newFixture(t)
	pod := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default", Labels: map[string]string{"app": "web"}},
		Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "old"}, {Name: "side", Image: "s"}}}}
	if _, err := pods(f).Create(f.ctx, pod, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := pods(f).Patch(f.ctx, "default", "web", rest.ContentStrategicPatch,
		[]byte(`{"metadata":{"labels":{"tier":"front"}},"spec":{"containers":[{"name":"c","image":"new"}]}}`), "", client.WriteOptions{})
	if err != nil {
		t.Fatalf("strategic patch: %v", err)
	}
	var images []string
	for _, c := range got.Spec.Containers {
		images = append(images, c.Name+"="+c.Image)
	}
	if diff := cmp.Diff([]string{"c=new", "side=s"}, images); diff != "" {
		t.Errorf("containers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"app": "web", "tier": "front"}, got.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}

	st, err := pods(f).Patch(f.ctx, "default", "web", rest.ContentStrategicPatch,
		[]byte(`{"status":{"conditions":[{"type":"Ready","status":"True"}]}}`), "status", client.WriteOptions{})
	if err != nil {
		t.Fatalf("strategic status patch: %v", err)
	}
	if len(st.Status.Conditions) != 1 || st.Status.Conditions[0].Type != "Ready" {
		t.Errorf("status conditions = %+v, want one Ready", st.Status.Conditions)
	}

	before, _ := pods(f).Get(f.ctx, "default", "web")
	resp := f.do(http.MethodPatch, "/api/v1/namespaces/default/pods/web", rest.ContentStrategicPatch,
		`{"metadata":{"labels":{"x":"y"}},"spec":{"containers":[{"image":"no-name"}]}}`)
	if resp.Code != http.StatusUnprocessableEntity || !strings.Contains(string(resp.Body), `spec.containers: item 0 of the patch list does not contain the merge key \"name\"`) {
		t.Errorf("patch without a merge key = %d %s, want 422 naming spec.containers", resp.Code, resp.Body)
	}
	after, _ := pods(f).Get(f.ctx, "default", "web")
	if after.ResourceVersion != before.ResourceVersion || after.Labels["x"] != "" {
		t.Errorf("a refused patch wrote: resourceVersion %s -> %s, labels %v", before.ResourceVersion, after.ResourceVersion, after.Labels)
	}
}
