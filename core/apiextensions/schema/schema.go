package schema

import "github.com/tinykube/tinykube/core/api"

// The entry points the API server calls. Each walks the schema and the
// object together: validate.go, default.go and prune.go hold the walks,
// definition.go, structural.go, openapi.go and defaults.go the checks of
// the definition itself.

// ValidateDefinition checks a CustomResourceDefinition as the API server
// does on create and update (after defaulting): its names, scope,
// versions (at least one; exactly one storage version), that every schema
// is structural, that defaults validate against their schemas, printer
// columns, scale paths, selectable fields, and conversion (None only).
// old is the stored definition on update, nil on create. Errors carry full
// paths ("spec.versions[0].schema.openAPIV3Schema.properties[spec].type").
// CEL rules are compiled by package cel, not here.
func ValidateDefinition(crd, old *api.CustomResourceDefinition) api.FieldErrors {
	return validateDefinition(crd, old)
}

// Validate checks obj (a whole custom object as decoded JSON, apiVersion,
// kind and metadata included) against s, the version's openAPIV3Schema.
// It returns every failure with its path ("spec.replicas"), worded as
// Kubernetes words it.
func Validate(s *api.JSONSchemaProps, obj map[string]any) api.FieldErrors {
	v := &validator{}
	v.validateValue(s, obj, "", true)
	return v.errs
}

// Default fills in the defaults s declares, in place, where obj leaves
// them out (recursively, through objects, arrays and additionalProperties).
func Default(s *api.JSONSchemaProps, obj map[string]any) {
	defaultValue(s, obj, true)
}

// Prune removes, in place, every field of obj that s does not declare
// (x-kubernetes-preserve-unknown-fields keeps them; apiVersion, kind and
// metadata are kept at the root and in embedded resources) and returns the
// paths it removed, sorted ("spec.foo", "spec.items[0].bar").
func Prune(s *api.JSONSchemaProps, obj map[string]any) []string {
	p := &pruner{}
	p.prune(s, obj, "", true)
	return sortPaths(p.removed)
}
