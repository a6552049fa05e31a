package schema

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// openAPIChecker holds what the checks of one schema node depend on from
// above it: whether defaults are allowed here (not in a resource's
// apiVersion, kind or metadata), and whether the node describes resource
// metadata.
type openAPIChecker struct {
	forbidDefaults     string // why defaults are forbidden; "" allows them
	insideResourceMeta bool
}

// check returns the errors of the schema node s at p and below: the
// OpenAPI features Kubernetes does not support, the mutual exclusions,
// and the x-kubernetes-* extensions.
func (c openAPIChecker) check(s *api.JSONSchemaProps, p fieldPath, isRoot bool) api.FieldErrors {
	if s == nil {
		return nil
	}
	errs := c.node(s, p)
	forbid := func(field, detail string) {
		errs = append(errs, api.FieldForbidden(p.child(field).String(), detail))
	}
	if s.UniqueItems {
		forbid("uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic")
	}
	if ap := s.AdditionalProperties; ap != nil {
		if len(s.Properties) != 0 && (!ap.Allows || ap.Schema != nil) {
			forbid("additionalProperties", "additionalProperties and properties are mutual exclusive")
		}
		if ap.Schema != nil {
			sub := c
			if c.insideResourceMeta {
				sub.forbidDefaults = "inside additionalProperties applying to object metadata"
			}
			errs = append(errs, sub.check(ap.Schema, p.child("additionalProperties"), false)...)
		}
	}
	for _, k := range sortedKeys(s.Properties) {
		prop := s.Properties[k]
		sub := c
		if (isRoot || s.XEmbeddedResource) && isMetaField(k) {
			sub.insideResourceMeta = true
			if isRoot {
				sub.forbidDefaults = "in top-level " + k
			}
		}
		errs = append(errs, sub.check(&prop, p.child("properties").key(k), false)...)
	}
	errs = append(errs, c.check(s.Not, p.child("not"), false)...)
	for i := range s.AllOf {
		errs = append(errs, c.check(&s.AllOf[i], p.child("allOf").index(i), false)...)
	}
	for i := range s.OneOf {
		errs = append(errs, c.check(&s.OneOf[i], p.child("oneOf").index(i), false)...)
	}
	for i := range s.AnyOf {
		errs = append(errs, c.check(&s.AnyOf[i], p.child("anyOf").index(i), false)...)
	}
	if s.Items != nil {
		errs = append(errs, c.check(s.Items.Schema, p.child("items"), false)...)
		for i := range s.Items.JSONSchemas {
			errs = append(errs, c.check(&s.Items.JSONSchemas[i], p.child("items").index(i), false)...)
		}
	}
	if s.XPreserveUnknownFields != nil && !*s.XPreserveUnknownFields {
		errs = append(errs, api.FieldInvalid(p.child("x-kubernetes-preserve-unknown-fields").String(), false, "must be true or undefined"))
	}
	errs = append(errs, extensionErrors(s, p)...)
	errs = append(errs, ruleErrors(s, p)...)
	return errs
}

// node checks what Kubernetes' OpenAPI v3 validator checks of one node.
func (c openAPIChecker) node(s *api.JSONSchemaProps, p fieldPath) api.FieldErrors {
	var errs api.FieldErrors
	forbid := func(field, detail string) {
		errs = append(errs, api.FieldForbidden(p.child(field).String(), detail))
	}
	if s.Type != "" && !oneOf(s.Type, "array", "boolean", "integer", "number", "object", "string") {
		if s.Type == "null" {
			forbid("type", "type cannot be set to null, use nullable as an alternative")
		} else {
			errs = append(errs, api.FieldNotSupported(p.child("type").String(), s.Type, []string{"array", "boolean", "integer", "number", "object", "string"}))
		}
	}
	if len(s.Default) > 0 && c.forbidDefaults != "" {
		forbid("default", "must not be set "+c.forbidDefaults)
	}
	if s.ID != "" {
		forbid("id", "id is not supported")
	}
	if s.Schema != "" {
		forbid("$schema", "$schema is not supported")
	}
	if s.AdditionalItems != nil {
		forbid("additionalItems", "additionalItems is not supported")
	}
	if len(s.PatternProperties) != 0 {
		forbid("patternProperties", "patternProperties is not supported")
	}
	if len(s.Definitions) != 0 {
		forbid("definitions", "definitions is not supported")
	}
	if s.Dependencies != nil {
		forbid("dependencies", "dependencies is not supported")
	}
	if s.Ref != nil {
		forbid("$ref", "$ref is not supported")
	}
	if s.Items != nil && len(s.Items.JSONSchemas) != 0 {
		forbid("items", "items must be a schema object and not an array")
	}
	if c.insideResourceMeta && s.XEmbeddedResource {
		forbid("x-kubernetes-embedded-resource", "must not be used inside of resource meta")
	}
	return errs
}

// extensionErrors checks x-kubernetes-map-type, x-kubernetes-list-type
// and x-kubernetes-list-map-keys.
func extensionErrors(s *api.JSONSchemaProps, p fieldPath) api.FieldErrors {
	var errs api.FieldErrors
	if s.XMapType != nil {
		switch {
		case s.Type == "":
			errs = append(errs, api.FieldRequired(p.child("type").String(), "must be object if x-kubernetes-map-type is specified"))
		case s.Type != "object":
			errs = append(errs, api.FieldInvalid(p.child("type").String(), s.Type, "must be object if x-kubernetes-map-type is specified"))
		}
		if *s.XMapType != "atomic" && *s.XMapType != "granular" {
			errs = append(errs, api.FieldNotSupported(p.child("x-kubernetes-map-type").String(), *s.XMapType, []string{"atomic", "granular"}))
		}
	}
	items := Items(s)
	if s.XListType != nil {
		lt := *s.XListType
		switch {
		case s.Type == "":
			errs = append(errs, api.FieldRequired(p.child("type").String(), "must be array if x-kubernetes-list-type is specified"))
		case s.Type != "array":
			errs = append(errs, api.FieldInvalid(p.child("type").String(), s.Type, "must be array if x-kubernetes-list-type is specified"))
		case lt == "set" && items != nil:
			// A set compares whole items: they must be atomic.
			if items.Type == "array" && items.XListType != nil && *items.XListType != "atomic" {
				errs = append(errs, api.FieldInvalid(p.child("items").child("x-kubernetes-list-type").String(), *items.XListType, "must be atomic as item of a list with x-kubernetes-list-type=set"))
			}
			if items.Type == "object" && (items.XMapType == nil || *items.XMapType != "atomic") {
				errs = append(errs, api.FieldInvalid(p.child("items").child("x-kubernetes-map-type").String(), items.XMapType, "must be atomic as item of a list with x-kubernetes-list-type=set"))
			}
		}
		if !oneOf(lt, "atomic", "set", "map") {
			errs = append(errs, api.FieldNotSupported(p.child("x-kubernetes-list-type").String(), lt, []string{"atomic", "set", "map"}))
		}
	}
	if len(s.XListMapKeys) > 0 {
		if s.XListType == nil {
			errs = append(errs, api.FieldRequired(p.child("x-kubernetes-list-type").String(), "must be map if x-kubernetes-list-map-keys is non-empty"))
		} else if *s.XListType != "map" {
			errs = append(errs, api.FieldInvalid(p.child("x-kubernetes-list-type").String(), *s.XListType, "must be map if x-kubernetes-list-map-keys is non-empty"))
		}
	}
	if s.XListType != nil && *s.XListType == "map" {
		errs = append(errs, listMapErrors(s, p)...)
	}
	if s.XListType != nil && (*s.XListType == "set" || *s.XListType == "map") && items != nil && items.Nullable {
		errs = append(errs, api.FieldForbidden(p.child("items").child("nullable").String(), "cannot be nullable when x-kubernetes-list-type is "+*s.XListType))
	}
	return errs
}

// listMapErrors checks an x-kubernetes-list-type map: keys given, items
// objects, every key a scalar property of the items that is required or
// defaulted, never null.
func listMapErrors(s *api.JSONSchemaProps, p fieldPath) api.FieldErrors {
	var errs api.FieldErrors
	if len(s.XListMapKeys) == 0 {
		errs = append(errs, api.FieldRequired(p.child("x-kubernetes-list-map-keys").String(), "must not be empty if x-kubernetes-list-type is map"))
	}
	if s.Items == nil {
		return append(errs, api.FieldRequired(p.child("items").String(), "must have a schema if x-kubernetes-list-type is map"))
	}
	items := s.Items.Schema
	if items == nil {
		return append(errs, api.FieldInvalid(p.child("items").String(), "", "must only have a single schema if x-kubernetes-list-type is map"))
	}
	if items.Type != "object" {
		return append(errs, api.FieldInvalid(p.child("items").child("type").String(), items.Type, "must be object if parent array's x-kubernetes-list-type is map"))
	}
	seen := map[string]bool{}
	keysValue := "[]string{\"" + strings.Join(s.XListMapKeys, "\", \"") + "\"}"
	for _, k := range s.XListMapKeys {
		kp := p.child("items").child("properties").key(k)
		prop, ok := items.Properties[k]
		if !ok {
			errs = append(errs, &api.FieldError{Type: api.ErrorTypeInvalid, Field: p.child("x-kubernetes-list-map-keys").String(), BadValue: keysValue, Detail: "entries must all be names of item properties"})
		} else {
			if prop.Type == "array" || prop.Type == "object" {
				errs = append(errs, api.FieldInvalid(kp.child("type").String(), items.Type, "must be a scalar type if parent array's x-kubernetes-list-type is map"))
			}
			if !contains(items.Required, k) && len(prop.Default) == 0 {
				errs = append(errs, api.FieldRequired(kp.child("default").String(), "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"))
			}
			if prop.Nullable {
				errs = append(errs, api.FieldForbidden(kp.child("nullable").String(), "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"))
			}
		}
		if seen[k] {
			errs = append(errs, &api.FieldError{Type: api.ErrorTypeInvalid, Field: p.child("x-kubernetes-list-map-keys").String(), BadValue: keysValue, Detail: "must not contain duplicate entries"})
		}
		seen[k] = true
	}
	return errs
}

// ruleErrors checks the static shape of x-kubernetes-validations rules;
// package cel compiles them.
func ruleErrors(s *api.JSONSchemaProps, p fieldPath) api.FieldErrors {
	var errs api.FieldErrors
	for i, r := range s.XValidations {
		rp := p.child("x-kubernetes-validations").index(i)
		rule, msg := strings.TrimSpace(r.Rule), strings.TrimSpace(r.Message)
		switch {
		case rule == "":
			errs = append(errs, api.FieldRequired(rp.child("rule").String(), "rule is not specified"))
		case r.Message != "" && msg == "":
			errs = append(errs, api.FieldInvalid(rp.child("message").String(), r.Message, "must be non-empty if specified"))
		case strings.ContainsAny(msg, "\n\r"):
			errs = append(errs, api.FieldInvalid(rp.child("message").String(), r.Message, "must not contain line breaks"))
		case strings.ContainsAny(rule, "\n\r") && msg == "":
			errs = append(errs, api.FieldRequired(rp.child("message").String(), "message must be specified if rule contains line breaks"))
		}
		if r.MessageExpression != "" && strings.TrimSpace(r.MessageExpression) == "" {
			errs = append(errs, api.FieldRequired(rp.child("messageExpression").String(), "messageExpression must be non-empty if specified"))
		}
		reasons := []string{"FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"}
		if r.Reason != nil && !contains(reasons, *r.Reason) {
			errs = append(errs, api.FieldNotSupported(rp.child("reason").String(), *r.Reason, reasons))
		}
		if r.FieldPath != "" && strings.TrimSpace(r.FieldPath) == "" {
			errs = append(errs, api.FieldInvalid(rp.child("fieldPath").String(), r.FieldPath, "must be non-empty if specified"))
		}
		if strings.ContainsAny(r.FieldPath, "\n\r") {
			errs = append(errs, api.FieldInvalid(rp.child("fieldPath").String(), r.FieldPath, "must not contain line breaks"))
		}
	}
	return errs
}

func oneOf(s string, allowed ...string) bool { return contains(allowed, s) }

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// rootSubresourceErrors checks the root of a schema whose version has the
// status subresource: status is cut out as properties[status], so the
// root may carry only what survives that.
func rootSubresourceErrors(s *api.JSONSchemaProps, p fieldPath) api.FieldErrors {
	if s.Type != "" && s.Type != "object" {
		return api.FieldErrors{api.FieldInvalid(p.child("type").String(), s.Type, `only "object" is allowed as the type at the root of the schema if the status subresource is enabled`)}
	}
	bad := s.Nullable || len(s.Default) > 0 || len(s.Enum) > 0 || s.MaxProperties != nil || s.MinProperties != nil ||
		len(s.AllOf) > 0 || len(s.AnyOf) > 0 || len(s.OneOf) > 0 || s.Not != nil || s.AdditionalProperties != nil ||
		s.XEmbeddedResource || s.XIntOrString || s.XListType != nil || len(s.XListMapKeys) > 0 || s.XMapType != nil
	if bad {
		allowed := "[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations]"
		return api.FieldErrors{{Type: api.ErrorTypeInvalid, Field: p.String(), BadValue: "{...}", Detail: fmt.Sprintf("only %s fields are allowed at the root of the schema if the status subresource is enabled", allowed)}}
	}
	return nil
}
