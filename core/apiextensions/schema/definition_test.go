package schema

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
)

// loadCRD reads a definition from testdata and defaults it as the API
// server does before validating it.
func loadCRD(t *testing.T, name string) *api.CustomResourceDefinition {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	crd := &api.CustomResourceDefinition{}
	if err := json.Unmarshal(b, crd); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	api.Default(crd)
	return crd
}

// mustSchema decodes a JSON schema.
func mustSchema(t testing.TB, s string) *api.JSONSchemaProps {
	t.Helper()
	p := &api.JSONSchemaProps{}
	if err := json.Unmarshal([]byte(s), p); err != nil {
		t.Fatalf("decoding schema %s: %v", s, err)
	}
	return p
}

func TestValidateDefinitionWellKnown(t *testing.T) {
	for _, name := range []string{"crontab.json", "certificate.json", "servicemonitor.json"} {
		crd := loadCRD(t, name)
		if errs := ValidateDefinition(crd, nil); len(errs) != 0 {
			t.Errorf("ValidateDefinition(%s) = %v, want no errors", name, errs)
		}
	}
}

// root returns the schema of a definition's first version.
func root(c *api.CustomResourceDefinition) *api.JSONSchemaProps {
	return c.Spec.Versions[0].Schema.OpenAPIV3Schema
}

// prop returns a pointer-editable copy dance for a nested property: it
// applies f to the property at path (names) and stores it back.
func editProp(s *api.JSONSchemaProps, f func(*api.JSONSchemaProps), names ...string) {
	if len(names) == 0 {
		f(s)
		return
	}
	p := s.Properties[names[0]]
	editProp(&p, f, names[1:]...)
	s.Properties[names[0]] = p
}

func TestValidateDefinitionMutations(t *testing.T) {
	const sch = "spec.versions[0].schema.openAPIV3Schema"
	tests := []struct {
		name   string
		file   string
		mutate func(c *api.CustomResourceDefinition)
		want   string // one error, as printed
	}{
		{"wrong name", "crontab.json", func(c *api.CustomResourceDefinition) { c.Name = "crontab.stable.example.com" },
			`metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group`},
		{"group without dot", "crontab.json", func(c *api.CustomResourceDefinition) { c.Spec.Group = "example"; c.Name = "crontabs.example" },
			`spec.group: Invalid value: "example": should be a domain with at least one dot`},
		{"bad scope", "crontab.json", func(c *api.CustomResourceDefinition) { c.Spec.Scope = "Global" },
			`spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"`},
		{"kind equals listKind", "crontab.json", func(c *api.CustomResourceDefinition) { c.Spec.Names.ListKind = "CronTab" },
			`spec.names.listKind: Invalid value: "CronTab": kind and listKind may not be the same`},
		{"bad short name", "crontab.json", func(c *api.CustomResourceDefinition) { c.Spec.Names.ShortNames = []string{"Ct"} },
			`spec.names.shortNames[0]: Invalid value: "Ct": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`},
		{"two storage versions", "crontab.json", func(c *api.CustomResourceDefinition) { c.Spec.Versions[1].Storage = true },
			`spec.versions: Invalid value: []string{"v1", "v1beta1"}: must have exactly one version marked as storage version`},
		{"duplicate version", "crontab.json", func(c *api.CustomResourceDefinition) { c.Spec.Versions[1].Name = "v1" },
			`spec.versions: Invalid value: []string{"v1", "v1"}: must contain unique version names`},
		{"no schema", "crontab.json", func(c *api.CustomResourceDefinition) { c.Spec.Versions[1].Schema = nil },
			`spec.versions[1].schema.openAPIV3Schema: Required value`},
		{"webhook conversion", "crontab.json", func(c *api.CustomResourceDefinition) { c.Spec.Conversion.Strategy = "Webhook" },
			`spec.conversion.strategy: Invalid value: "Webhook": conversion webhooks are not supported by tinykube: use strategy None, which serves every version with the same fields`},
		{"preserveUnknownFields", "crontab.json", func(c *api.CustomResourceDefinition) { c.Spec.PreserveUnknownFields = true },
			`spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead`},
		{"type removed", "crontab.json", func(c *api.CustomResourceDefinition) {
			editProp(root(c), func(s *api.JSONSchemaProps) { s.Type = "" }, "spec", "image")
		}, sch + `.properties[spec].properties[image].type: Required value: must not be empty for specified object fields`},
		{"items without type", "certificate.json", func(c *api.CustomResourceDefinition) {
			editProp(root(c), func(s *api.JSONSchemaProps) { s.Items.Schema.Type = "" }, "spec", "dnsNames")
		}, sch + `.properties[spec].properties[dnsNames].items.type: Required value: must not be empty for specified array items`},
		{"additionalProperties with properties", "certificate.json", func(c *api.CustomResourceDefinition) {
			editProp(root(c), func(s *api.JSONSchemaProps) {
				s.AdditionalProperties = &api.JSONSchemaPropsOrBool{Allows: true, Schema: &api.JSONSchemaProps{Type: "string"}}
			}, "spec", "issuerRef")
		}, sch + `.properties[spec].properties[issuerRef].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`},
		{"type in anyOf", "certificate.json", func(c *api.CustomResourceDefinition) {
			editProp(root(c), func(s *api.JSONSchemaProps) {
				s.AnyOf = []api.JSONSchemaProps{{Type: "string", MinLength: ptr(int64(1))}}
			}, "spec", "secretName")
		}, sch + `.properties[spec].properties[secretName].anyOf[0].type: Forbidden: must be empty to be structural`},
		{"$ref", "crontab.json", func(c *api.CustomResourceDefinition) {
			editProp(root(c), func(s *api.JSONSchemaProps) { r := "#/definitions/x"; s.Ref = &r }, "spec", "image")
		}, sch + `.properties[spec].properties[image].$ref: Forbidden: $ref is not supported`},
		{"list map key not required", "certificate.json", func(c *api.CustomResourceDefinition) {
			editProp(root(c), func(s *api.JSONSchemaProps) { s.Items.Schema.Required = []string{"status"} }, "status", "conditions")
		}, sch + `.properties[status].properties[conditions].items.properties[type].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`},
		{"bad list type", "certificate.json", func(c *api.CustomResourceDefinition) {
			editProp(root(c), func(s *api.JSONSchemaProps) { lt := "bag"; s.XListType = &lt }, "spec", "dnsNames")
		}, sch + `.properties[spec].properties[dnsNames].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`},
		{"default out of range", "crontab.json", func(c *api.CustomResourceDefinition) {
			editProp(root(c), func(s *api.JSONSchemaProps) { s.Default = json.RawMessage("20") }, "spec", "replicas")
		}, sch + `.properties[spec].properties[replicas].default: Invalid value: 20:  in body should be less than or equal to 10`},
		{"default with unknown field", "certificate.json", func(c *api.CustomResourceDefinition) {
			editProp(root(c), func(s *api.JSONSchemaProps) { s.Default = json.RawMessage(`{"name":"ca","extra":1}`) }, "spec", "issuerRef")
		}, sch + `.properties[spec].properties[issuerRef].default: Invalid value: map[string]interface {}{"extra":1, "name":"ca"}: must not have unknown fields`},
		{"default in metadata", "certificate.json", func(c *api.CustomResourceDefinition) {
			editProp(root(c), func(s *api.JSONSchemaProps) { s.Default = json.RawMessage(`{}`) }, "metadata")
		}, sch + `.properties[metadata].default: Forbidden: must not be set in top-level metadata`},
		{"metadata restricted beyond name", "certificate.json", func(c *api.CustomResourceDefinition) {
			editProp(root(c), func(s *api.JSONSchemaProps) {
				s.Properties = map[string]api.JSONSchemaProps{"labels": {Type: "object"}}
			}, "metadata")
		}, sch + `.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`},
		{"embedded without properties", "servicemonitor.json", func(c *api.CustomResourceDefinition) {
			editProp(root(c), func(s *api.JSONSchemaProps) { s.XPreserveUnknownFields = nil }, "spec", "podTemplate")
		}, sch + `.properties[spec].properties[podTemplate].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`},
		{"int-or-string with preserve", "servicemonitor.json", func(c *api.CustomResourceDefinition) {
			editProp(root(c), func(s *api.JSONSchemaProps) {
				s.Items.Schema.Properties["targetPort"] = api.JSONSchemaProps{XIntOrString: true, XPreserveUnknownFields: ptr(true)}
			}, "spec", "endpoints")
		}, sch + `.properties[spec].properties[endpoints].items.properties[targetPort].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`},
		{"scale path outside spec", "crontab.json", func(c *api.CustomResourceDefinition) {
			c.Spec.Versions[0].Subresources.Scale.SpecReplicasPath = ".status.replicas"
		},
			`spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec`},
		{"column type", "crontab.json", func(c *api.CustomResourceDefinition) { c.Spec.Versions[0].AdditionalPrinterColumns[0].Type = "text" },
			`spec.versions[0].additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string`},
		{"column path", "crontab.json", func(c *api.CustomResourceDefinition) {
			c.Spec.Versions[0].AdditionalPrinterColumns[0].JSONPath = "spec.cronSpec"
		},
			`spec.versions[0].additionalPrinterColumns[0].JSONPath: Invalid value: "spec.cronSpec": must be a simple json path starting with .`},
		{"selectable field unknown", "crontab.json", func(c *api.CustomResourceDefinition) { c.Spec.Versions[0].SelectableFields[0].JSONPath = ".spec.color" },
			`spec.versions[0].selectableFields[0].jsonPath: Invalid value: ".spec.color": is an invalid path: does not refer to a valid field`},
		{"selectable field object", "crontab.json", func(c *api.CustomResourceDefinition) { c.Spec.Versions[0].SelectableFields[0].JSONPath = ".spec" },
			`spec.versions[0].selectableFields[0].jsonPath: Invalid value: ".spec": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.`},
		{"status subresource root", "crontab.json", func(c *api.CustomResourceDefinition) { root(c).Type = "array" },
			sch + `.type: Invalid value: "array": only "object" is allowed as the type at the root of the schema if the status subresource is enabled`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := loadCRD(t, tt.file)
			tt.mutate(c)
			errs := ValidateDefinition(c, nil)
			for _, e := range errs {
				if e.Error() == tt.want {
					return
				}
			}
			t.Errorf("ValidateDefinition(%s mutated) = %v,\nwant among them %s", tt.file, errs, tt.want)
		})
	}
}

func TestValidateDefinitionUpdate(t *testing.T) {
	old := loadCRD(t, "crontab.json")
	old.Status.StoredVersions = []string{"v1beta1", "v1"}
	old.Status.Conditions = []api.CustomResourceDefinitionCondition{{Type: api.CRDEstablished, Status: api.ConditionTrue}}
	tests := []struct {
		name   string
		mutate func(c *api.CustomResourceDefinition)
		want   []string
	}{
		{"unchanged", func(*api.CustomResourceDefinition) {}, nil},
		{"short names change", func(c *api.CustomResourceDefinition) { c.Spec.Names.ShortNames = []string{"cts"} }, nil},
		{"stored version removed", func(c *api.CustomResourceDefinition) { c.Spec.Versions = c.Spec.Versions[:1] }, []string{
			`status.storedVersions[0]: Invalid value: "v1beta1": missing from spec.versions; v1beta1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1beta1 and removes v1beta1 from status.storedVersions`,
		}},
		{"scope changed", func(c *api.CustomResourceDefinition) { c.Spec.Scope = api.ClusterScoped }, []string{
			`spec.scope: Invalid value: "Cluster": field is immutable`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := loadCRD(t, "crontab.json")
			tt.mutate(c)
			var got []string
			for _, e := range ValidateDefinition(c, old) {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("ValidateDefinition(update %s) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
