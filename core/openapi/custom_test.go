package openapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
)

// cronTabCRD is the Kubernetes documentation's CronTab, with a status and
// scale subresource, a nullable field, an int-or-string, a CEL rule and a
// field that keeps unknown fields, served at v1 and v1beta1.
const cronTabCRD = `{
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "crontabs.stable.example.com", "uid": "u1", "resourceVersion": "7"},
  "spec": {
    "group": "stable.example.com", "scope": "Namespaced",
    "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"]},
    "versions": [
      {"name": "v1", "served": true, "storage": true,
       "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}},
       "selectableFields": [{"jsonPath": ".spec.cronSpec"}],
       "schema": {"openAPIV3Schema": {
         "type": "object",
         "properties": {
           "spec": {"type": "object", "required": ["cronSpec", "note"],
             "x-kubernetes-validations": [{"rule": "self.replicas <= 10", "message": "at most 10"}],
             "properties": {
               "cronSpec": {"type": "string", "pattern": "^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$", "description": "When to run."},
               "image": {"type": "string", "default": "busybox"},
               "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
               "port": {"x-kubernetes-int-or-string": true},
               "note": {"type": "string", "nullable": true},
               "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"a": {"type": "string"}}},
               "template": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true},
               "mode": {"type": "string", "enum": ["Fast", "Slow"]},
               "either": {"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}
             }},
           "status": {"type": "object", "properties": {"replicas": {"type": "integer"}}}
         }}}},
      {"name": "v1beta1", "served": true, "storage": false}
    ]
  },
  "status": {"acceptedNames": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"], "listKind": "CronTabList"}}
}`

func cronTabSet(t *testing.T) *api.ResourceSet {
	t.Helper()
	var crd api.CustomResourceDefinition
	if err := json.Unmarshal([]byte(cronTabCRD), &crd); err != nil {
		t.Fatal(err)
	}
	return api.NewResourceSet(api.ResourcesFromCRD(&crd))
}

const cronTabPath = "apis/stable.example.com/v1"

// TestCustomResourceV3 checks the v3 document of a custom resource's
// group-version: the kind's schema as the definition wrote it, with
// metadata, apiVersion and kind added; its list; and the paths of every
// verb and subresource, whose PATCH takes no strategic merge patch.
func TestCustomResourceV3(t *testing.T) {
	set := cronTabSet(t)
	doc := V3(cronTabPath, "test", set)
	if doc == nil {
		t.Fatalf("V3(%q) = nil, want the CronTab's document", cronTabPath)
	}
	kind := doc.Components.Schemas["com.example.stable.v1.CronTab"]
	if kind == nil {
		t.Fatalf("no com.example.stable.v1.CronTab in %v", sortedNames(doc.Components.Schemas))
	}
	if want := []GVK{{Group: "stable.example.com", Version: "v1", Kind: "CronTab"}}; !cmp.Equal(kind.GroupVersionKind, want) {
		t.Errorf("CronTab GVK = %v, want %v", kind.GroupVersionKind, want)
	}
	if got := kind.Properties["metadata"]; got == nil || got.Ref != "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" {
		t.Errorf("CronTab metadata = %+v, want a reference to ObjectMeta", got)
	}
	if kind.Properties["apiVersion"] == nil || kind.Properties["kind"] == nil {
		t.Errorf("CronTab has no apiVersion or kind property")
	}
	if want := []SelectableField{{FieldPath: "spec.cronSpec"}}; !cmp.Equal(kind.SelectableFields, want) {
		t.Errorf("CronTab selectable fields = %v, want %v", kind.SelectableFields, want)
	}
	spec := kind.Properties["spec"]
	for _, tt := range []struct {
		what      string
		got, want any
	}{
		{"spec.required", spec.Required, []string{"cronSpec", "note"}},
		{"spec x-kubernetes-validations", len(spec.Validations), 1},
		{"spec.cronSpec description", spec.Properties["cronSpec"].Description, "When to run."},
		{"spec.image default", string(spec.Properties["image"].Default), `"busybox"`},
		{"spec.replicas maximum", *spec.Properties["replicas"].Maximum, 10.0},
		{"spec.port anyOf", len(spec.Properties["port"].AnyOf), 2},
		{"spec.note nullable", spec.Properties["note"].Nullable, true},
		{"spec.extra properties", len(spec.Properties["extra"].Properties), 1},
		{"spec.mode enum", len(spec.Properties["mode"].Enum), 2},
		{"spec.template.metadata", spec.Properties["template"].Properties["metadata"] != nil, true},
		{"spec.template.required", spec.Properties["template"].Required, []string{"kind", "apiVersion"}},
	} {
		if diff := cmp.Diff(tt.want, tt.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.what, diff)
		}
	}
	if list := doc.Components.Schemas["com.example.stable.v1.CronTabList"]; list == nil || list.Properties["items"].Items.Ref != "#/components/schemas/com.example.stable.v1.CronTab" {
		t.Errorf("CronTabList = %+v, want a list of CronTab", list)
	}
	if doc.Components.Schemas["io.k8s.api.autoscaling.v1.Scale"] == nil {
		t.Errorf("no Scale definition for the scale subresource")
	}
	base := "/apis/stable.example.com/v1/namespaces/{namespace}/crontabs"
	for _, p := range []string{base, base + "/{name}", base + "/{name}/status", base + "/{name}/scale", "/apis/stable.example.com/v1/crontabs"} {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("no path %s in %v", p, sortedNames(doc.Paths))
		}
	}
	patch := doc.Paths[base+"/{name}"].Patch
	if patch == nil || patch.RequestBody == nil {
		t.Fatalf("no PATCH with a body on %s/{name}", base)
	}
	if _, ok := patch.RequestBody.Content["application/strategic-merge-patch+json"]; ok {
		t.Errorf("PATCH of a custom resource takes a strategic merge patch; Kubernetes offers none, and kubectl apply relies on that")
	}
	if _, ok := patch.RequestBody.Content["application/merge-patch+json"]; !ok {
		t.Errorf("PATCH of a custom resource takes no merge patch")
	}
	if !slices.ContainsFunc(patch.Parameters, func(p Parameter) bool { return p.Name == "fieldValidation" && p.In == "query" }) {
		t.Errorf("PATCH of a custom resource lacks the fieldValidation parameter kubectl looks for")
	}
	if got := doc.Paths[base+"/{name}/scale"].Get.Responses["200"].Content["application/json"].Schema.Ref; got != "#/components/schemas/io.k8s.api.autoscaling.v1.Scale" {
		t.Errorf("GET scale answers %q, want Scale", got)
	}
	if V3("apis/stable.example.com/v1beta1", "test", set) == nil {
		t.Errorf("no document for the second served version v1beta1")
	}
}

// TestCustomResourceV2 checks the reduction of a custom resource's schema
// to OpenAPI v2, as Kubernetes makes it.
func TestCustomResourceV2(t *testing.T) {
	doc := V2("test", cronTabSet(t))
	kind := doc.Definitions["com.example.stable.v1.CronTab"]
	if kind == nil {
		t.Fatal("no com.example.stable.v1.CronTab in the v2 document")
	}
	spec := kind.Properties["spec"]
	for _, tt := range []struct {
		what      string
		got, want any
	}{
		{"spec.required (the nullable note is not required in v2)", spec.Required, []string{"cronSpec"}},
		{"spec.note type (nullable: no type in v2)", spec.Properties["note"].Type, ""},
		{"spec.note nullable", spec.Properties["note"].Nullable, false},
		{"spec.port anyOf", len(spec.Properties["port"].AnyOf), 0},
		{"spec.port x-kubernetes-int-or-string", spec.Properties["port"].IntOrString, true},
		{"spec.either anyOf", len(spec.Properties["either"].AnyOf), 0},
		{"spec.extra properties (unknown fields kept)", len(spec.Properties["extra"].Properties), 0},
		{"spec.extra type", spec.Properties["extra"].Type, ""},
		{"spec.template properties", len(spec.Properties["template"].Properties), 0},
		{"spec.cronSpec pattern", spec.Properties["cronSpec"].Pattern != "", true},
		{"metadata", kind.Properties["metadata"].Ref, "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
	} {
		if diff := cmp.Diff(tt.want, tt.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.what, diff)
		}
	}
	patch := doc.Paths["/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}"].Patch
	if patch == nil || slices.Contains(patch.Consumes, "application/strategic-merge-patch+json") {
		t.Errorf("v2 PATCH of a custom resource = %+v, want one that consumes no strategic merge patch", patch)
	}
}

// TestCustomResourceWithoutSchema: a version without a schema, and (in
// v2) a root that keeps unknown fields, are plain objects: no properties,
// so that no client takes the list as all there may be.
func TestCustomResourceWithoutSchema(t *testing.T) {
	set := cronTabSet(t)
	for _, tt := range []struct {
		name string
		doc  map[string]*Schema
	}{
		{"v3 v1beta1", V3("apis/stable.example.com/v1beta1", "test", set).Components.Schemas},
		{"v2 v1beta1", V2("test", set).Definitions},
	} {
		got := tt.doc["com.example.stable.v1beta1.CronTab"]
		if got == nil || got.Type != "object" || got.Properties != nil || len(got.GroupVersionKind) != 1 {
			t.Errorf("%s: CronTab = %+v, want a bare object with its GVK", tt.name, got)
		}
	}
	var crd api.CustomResourceDefinition
	json.Unmarshal([]byte(cronTabCRD), &crd)
	yes := true
	crd.Spec.Versions[0].Schema.OpenAPIV3Schema.XPreserveUnknownFields = &yes
	doc := V2("test", api.NewResourceSet(api.ResourcesFromCRD(&crd)))
	if got := doc.Definitions["com.example.stable.v1.CronTab"]; got.Properties != nil {
		t.Errorf("v2 CronTab that keeps unknown fields lists properties %v, want none", sortedNames(got.Properties))
	}
}

// TestCustomDocumentsResolveAndHash checks that every reference of the
// documents with a custom resource resolves, and that adding the custom
// resource changes the v3 hash of its group-version only.
func TestCustomDocumentsResolveAndHash(t *testing.T) {
	set := cronTabSet(t)
	with, err := Build("test", set)
	if err != nil {
		t.Fatal(err)
	}
	without, err := Build("test", nil)
	if err != nil {
		t.Fatal(err)
	}
	for gv, h := range without.V3Hash {
		if with.V3Hash[gv] != h {
			t.Errorf("hash of %s changed when a custom resource of another group was added", gv)
		}
	}
	if with.V3Hash[cronTabPath] == "" {
		t.Fatalf("no v3 document %s in %v", cronTabPath, sortedNames(with.V3Hash))
	}
	if !strings.Contains(string(with.V3Index), "/openapi/v3/"+cronTabPath+"?hash="+with.V3Hash[cronTabPath]) {
		t.Errorf("the v3 index does not point at %s by its hash", cronTabPath)
	}
	checkRefs(t, cronTabPath, "#/components/schemas/", V3(cronTabPath, "test", set).Components.Schemas, V3(cronTabPath, "test", set))
	v2 := V2("test", set)
	checkRefs(t, "v2", "#/definitions/", v2.Definitions, v2)
}

// checkRefs fails t for each $ref in root that names no definition of defs.
func checkRefs(t *testing.T, doc, prefix string, defs map[string]*Schema, root any) {
	t.Helper()
	b, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if !strings.HasPrefix(ref, prefix) || defs[strings.TrimPrefix(ref, prefix)] == nil {
					t.Errorf("%s: $ref %q names no definition", doc, ref)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	var v any
	json.Unmarshal(b, &v)
	walk(v)
}

// TestToV2 checks each rule of the v2 reduction on its own.
func TestToV2(t *testing.T) {
	for _, tt := range []struct {
		name     string
		in, want *Schema
	}{
		{"junctors dropped",
			&Schema{Type: "object", AllOf: []*Schema{{}}, AnyOf: []*Schema{{}}, OneOf: []*Schema{{}}, Not: &Schema{}},
			&Schema{Type: "object"}},
		{"nullable loses type, items and properties",
			&Schema{Type: "array", Nullable: true, Items: &Schema{Type: "string"}},
			&Schema{}},
		{"unknown fields kept: no properties, no object type",
			&Schema{Type: "object", PreserveUnknown: true, Properties: map[string]*Schema{"a": {Type: "string"}}},
			&Schema{PreserveUnknown: true}},
		{"array without items: no type",
			&Schema{Type: "array"},
			&Schema{}},
		{"nullable properties are not required",
			&Schema{Type: "object", Required: []string{"a", "b"}, Properties: map[string]*Schema{"a": {Type: "string", Nullable: true}, "b": {Type: "string"}}},
			&Schema{Type: "object", Required: []string{"b"}, Properties: map[string]*Schema{"a": {}, "b": {Type: "string"}}}},
		{"nullable map values: nothing required",
			&Schema{Type: "object", Required: []string{"a"}, AdditionalProperties: &Schema{Type: "string", Nullable: true}},
			&Schema{Type: "object", AdditionalProperties: &Schema{}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			toV2(tt.in)
			if diff := cmp.Diff(tt.want, tt.in); diff != "" {
				t.Errorf("toV2 (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCustomOperationIDs: two groups with the same first part and kind
// never share operation IDs.
func TestCustomOperationIDs(t *testing.T) {
	for _, tt := range []struct {
		r    *api.Resource
		want string
	}{
		{&api.Resource{Group: "stable.example.com", Version: "v1", Custom: &api.CustomResource{}}, "StableExampleComV1"},
		{&api.Resource{Group: "cert-manager.io", Version: "v1", Custom: &api.CustomResource{}}, "CertManagerIoV1"},
		{&api.Resource{Group: "rbac.authorization.k8s.io", Version: "v1"}, "RbacV1"},
		{&api.Resource{Group: "", Version: "v1"}, "CoreV1"},
	} {
		if got := groupID(tt.r); got != tt.want {
			t.Errorf("groupID(%s/%s) = %q, want %q", tt.r.Group, tt.r.Version, got, tt.want)
		}
	}
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
