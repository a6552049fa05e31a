package printers

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
)

// widgetCRD defines widgets.example.com with a printer column of every
// type (one wide, one pointing at a list, one at an object) in v1 and
// none in v2.
func widgetCRD() *api.CustomResourceDefinition {
	crd := &api.CustomResourceDefinition{
		ObjectMeta: api.ObjectMeta{Name: "widgets.example.com", CreationTimestamp: api.NewTime(time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC))},
		Spec: api.CustomResourceDefinitionSpec{
			Group: "example.com", Scope: api.NamespaceScoped,
			Names: api.CustomResourceDefinitionNames{Plural: "widgets", Singular: "widget", Kind: "Widget", ShortNames: []string{"wd"}},
			Versions: []api.CustomResourceDefinitionVersion{
				{Name: "v1", Served: true, Storage: true, AdditionalPrinterColumns: []api.CustomResourceColumnDefinition{
					{Name: "Color", Type: "string", JSONPath: ".spec.color", Description: "The widget's color"},
					{Name: "Replicas", Type: "integer", JSONPath: ".spec.replicas"},
					{Name: "Ratio", Type: "number", JSONPath: ".spec.ratio"},
					{Name: "Ready", Type: "boolean", JSONPath: `.status.conditions[?(@.type=="Ready")].status`},
					{Name: "Enabled", Type: "boolean", JSONPath: ".spec.enabled"},
					{Name: "Last Seen", Type: "date", JSONPath: ".status.lastSeen"},
					{Name: "Ports", Type: "string", JSONPath: ".spec.ports[*]"},
					{Name: "Owner", Type: "string", Format: "email", Priority: 1, JSONPath: ".spec.owner"},
					{Name: "Size", Type: "string", Priority: 1, JSONPath: ".spec.size"},
					{Name: "Age", Type: "date", JSONPath: ".metadata.creationTimestamp"},
				}},
				{Name: "v2", Served: true},
			},
		},
	}
	crd.Status.AcceptedNames = crd.Spec.Names
	return crd
}

// widgetResource returns the Resource of version v of widgetCRD.
func widgetResource(t *testing.T, v string) *api.Resource {
	t.Helper()
	for _, r := range api.ResourcesFromCRD(widgetCRD()) {
		if r.Version == v {
			return r
		}
	}
	t.Fatalf("widgetCRD serves no version %s", v)
	return nil
}

// widgets are three widgets: one with every column set, one with some
// values missing or of the wrong type, one nearly empty.
func widgets(t *testing.T) []api.Object {
	t.Helper()
	docs := []string{
		`{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"big","namespace":"default","creationTimestamp":"2026-01-02T02:04:05Z"},
		  "spec":{"color":"blue","replicas":3,"ratio":0.25,"enabled":true,"ports":[80,443],"owner":"ann@example.com","size":{"w":2,"h":3}},
		  "status":{"lastSeen":"2026-01-02T03:00:00Z","conditions":[{"type":"Ready","status":true}]}}`,
		`{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"odd","namespace":"default","creationTimestamp":"2025-12-01T03:04:05Z"},
		  "spec":{"color":7,"replicas":2.9,"ratio":"x","enabled":"yes","size":null},
		  "status":{"lastSeen":"yesterday"}}`,
		`{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"bare","namespace":"prod","creationTimestamp":"2026-01-02T03:04:00Z"},
		  "status":{"lastSeen":""}}`,
	}
	var out []api.Object
	for _, d := range docs {
		u := &api.Unstructured{}
		if err := json.Unmarshal([]byte(d), u); err != nil {
			t.Fatal(err)
		}
		out = append(out, u)
	}
	return out
}

func TestCustomResourceTables(t *testing.T) {
	for _, tc := range []struct {
		golden, version string
		opts            PrintOptions
	}{
		{"custom-widgets", "v1", PrintOptions{}},
		{"custom-widgets-wide", "v1", PrintOptions{Wide: true, WithNamespace: true}},
		{"custom-widgets-no-columns", "v2", PrintOptions{ShowKind: true}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			var b bytes.Buffer
			if err := TableFor(widgetResource(t, tc.version), widgets(t), now).Print(&b, tc.opts); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "table-"+tc.golden, b.String())
		})
	}
}

func TestCustomResourceServerTable(t *testing.T) {
	st, err := ServerTable(widgetResource(t, "v1"), widgets(t)[:2], api.IncludeNone, "meta.k8s.io/v1", now)
	if err != nil {
		t.Fatalf("ServerTable: %v", err)
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "servertable-custom-widgets", string(b)+"\n")

	// The Table read back prints what the local table prints.
	for _, v := range []string{"v1", "v2"} {
		r := widgetResource(t, v)
		st, err := ServerTable(r, widgets(t), api.IncludeMetadata, "meta.k8s.io/v1", now)
		if err != nil {
			t.Fatal(err)
		}
		back, err := FromServerTable(st, QualifiedKind(r))
		if err != nil {
			t.Fatal(err)
		}
		for _, opts := range []PrintOptions{{}, {Wide: true}, {WithNamespace: true, ShowKind: true}} {
			var want, got bytes.Buffer
			TableFor(r, widgets(t), now).Print(&want, opts)
			back.Print(&got, opts)
			if diff := cmp.Diff(want.String(), got.String()); diff != "" {
				t.Errorf("%s %+v: printed from the server's Table differs (-local +server):\n%s", v, opts, diff)
			}
		}
	}
}

func TestCRDTable(t *testing.T) {
	var b bytes.Buffer
	crd := widgetCRD()
	if err := TableFor(resource(t, "crd"), []api.Object{crd}, now).Print(&b, PrintOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "NAME                  CREATED AT\nwidgets.example.com   2025-12-31T23:00:00Z\n"
	if b.String() != want {
		t.Errorf("get crd table =\n%s\nwant\n%s", b.String(), want)
	}
}

func TestColumnCell(t *testing.T) {
	doc := decodeDoc(t, `{"i":3,"f":2.5,"big":1e3,"s":"x","b":false,"n":null,"t":"2026-01-02T03:03:05Z","o":{"a":1},"l":[1,2]}`)
	for _, tc := range []struct{ typ, path, want string }{
		{"integer", ".i", "3"}, {"integer", ".f", "2"}, {"integer", ".big", "1000"}, {"integer", ".s", ""},
		{"number", ".i", "3"}, {"number", ".f", "2.5"}, {"number", ".b", ""},
		{"boolean", ".b", "false"}, {"boolean", ".s", ""},
		{"string", ".s", "x"}, {"string", ".i", "3"}, {"string", ".o", `{"a":1}`}, {"string", ".l", "[1,2]"},
		{"string", ".l[*]", "1"}, {"string", ".n", "<no value>"}, {"string", ".missing", ""},
		{"date", ".t", "60s"}, {"date", ".s", "<invalid>"}, {"date", ".i", ""}, {"date", ".n", ""},
		{"unknown", ".s", ""},
	} {
		p, err := ParseColumnPath(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := columnCell(tc.typ, p, doc, now); got != tc.want {
			t.Errorf("columnCell(%s, %s) = %q, want %q", tc.typ, tc.path, got, tc.want)
		}
	}
}

func TestDescribeCustomResource(t *testing.T) {
	u := widgets(t)[0].(*api.Unstructured)
	u.Labels = map[string]string{"app": "shop"}
	u.UID, u.ResourceVersion, u.Generation = "uid-big", "42", 2
	u.ManagedFields = []api.ManagedFieldsEntry{{Manager: "kubectl"}}
	var b bytes.Buffer
	if err := Describe(&b, u, nil, now); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "describe-custom-widget", b.String())
}
