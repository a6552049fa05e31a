package namespace

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// define creates a CustomResourceDefinition of kind in example.com with
// scope, and returns its resource.
func (e *env) define(kind, plural, scope string) *api.Resource {
	e.t.Helper()
	yes := true
	crd := &api.CustomResourceDefinition{ObjectMeta: api.ObjectMeta{Name: plural + ".example.com"},
		Spec: api.CustomResourceDefinitionSpec{Group: "example.com", Scope: scope,
			Names: api.CustomResourceDefinitionNames{Plural: plural, Kind: kind},
			Versions: []api.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
				Schema: &api.CustomResourceValidation{OpenAPIV3Schema: &api.JSONSchemaProps{Type: "object", XPreserveUnknownFields: &yes}}}}}}
	out := create(e, crd)
	return api.ResourcesFromCRD(out)[0]
}

func (e *env) createCustom(res *api.Resource, ns, name string, finalizers ...string) {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"apiVersion": res.APIVersion(), "kind": res.Kind,
		"metadata": map[string]any{"name": name, "finalizers": append([]string{}, finalizers...)}})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := client.Dynamic(e.api, res).CreateRaw(context.Background(), ns, body, client.WriteOptions{}); err != nil {
		e.t.Fatalf("create %s %s/%s: %v", res.Kind, ns, name, err)
	}
}

func (e *env) customNames(res *api.Resource, ns string) []string {
	e.t.Helper()
	l, err := client.Dynamic(e.api, res).List(context.Background(), ns, client.ListOptions{})
	if err != nil {
		e.t.Fatalf("list %s: %v", res.Plural, err)
	}
	var out []string
	for _, obj := range l.Items {
		out = append(out, obj.GetObjectMeta().Namespace+"/"+obj.GetObjectMeta().Name)
	}
	return out
}

// TestDeletesCustomObjects: the custom objects of a namespace are content
// like any other — deleted, reported while a finalizer holds one, waited
// for — and those of other namespaces are left.
func TestDeletesCustomObjects(t *testing.T) {
	e := newEnv(t)
	widgets := e.define("Widget", "widgets", api.NamespaceScoped)
	// A cluster-scoped kind is no namespace's content: the controller
	// must not list it per namespace (the API would answer 404).
	e.define("Thing", "things", api.ClusterScoped)
	e.createNamespace("team")
	e.createNamespace("keep")
	e.createCustom(widgets, "team", "w1")
	e.createCustom(widgets, "team", "held", "example.com/hold")
	e.createCustom(widgets, "keep", "w1")
	e.deleteNamespace("team")
	e.RunFor(3 * RecheckDelay)

	ns := e.namespace("team")
	if ns == nil {
		t.Fatalf("namespace team gone while a finalizer holds one of its Widgets")
	}
	want := slices.Clone(allWell)
	want[3] = "NamespaceContentRemaining=True SomeResourcesRemain: Some resources are remaining: widgets.example.com has 1 resource instances"
	want[4] = "NamespaceFinalizersRemaining=True SomeFinalizersRemain: Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"
	if diff := cmp.Diff(want, conditionSummary(ns)); diff != "" {
		t.Errorf("conditions while a Widget remains (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"team/held", "keep/w1"}, append(e.customNames(widgets, "team"), e.customNames(widgets, "keep")...)); diff != "" {
		t.Errorf("Widgets while waiting (-want +got):\n%s", diff)
	}
	ctx := context.Background()
	held, err := client.Dynamic(e.api, widgets).Get(ctx, "team", "held")
	if err != nil {
		t.Fatal(err)
	}
	held.GetObjectMeta().Finalizers = nil
	if _, err := client.Dynamic(e.api, widgets).Update(ctx, held, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(RecheckDelay)
	if ns := e.namespace("team"); ns != nil {
		t.Errorf("namespace team still there once its Widgets went: %v", conditionSummary(ns))
	}
	if diff := cmp.Diff([]string{"keep/w1"}, e.customNames(widgets, "")); diff != "" {
		t.Errorf("Widgets at the end (-want +got):\n%s", diff)
	}
}
