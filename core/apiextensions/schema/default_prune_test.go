package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDefault(t *testing.T) {
	tests := []struct {
		name, schema, obj, want string
	}{
		{"missing field", `{"type":"object","properties":{"spec":{"type":"object","properties":{"replicas":{"type":"integer","default":1}}}}}`,
			`{"spec":{}}`, `{"spec":{"replicas":1}}`},
		{"present field kept", `{"type":"object","properties":{"spec":{"type":"object","properties":{"replicas":{"type":"integer","default":1}}}}}`,
			`{"spec":{"replicas":3}}`, `{"spec":{"replicas":3}}`},
		{"null non-nullable", `{"type":"object","properties":{"r":{"type":"integer","default":1}}}`, `{"r":null}`, `{"r":1}`},
		{"null nullable kept", `{"type":"object","properties":{"r":{"type":"integer","nullable":true,"default":1}}}`, `{"r":null}`, `{"r":null}`},
		{"defaulted object defaulted below", `{"type":"object","properties":{"spec":{"type":"object","default":{},"properties":{"size":{"type":"string","default":"small"}}}}}`,
			`{}`, `{"spec":{"size":"small"}}`},
		{"array items", `{"type":"object","properties":{"ports":{"type":"array","items":{"type":"object","properties":{"protocol":{"type":"string","default":"TCP"}}}}}}`,
			`{"ports":[{},{"protocol":"UDP"}]}`, `{"ports":[{"protocol":"TCP"},{"protocol":"UDP"}]}`},
		{"additionalProperties values", `{"type":"object","properties":{"m":{"type":"object","additionalProperties":{"type":"object","properties":{"w":{"type":"integer","default":5}}}}}}`,
			`{"m":{"a":{},"b":{"w":1}}}`, `{"m":{"a":{"w":5},"b":{"w":1}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := object(t, tt.obj)
			Default(mustSchema(t, tt.schema), obj)
			if diff := cmp.Diff(object(t, tt.want), obj); diff != "" {
				t.Errorf("Default(%s) mismatch (-want +got):\n%s", tt.obj, diff)
			}
		})
	}
}

// TestDefaultFreshCopies checks that two defaulted fields do not share
// their value: changing one must leave the other alone.
func TestDefaultFreshCopies(t *testing.T) {
	s := mustSchema(t, `{"type":"object","properties":{"a":{"type":"object","default":{"x":[1]}},"b":{"type":"object","default":{"x":[1]}}}}`)
	o1, o2 := map[string]any{}, map[string]any{}
	Default(s, o1)
	Default(s, o2)
	o1["a"].(map[string]any)["x"].([]any)[0] = "changed"
	if diff := cmp.Diff(object(t, `{"a":{"x":[1]},"b":{"x":[1]}}`), o2); diff != "" {
		t.Errorf("Default shares values between objects (-want +got):\n%s", diff)
	}
}

func TestPrune(t *testing.T) {
	smon := root(loadCRD(t, "servicemonitor.json"))
	tests := []struct {
		name, obj, want string
		removed         []string
	}{
		{"meta fields kept at root", `{"apiVersion":"monitoring.coreos.com/v1","kind":"ServiceMonitor","metadata":{"name":"m","bogus":1},"spec":{"endpoints":[]}}`,
			`{"apiVersion":"monitoring.coreos.com/v1","kind":"ServiceMonitor","metadata":{"name":"m","bogus":1},"spec":{"endpoints":[]}}`, nil},
		{"unknown fields", `{"extra":1,"spec":{"endpoints":[{"port":"web","foo":true}],"bar":{}}}`,
			`{"spec":{"endpoints":[{"port":"web"}]}}`, []string{"extra", "spec.bar", "spec.endpoints[0].foo"}},
		{"preserve keeps unknowns, prunes declared", `{"spec":{"endpoints":[{"tlsConfig":{"ca":"x","insecureSkipVerify":true}}]}}`,
			`{"spec":{"endpoints":[{"tlsConfig":{"ca":"x","insecureSkipVerify":true}}]}}`, nil},
		{"embedded metadata pruned to ObjectMeta", `{"spec":{"endpoints":[],"podTemplate":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","colour":"red"},"spec":{"x":1}}}}`,
			`{"spec":{"endpoints":[],"podTemplate":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"x":1}}}}`, []string{"spec.podTemplate.metadata.colour"}},
		{"embedded without preserve", `{"spec":{"endpoints":[],"extraConfig":{"apiVersion":"v1","kind":"ConfigMap","data":{"a":"b"},"binaryData":{}}}}`,
			`{"spec":{"endpoints":[],"extraConfig":{"apiVersion":"v1","kind":"ConfigMap","data":{"a":"b"}}}}`, []string{"spec.extraConfig.binaryData"}},
		{"int-or-string leaf", `{"spec":{"endpoints":[{"targetPort":8080}]}}`, `{"spec":{"endpoints":[{"targetPort":8080}]}}`, nil},
		{"additionalProperties values", `{"spec":{"endpoints":[{"params":{"q":["a"]}}]}}`, `{"spec":{"endpoints":[{"params":{"q":["a"]}}]}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := object(t, tt.obj)
			removed := Prune(smon, obj)
			if diff := cmp.Diff(object(t, tt.want), obj); diff != "" {
				t.Errorf("Prune(%s) object mismatch (-want +got):\n%s", tt.obj, diff)
			}
			if diff := cmp.Diff(tt.removed, removed); diff != "" {
				t.Errorf("Prune(%s) removed mismatch (-want +got):\n%s", tt.obj, diff)
			}
		})
	}
}

func TestWalkHelpers(t *testing.T) {
	cert := root(loadCRD(t, "certificate.json"))
	conds := Child(Child(cert, "status"), "conditions")
	if lt, keys := ListType(conds); lt != "map" || !cmp.Equal(keys, []string{"type"}) {
		t.Errorf("ListType(status.conditions) = %q, %q, want map, [type]", lt, keys)
	}
	if lt, _ := ListType(Child(Child(cert, "spec"), "dnsNames")); lt != "atomic" {
		t.Errorf("ListType(spec.dnsNames) = %q, want atomic", lt)
	}
	if got := Items(conds); got == nil || got.Type != "object" {
		t.Errorf("Items(status.conditions) = %v, want the object schema", got)
	}
	labels := Child(Child(Child(cert, "spec"), "secretTemplate"), "labels")
	if got := Child(labels, "anything"); got == nil || got.Type != "string" {
		t.Errorf("Child(labels, anything) = %v, want the additionalProperties schema", got)
	}
	if got := Child(cert, "nope"); got != nil {
		t.Errorf("Child(root, nope) = %v, want nil", got)
	}
}
