package openapi

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
)

// TestEveryKindHasADefinition checks that each served kind has a
// definition carrying its group-version-kind, in v2 and in its
// group-version's v3 document, and a PATCH operation that lists
// fieldValidation (what kubectl looks for before leaving validation to the
// server).
func TestEveryKindHasADefinition(t *testing.T) {
	v2 := V2("test", nil)
	for _, r := range api.Resources() {
		want := GVK{Group: r.Group, Version: r.Version, Kind: r.Kind}
		name := groupPackage(r.Group, r.Version) + "." + r.Kind
		if r.Group == "" {
			name = pkgCore + "." + r.Kind
		}
		if d := v2.Definitions[name]; d == nil || !slicesHas(d.GroupVersionKind, want) {
			t.Errorf("v2: definition %s missing or without GVK %v", name, want)
		}
		gv := groupVersion{group: r.Group, version: r.Version}
		v3 := V3(gv.path(), "test", nil)
		if v3 == nil {
			t.Fatalf("V3(%q) = nil", gv.path())
		}
		if d := v3.Components.Schemas[name]; d == nil || !slicesHas(d.GroupVersionKind, want) || d.Description == "" {
			t.Errorf("v3 %s: definition %s missing, without GVK %v or without a description", gv.path(), name, want)
		}
		patched := false
		for _, item := range v3.Paths {
			if item.Patch != nil && item.Patch.GVK == want {
				for _, p := range item.Patch.Parameters {
					patched = patched || (p.Name == "fieldValidation" && p.In == "query")
				}
			}
		}
		if !patched {
			t.Errorf("v3 %s: no PATCH operation for %v with the fieldValidation query parameter", gv.path(), want)
		}
	}
}

func slicesHas(gvks []GVK, want GVK) bool {
	for _, g := range gvks {
		if g == want {
			return true
		}
	}
	return false
}

// TestReferencesResolve checks that every $ref of every document names a
// definition of that document.
func TestReferencesResolve(t *testing.T) {
	v2 := V2("test", nil)
	checkRefs(t, "v2", "#/definitions/", v2.Definitions, v2)
	for _, gv := range groupVersions(nil) {
		v3 := V3(gv.path(), "test", nil)
		checkRefs(t, gv.path(), "#/components/schemas/", v3.Components.Schemas, v3)
	}
}

// TestDescriptionsPresent checks that the doc comments reach the
// documents: each type with a comment is described, and so is a field
// with one.
func TestDescriptionsPresent(t *testing.T) {
	v2 := V2("test", nil)
	// The Go type of each definition: its name's last part, but where
	// typeNames renames it.
	goNames := map[string]string{}
	for t, n := range definitions(false, nil).names {
		goNames[n] = t.Name()
	}
	for name, d := range v2.Definitions {
		if strings.HasSuffix(name, "List") {
			continue
		}
		goName := goNames[name]
		if want := descriptions[goName]; d.Description != want {
			t.Errorf("%s: description %q, want the doc comment of %s: %q", name, d.Description, goName, want)
		}
	}
	p := v2.Definitions[pkgCore+".Container"].Properties["terminationMessagePath"]
	if want := descriptions["Container.terminationMessagePath"]; p == nil || p.Description != want || want == "" {
		t.Errorf("Container.terminationMessagePath: %+v, want the field's doc comment %q", p, want)
	}
}

// TestGoldenSchema compares the v3 schemas of Container and
// DeploymentStrategy with testdata/; -update rewrites them.
func TestGoldenSchema(t *testing.T) {
	core := V3("api/v1", "test", nil)
	apps := V3("apis/apps/v1", "test", nil)
	for _, tt := range []struct {
		file   string
		schema *Schema
	}{
		{"container.v3.json", core.Components.Schemas[pkgCore+".Container"]},
		{"deployment-strategy.v3.json", apps.Components.Schemas["io.k8s.api.apps.v1.DeploymentStrategy"]},
		{"podspec.v2.json", V2("test", nil).Definitions[pkgCore+".PodSpec"]},
	} {
		got, err := json.MarshalIndent(tt.schema, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", tt.file)
		if *update {
			os.MkdirAll("testdata", 0o755)
			if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)+"\n"); diff != "" {
			t.Errorf("%s changed (-want +got); run go test ./core/openapi -update if intended:\n%s", path, diff)
		}
	}
}

// TestNames checks definition names against Kubernetes' for the types
// whose package is not their kind's group.
func TestNames(t *testing.T) {
	b := definitions(false, nil)
	for _, tt := range []struct {
		typ  reflect.Type
		want string
	}{
		{reflect.TypeFor[api.ObjectMeta](), "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
		{reflect.TypeFor[api.LabelSelector](), "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"},
		{reflect.TypeFor[api.Quantity](), "io.k8s.apimachinery.pkg.api.resource.Quantity"},
		{reflect.TypeFor[api.IntOrString](), "io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
		{reflect.TypeFor[api.PodTemplateSpec](), "io.k8s.api.core.v1.PodTemplateSpec"},
		{reflect.TypeFor[api.JobTemplateSpec](), "io.k8s.api.batch.v1.JobTemplateSpec"},
		{reflect.TypeFor[api.Container](), "io.k8s.api.core.v1.Container"},
		{reflect.TypeFor[api.LeaseSpec](), "io.k8s.api.coordination.v1.LeaseSpec"},
	} {
		if got := b.names[tt.typ]; got != tt.want {
			t.Errorf("name of %v = %q, want %q", tt.typ, got, tt.want)
		}
	}
}

// TestBuildIsDeterministic: the same types give the same bytes and hashes,
// which is what lets clients cache a hashed v3 URL for good.
func TestBuildIsDeterministic(t *testing.T) {
	a, err := Build("test", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Build("test", nil)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two builds differ:\n%s", diff)
	}
	var index V3Index
	if err := json.Unmarshal(a.V3Index, &index); err != nil {
		t.Fatal(err)
	}
	for gv, e := range index.Paths {
		if want := "/openapi/v3/" + gv + "?hash=" + Hash(a.V3[gv]); e.ServerRelativeURL != want {
			t.Errorf("index %s = %q, want %q", gv, e.ServerRelativeURL, want)
		}
	}
}
