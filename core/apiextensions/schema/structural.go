package schema

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"

	"github.com/tinykube/tinykube/core/api"
)

// A structural schema says, for every field it allows, what type the field
// has: at every level a non-empty type (except where
// x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields says
// the value may be anything), with properties and items only where the
// type has them. The logical junctors allOf, anyOf, oneOf and not may
// only add value validations to fields the schema declares elsewhere: they
// may not declare types, defaults, descriptions or extensions of their
// own. Only then can the API server prune, default and merge an object
// without evaluating the junctors.

// level is where a schema sits: the root, an array's items, or an
// object's field (the words of the "must not be empty" errors).
type level int

const (
	rootLevel level = iota
	itemLevel
	fieldLevel
)

// structuralErrors checks that the root schema s, at path p, is
// structural. It sorts its errors by their text, as Kubernetes does.
func structuralErrors(s *api.JSONSchemaProps, p fieldPath) api.FieldErrors {
	errs := structuralInvariants(s, rootLevel, p)
	errs = append(errs, completeness(s, s, p, p)...)
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errs
}

// structuralInvariants checks the rules that hold at each node of the
// structural part of a schema (not inside the junctors).
func structuralInvariants(s *api.JSONSchemaProps, lvl level, p fieldPath) api.FieldErrors {
	if s == nil {
		return nil
	}
	var errs api.FieldErrors
	if s.Type == "array" && Items(s) == nil {
		errs = append(errs, api.FieldRequired(p.child("items").String(), "must be specified"))
	}
	if items := Items(s); items != nil {
		errs = append(errs, structuralInvariants(items, itemLevel, p.child("items"))...)
	}
	for _, k := range sortedKeys(s.Properties) {
		prop := s.Properties[k]
		errs = append(errs, structuralInvariants(&prop, fieldLevel, p.child("properties").key(k))...)
	}
	if s.AdditionalProperties != nil {
		if lvl == rootLevel {
			errs = append(errs, api.FieldForbidden(p.child("additionalProperties").String(), "must not be used at the root"))
		}
		if s.AdditionalProperties.Schema != nil {
			errs = append(errs, structuralInvariants(s.AdditionalProperties.Schema, fieldLevel, p.child("additionalProperties"))...)
		}
	}
	if s.XIntOrString && preserves(s) {
		errs = append(errs, api.FieldInvalid(p.child("x-kubernetes-preserve-unknown-fields").String(), true, "must be false if x-kubernetes-int-or-string is true"))
	}
	if s.XIntOrString && s.XEmbeddedResource {
		errs = append(errs, api.FieldInvalid(p.child("x-kubernetes-embedded-resource").String(), true, "must be false if x-kubernetes-int-or-string is true"))
	}
	errs = append(errs, junctorErrors(s, isIntOrStringAnyOf(s.AnyOf), isIntOrStringAllOf(s), p)...)

	checkMetadata := lvl == rootLevel || s.XEmbeddedResource
	switch {
	case s.XEmbeddedResource && s.Type == "":
		errs = append(errs, api.FieldRequired(p.child("type").String(), "must be object if x-kubernetes-embedded-resource is true"))
	case s.XEmbeddedResource && s.Type != "object":
		errs = append(errs, api.FieldInvalid(p.child("type").String(), s.Type, "must be object if x-kubernetes-embedded-resource is true"))
	case !s.XEmbeddedResource && s.Type == "" && !s.XIntOrString && !preserves(s):
		where := map[level]string{rootLevel: "at the root", itemLevel: "for specified array items", fieldLevel: "for specified object fields"}[lvl]
		errs = append(errs, api.FieldRequired(p.child("type").String(), "must not be empty "+where))
	}
	if s.XEmbeddedResource && s.AdditionalProperties != nil {
		errs = append(errs, api.FieldForbidden(p.child("additionalProperties").String(), "must not be used if x-kubernetes-embedded-resource is set"))
	}
	if lvl == rootLevel && s.Type != "" && s.Type != "object" {
		errs = append(errs, api.FieldInvalid(p.child("type").String(), s.Type, "must be object at the root"))
	}
	if checkMetadata {
		for _, k := range []string{"kind", "apiVersion"} {
			if prop, ok := s.Properties[k]; ok && prop.Type != "string" {
				errs = append(errs, api.FieldInvalid(p.child("properties").key(k).child("type").String(), prop.Type, "must be string"))
			}
		}
	}
	if md, ok := s.Properties["metadata"]; ok {
		errs = append(errs, metadataInvariants(&md, checkMetadata, lvl, p.child("properties").key("metadata"))...)
	}
	if s.XEmbeddedResource && !preserves(s) && len(s.Properties) == 0 {
		errs = append(errs, api.FieldRequired(p.child("properties").String(), "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"))
	}
	return errs
}

// metadataInvariants checks the schema of a resource's metadata: an
// object, and at the root nothing but restrictions of name and
// generateName (metadata is implicitly ObjectMeta).
func metadataInvariants(s *api.JSONSchemaProps, checkMetadata bool, lvl level, p fieldPath) api.FieldErrors {
	var errs api.FieldErrors
	if checkMetadata && s.Type != "object" {
		errs = append(errs, api.FieldInvalid(p.child("type").String(), s.Type, "must be object"))
	}
	if lvl == rootLevel {
		rest := *s
		_, name := rest.Properties["name"]
		_, gen := rest.Properties["generateName"]
		if (name && gen && len(rest.Properties) == 2) || ((name || gen) && len(rest.Properties) == 1) {
			rest.Properties = nil
		}
		rest.Type = ""
		rest.Default = nil
		if !reflect.DeepEqual(rest, api.JSONSchemaProps{}) {
			errs = append(errs, api.FieldForbidden(p.String(), "must not specify anything other than name and generateName, but metadata is implicitly specified"))
		}
	}
	return errs
}

// isIntOrStringAnyOf reports whether anyOf is the form
// x-kubernetes-int-or-string may carry: [{type: integer}, {type: string}].
func isIntOrStringAnyOf(anyOf []api.JSONSchemaProps) bool {
	return len(anyOf) == 2 &&
		reflect.DeepEqual(anyOf[0], api.JSONSchemaProps{Type: "integer"}) &&
		reflect.DeepEqual(anyOf[1], api.JSONSchemaProps{Type: "string"})
}

// isIntOrStringAllOf reports whether the first allOf carries that form.
func isIntOrStringAllOf(s *api.JSONSchemaProps) bool {
	return len(s.AllOf) >= 1 && isIntOrStringAnyOf(s.AllOf[0].AnyOf)
}

// junctorErrors checks the allOf, anyOf, oneOf and not of s (and a
// pattern's syntax). skipAnyOf skips an anyOf that is the int-or-string
// form; skipFirstAllOfAnyOf the same form in the first allOf.
func junctorErrors(s *api.JSONSchemaProps, skipAnyOf, skipFirstAllOfAnyOf bool, p fieldPath) api.FieldErrors {
	var errs api.FieldErrors
	if !skipAnyOf {
		for i := range s.AnyOf {
			errs = append(errs, nestedErrors(&s.AnyOf[i], false, p.child("anyOf").index(i))...)
		}
	}
	for i := range s.AllOf {
		errs = append(errs, nestedErrors(&s.AllOf[i], skipFirstAllOfAnyOf && i == 0, p.child("allOf").index(i))...)
	}
	for i := range s.OneOf {
		errs = append(errs, nestedErrors(&s.OneOf[i], false, p.child("oneOf").index(i))...)
	}
	if s.Not != nil {
		errs = append(errs, nestedErrors(s.Not, false, p.child("not"))...)
	}
	if s.Pattern != "" {
		if _, err := regexp.Compile(s.Pattern); err != nil {
			errs = append(errs, api.FieldInvalid(p.child("pattern").String(), s.Pattern, fmt.Sprintf("must be a valid regular expression, but isn't: %v", err)))
		}
	}
	return errs
}

// nestedErrors checks a schema inside a junctor: value validations only.
func nestedErrors(s *api.JSONSchemaProps, skipAnyOf bool, p fieldPath) api.FieldErrors {
	errs := junctorErrors(s, skipAnyOf, false, p)
	if items := Items(s); items != nil {
		errs = append(errs, nestedErrors(items, false, p.child("items"))...)
	}
	for _, k := range sortedKeys(s.Properties) {
		prop := s.Properties[k]
		errs = append(errs, nestedErrors(&prop, false, p.child("properties").key(k))...)
	}
	forbid := func(field, detail string) {
		errs = append(errs, api.FieldForbidden(p.child(field).String(), detail))
	}
	if s.Type != "" {
		forbid("type", "must be empty to be structural")
	}
	if s.AdditionalProperties != nil {
		forbid("additionalProperties", "must be undefined to be structural")
	}
	if len(s.Default) > 0 {
		forbid("default", "must be undefined to be structural")
	}
	if s.Title != "" {
		forbid("title", "must be empty to be structural")
	}
	if s.Description != "" {
		forbid("description", "must be empty to be structural")
	}
	if s.Nullable {
		forbid("nullable", "must be false to be structural")
	}
	if preserves(s) {
		forbid("x-kubernetes-preserve-unknown-fields", "must be false to be structural")
	}
	if s.XEmbeddedResource {
		forbid("x-kubernetes-embedded-resource", "must be false to be structural")
	}
	if s.XIntOrString {
		forbid("x-kubernetes-int-or-string", "must be false to be structural")
	}
	if len(s.XListMapKeys) > 0 {
		forbid("x-kubernetes-list-map-keys", "must be empty to be structural")
	}
	if s.XListType != nil {
		forbid("x-kubernetes-list-type", "must be undefined to be structural")
	}
	if s.XMapType != nil {
		forbid("x-kubernetes-map-type", "must be undefined to be structural")
	}
	if len(s.XValidations) > 0 {
		forbid("x-kubernetes-validations", "must be empty to be structural")
	}
	if _, ok := s.Properties["metadata"]; ok {
		errs = append(errs, api.FieldForbidden(p.child("properties").key("metadata").String(), "must not be specified in a nested context"))
	}
	return errs
}

// completeness checks that every field a junctor of v mentions is
// declared in s, the structural schema at the same place: a junctor may
// restrict a field, not introduce one. sPath and vPath are where s and v
// are. Like Kubernetes, it starts from the junctors of the root only.
func completeness(v, s *api.JSONSchemaProps, sPath, vPath fieldPath) api.FieldErrors {
	if v == nil {
		return nil
	}
	var errs api.FieldErrors
	if v.Not != nil {
		errs = append(errs, nestedCompleteness(v.Not, s, sPath, vPath.child("not"))...)
	}
	for i := range v.AllOf {
		errs = append(errs, nestedCompleteness(&v.AllOf[i], s, sPath, vPath.child("allOf").index(i))...)
	}
	for i := range v.AnyOf {
		errs = append(errs, nestedCompleteness(&v.AnyOf[i], s, sPath, vPath.child("anyOf").index(i))...)
	}
	for i := range v.OneOf {
		errs = append(errs, nestedCompleteness(&v.OneOf[i], s, sPath, vPath.child("oneOf").index(i))...)
	}
	return errs
}

// nestedCompleteness checks one junctor schema v against s.
func nestedCompleteness(v, s *api.JSONSchemaProps, sPath, vPath fieldPath) api.FieldErrors {
	if s == nil {
		return api.FieldErrors{api.FieldRequired(sPath.String(), fmt.Sprintf("because it is defined in %s", vPath))}
	}
	errs := completeness(v, s, sPath, vPath)
	if items := Items(v); items != nil {
		errs = append(errs, nestedCompleteness(items, Items(s), sPath.child("items"), vPath.child("items"))...)
	}
	for _, k := range sortedKeys(v.Properties) {
		vp := v.Properties[k]
		sp, ok := s.Properties[k]
		if !ok {
			errs = append(errs, api.FieldRequired(sPath.child("properties").key(k).String(), fmt.Sprintf("because it is defined in %s", vPath.child("properties").key(k))))
			continue
		}
		errs = append(errs, nestedCompleteness(&vp, &sp, sPath.child("properties").key(k), vPath.child("properties").key(k))...)
	}
	return errs
}
