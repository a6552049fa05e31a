package schema

import "github.com/tinykube/tinykube/core/api"

// One way to walk a structural schema, for every package that follows an
// object down its schema (server-side apply, strategic merge on custom
// resources, printer columns, CEL).

// Child returns the schema of field name of an object of schema s: the
// declared property, else the additionalProperties schema. It returns nil
// when the field is unknown to s (not declared, or allowed only by
// x-kubernetes-preserve-unknown-fields or additionalProperties: true).
func Child(s *api.JSONSchemaProps, name string) *api.JSONSchemaProps {
	if s == nil {
		return nil
	}
	if p, ok := s.Properties[name]; ok {
		return &p
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		return s.AdditionalProperties.Schema
	}
	return nil
}

// Items returns the schema of the items of an array of schema s, or nil
// when s declares none.
func Items(s *api.JSONSchemaProps) *api.JSONSchemaProps {
	if s == nil || s.Items == nil {
		return nil
	}
	return s.Items.Schema
}

// ListType returns how an array of schema s merges: "atomic" (the default
// for arrays), "set", or "map" with its key fields. It returns "" for a
// schema that is not an array.
func ListType(s *api.JSONSchemaProps) (listType string, keys []string) {
	if s == nil || s.Type != "array" {
		return "", nil
	}
	if s.XListType == nil || *s.XListType == "" {
		return "atomic", nil
	}
	if *s.XListType == "map" {
		return "map", s.XListMapKeys
	}
	return *s.XListType, nil
}

// MapType returns how an object of schema s merges: "granular" (the
// default) or "atomic".
func MapType(s *api.JSONSchemaProps) string {
	if s != nil && s.XMapType != nil && *s.XMapType == "atomic" {
		return "atomic"
	}
	return "granular"
}

// preserves reports whether s keeps fields it does not declare.
func preserves(s *api.JSONSchemaProps) bool {
	return s != nil && s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields
}
