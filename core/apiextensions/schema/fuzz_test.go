package schema

import (
	"encoding/json"
	"testing"

	"github.com/tinykube/tinykube/core/api"
)

// FuzzValidate feeds arbitrary schemas and objects through every entry
// point: none may panic, whatever the bytes.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(`{"type":"object","properties":{"spec":{"type":"object","properties":{"n":{"type":"integer","maximum":3,"default":1}}}}}`), []byte(`{"spec":{"n":5,"x":1}}`))
	f.Add([]byte(`{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"}}}}}}`), []byte(`{"l":[{"k":"a"},{"k":"a"},null,3]}`))
	f.Add([]byte(`{"type":"object","x-kubernetes-preserve-unknown-fields":true,"anyOf":[{"required":["a"]}],"not":{"properties":{"a":{"pattern":"("}}}}`), []byte(`{"a":null}`))
	f.Add([]byte(`{"type":"object","properties":{"e":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"x":{"x-kubernetes-int-or-string":true}}}}}`), []byte(`{"e":{"metadata":7,"x":1.5}}`))
	f.Fuzz(func(t *testing.T, schemaBytes, objBytes []byte) {
		s := &api.JSONSchemaProps{}
		if json.Unmarshal(schemaBytes, s) != nil {
			return
		}
		v, err := api.DecodeJSONValue(objBytes)
		if err != nil {
			return
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		_ = structuralErrors(s, "s")
		_ = defaultErrors(s, "s")
		_ = openAPIChecker{}.check(s, "s", true)
		_ = Validate(s, obj)
		Default(s, obj)
		_ = Prune(s, obj)
		_ = Validate(s, obj)
		crd := &api.CustomResourceDefinition{Spec: api.CustomResourceDefinitionSpec{
			Versions: []api.CustomResourceDefinitionVersion{{Name: "v1", Storage: true, Schema: &api.CustomResourceValidation{OpenAPIV3Schema: s},
				SelectableFields: []api.SelectableField{{JSONPath: ".spec.a"}}}},
		}}
		_ = ValidateDefinition(crd, crd)
	})
}
