package schema

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/tinykube/tinykube/core/api"
)

// The checks of a CustomResourceDefinition, with Kubernetes' messages and
// paths. Kubernetes validates its internal version of the type, so a few
// paths name internal fields (spec.conversion.webhookClientConfig,
// additionalPrinterColumns[i].JSONPath), as its errors do.

// maxSelectableFields is how many selectable fields a version may have.
const maxSelectableFields = 8

// validateDefinition implements ValidateDefinition.
func validateDefinition(crd, old *api.CustomResourceDefinition) api.FieldErrors {
	var errs api.FieldErrors
	spec := &crd.Spec
	sp := fieldPath("spec")

	if want := spec.Names.Plural + "." + spec.Group; crd.Name != want {
		errs = append(errs, api.FieldInvalid("metadata.name", crd.Name, `must be spec.names.plural+"."+spec.group`))
	} else if msgs := api.IsDNS1123Subdomain(crd.Name); len(msgs) > 0 {
		errs = append(errs, api.FieldInvalid("metadata.name", crd.Name, strings.Join(msgs, ",")))
	}

	switch {
	case spec.Group == "":
		errs = append(errs, api.FieldRequired(sp.child("group").String(), ""))
	case len(api.IsDNS1123Subdomain(spec.Group)) > 0:
		errs = append(errs, api.FieldInvalid(sp.child("group").String(), spec.Group, strings.Join(api.IsDNS1123Subdomain(spec.Group), ",")))
	case !strings.Contains(spec.Group, "."):
		errs = append(errs, api.FieldInvalid(sp.child("group").String(), spec.Group, "should be a domain with at least one dot"))
	}
	switch spec.Scope {
	case "":
		errs = append(errs, api.FieldRequired(sp.child("scope").String(), ""))
	case api.ClusterScoped, api.NamespaceScoped:
	default:
		errs = append(errs, api.FieldNotSupported(sp.child("scope").String(), spec.Scope, []string{api.ClusterScoped, api.NamespaceScoped}))
	}

	errs = append(errs, versionsErrors(spec, sp)...)

	for _, f := range []struct{ name, value string }{
		{"plural", spec.Names.Plural}, {"singular", spec.Names.Singular},
		{"kind", spec.Names.Kind}, {"listKind", spec.Names.ListKind},
	} {
		if f.value == "" {
			errs = append(errs, api.FieldRequired(sp.child("names").child(f.name).String(), ""))
		}
	}
	errs = append(errs, namesErrors(&spec.Names, sp.child("names"))...)
	errs = append(errs, conversionErrors(spec.Conversion, sp.child("conversion"))...)
	if spec.PreserveUnknownFields {
		errs = append(errs, api.FieldInvalid(sp.child("preserveUnknownFields").String(), true, "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead"))
	}

	if old != nil {
		errs = append(errs, updateErrors(crd, old)...)
	}
	return errs
}

// versionsErrors checks spec.versions: names, uniqueness, one storage
// version, and each version's schema, subresources, columns and
// selectable fields.
func versionsErrors(spec *api.CustomResourceDefinitionSpec, sp fieldPath) api.FieldErrors {
	var errs api.FieldErrors
	vp := sp.child("versions")
	if len(spec.Versions) == 0 {
		errs = append(errs, api.FieldRequired(vp.String(), "must have at least one version"))
	}
	storage, seen, unique := 0, map[string]bool{}, true
	for i := range spec.Versions {
		v := &spec.Versions[i]
		p := vp.index(i)
		if v.Storage {
			storage++
		}
		if seen[v.Name] {
			unique = false
		}
		seen[v.Name] = true
		if msgs := api.IsDNS1035Label(v.Name); len(msgs) > 0 {
			errs = append(errs, api.FieldInvalid(p.child("name").String(), v.Name, strings.Join(msgs, ",")))
		}
		errs = append(errs, versionErrors(v, p)...)
	}
	names := make([]string, len(spec.Versions))
	for i, v := range spec.Versions {
		names[i] = v.Name
	}
	// Kubernetes prints the whole versions list here; the names say enough.
	versions := fmt.Sprintf("%#v", names)
	if !unique {
		errs = append(errs, &api.FieldError{Type: api.ErrorTypeInvalid, Field: vp.String(), BadValue: versions, Detail: "must contain unique version names"})
	}
	if storage != 1 && len(spec.Versions) > 0 {
		errs = append(errs, &api.FieldError{Type: api.ErrorTypeInvalid, Field: vp.String(), BadValue: versions, Detail: "must have exactly one version marked as storage version"})
	}
	return errs
}

// versionErrors checks one version.
func versionErrors(v *api.CustomResourceDefinitionVersion, p fieldPath) api.FieldErrors {
	var errs api.FieldErrors
	for _, msg := range deprecationWarningErrors(v.Deprecated, v.DeprecationWarning) {
		errs = append(errs, api.FieldInvalid(p.child("deprecationWarning").String(), v.DeprecationWarning, msg))
	}
	var root *api.JSONSchemaProps
	if v.Schema != nil {
		root = v.Schema.OpenAPIV3Schema
	}
	statusEnabled := v.Subresources != nil && v.Subresources.Status != nil
	if root == nil {
		errs = append(errs, api.FieldRequired(p.child("schema").child("openAPIV3Schema").String(), ""))
	} else {
		errs = append(errs, schemaErrors(root, statusEnabled, p.child("schema").child("openAPIV3Schema"))...)
	}
	errs = append(errs, subresourceErrors(v.Subresources, p.child("subresources"))...)
	for i := range v.AdditionalPrinterColumns {
		errs = append(errs, columnErrors(&v.AdditionalPrinterColumns[i], p.child("additionalPrinterColumns").index(i))...)
	}
	if len(v.SelectableFields) > 0 {
		if root == nil {
			errs = append(errs, api.FieldInvalid(p.child("selectableFields").String(), "", "may only be set when `version.schema.openAPIV3Schema` is not included"))
		} else {
			errs = append(errs, selectableFieldErrors(v.SelectableFields, root, p.child("selectableFields"))...)
		}
	}
	return errs
}

// schemaErrors checks one version's openAPIV3Schema at p: the status
// subresource's restrictions of the root, the OpenAPI checks, the
// structural checks and, once the schema is structural, its defaults.
func schemaErrors(s *api.JSONSchemaProps, statusEnabled bool, p fieldPath) api.FieldErrors {
	var errs api.FieldErrors
	if statusEnabled {
		errs = append(errs, rootSubresourceErrors(s, p)...)
	}
	if s.Nullable {
		errs = append(errs, api.FieldForbidden(p.child("nullable").String(), "nullable cannot be true at the root"))
	}
	structural := structuralErrors(s, p)
	errs = append(errs, structural...)
	if len(structural) == 0 {
		errs = append(errs, defaultErrors(s, p)...)
	}
	errs = append(errs, openAPIChecker{}.check(s, p, true)...)
	return errs
}

// deprecationWarningErrors checks a version's deprecation warning.
func deprecationWarningErrors(deprecated bool, w *string) []string {
	if !deprecated && w != nil {
		return []string{"can only be set for deprecated versions"}
	}
	if w == nil {
		return nil
	}
	var msgs []string
	if len(*w) > 256 {
		msgs = append(msgs, "must be <= 256 characters long")
	}
	if len(*w) == 0 {
		msgs = append(msgs, "must not be an empty string")
	}
	for i, r := range *w {
		if !unicode.IsPrint(r) {
			msgs = append(msgs, fmt.Sprintf("must only contain printable UTF-8 characters; non-printable character found at index %d", i))
			break
		}
	}
	return msgs
}

// namesErrors checks the names of the resource (required ones are checked
// by the caller).
func namesErrors(n *api.CustomResourceDefinitionNames, p fieldPath) api.FieldErrors {
	var errs api.FieldErrors
	label := func(field, value string, mixedCase bool) {
		check := value
		if mixedCase {
			check = strings.ToLower(value)
		}
		if msgs := api.IsDNS1035Label(check); value != "" && len(msgs) > 0 {
			detail := strings.Join(msgs, ",")
			if mixedCase {
				detail = "may have mixed case, but should otherwise match: " + detail
			}
			errs = append(errs, api.FieldInvalid(field, value, detail))
		}
	}
	label(p.child("plural").String(), n.Plural, false)
	label(p.child("singular").String(), n.Singular, false)
	label(p.child("kind").String(), n.Kind, true)
	label(p.child("listKind").String(), n.ListKind, true)
	for i, s := range n.ShortNames {
		if msgs := api.IsDNS1035Label(s); len(msgs) > 0 {
			errs = append(errs, api.FieldInvalid(p.child("shortNames").index(i).String(), s, strings.Join(msgs, ",")))
		}
	}
	if n.Kind != "" && n.Kind == n.ListKind {
		errs = append(errs, api.FieldInvalid(p.child("listKind").String(), n.ListKind, "kind and listKind may not be the same"))
	}
	for i, c := range n.Categories {
		if msgs := api.IsDNS1035Label(c); len(msgs) > 0 {
			errs = append(errs, api.FieldInvalid(p.child("categories").index(i).String(), c, strings.Join(msgs, ",")))
		}
	}
	return errs
}

// conversionErrors checks spec.conversion: tinykube converts between
// versions of the same shape only (strategy None).
func conversionErrors(c *api.CustomResourceConversion, p fieldPath) api.FieldErrors {
	if c == nil {
		return nil
	}
	sp := p.child("strategy").String()
	switch c.Strategy {
	case "":
		return api.FieldErrors{api.FieldRequired(sp, "")}
	case "None":
	case "Webhook":
		return api.FieldErrors{api.FieldInvalid(sp, c.Strategy, "conversion webhooks are not supported by tinykube: use strategy None, which serves every version with the same fields")}
	default:
		return api.FieldErrors{api.FieldNotSupported(sp, c.Strategy, []string{"None", "Webhook"})}
	}
	if c.Webhook == nil {
		return nil
	}
	var wh struct {
		ClientConfig             json.RawMessage `json:"clientConfig"`
		ConversionReviewVersions []string        `json:"conversionReviewVersions"`
	}
	_ = json.Unmarshal(*c.Webhook, &wh)
	var errs api.FieldErrors
	if len(wh.ClientConfig) > 0 && string(wh.ClientConfig) != "null" {
		errs = append(errs, api.FieldForbidden(p.child("webhookClientConfig").String(), "should not be set when strategy is not set to Webhook"))
	}
	if len(wh.ConversionReviewVersions) > 0 {
		errs = append(errs, api.FieldForbidden(p.child("conversionReviewVersions").String(), "should not be set when strategy is not set to Webhook"))
	}
	return errs
}

// subresourceErrors checks the scale subresource's paths.
func subresourceErrors(sr *api.CustomResourceSubresources, p fieldPath) api.FieldErrors {
	if sr == nil || sr.Scale == nil {
		return nil
	}
	var errs api.FieldErrors
	sc := sr.Scale
	under := func(field, path string, prefixes ...string) {
		fp := p.child("scale." + field).String()
		if path == "" {
			errs = append(errs, api.FieldRequired(fp, ""))
			return
		}
		if e := simpleJSONPathErrors(path, fp); len(e) > 0 {
			errs = append(errs, e...)
			return
		}
		for _, pre := range prefixes {
			if strings.HasPrefix(path, pre) {
				return
			}
		}
		where := map[int]string{1: "under " + strings.TrimSuffix(prefixes[0], "."), 2: "under either .spec or .status"}[len(prefixes)]
		errs = append(errs, api.FieldInvalid(fp, path, "should be a json path "+where))
	}
	under("specReplicasPath", sc.SpecReplicasPath, ".spec.")
	under("statusReplicasPath", sc.StatusReplicasPath, ".status.")
	if sc.LabelSelectorPath != nil && *sc.LabelSelectorPath != "" {
		under("labelSelectorPath", *sc.LabelSelectorPath, ".spec.", ".status.")
	}
	return errs
}

// simpleJSONPathErrors checks a JSON path in dot notation (".spec.x").
func simpleJSONPathErrors(s, field string) api.FieldErrors {
	switch {
	case s == "":
		return api.FieldErrors{api.FieldInvalid(field, s, "must not be empty")}
	case s[0] != '.':
		return api.FieldErrors{api.FieldInvalid(field, s, "must be a simple json path starting with .")}
	}
	return nil
}

// columnErrors checks one additional printer column.
func columnErrors(c *api.CustomResourceColumnDefinition, p fieldPath) api.FieldErrors {
	var errs api.FieldErrors
	if c.Name == "" {
		errs = append(errs, api.FieldRequired(p.child("name").String(), ""))
	}
	const types = "boolean,date,integer,number,string"
	switch {
	case c.Type == "":
		errs = append(errs, api.FieldRequired(p.child("type").String(), "must be one of "+types))
	case !oneOf(c.Type, strings.Split(types, ",")...):
		errs = append(errs, api.FieldInvalid(p.child("type").String(), c.Type, "must be one of "+types))
	}
	const formats = "byte,date,date-time,double,float,int32,int64,password"
	if c.Format != "" && !oneOf(c.Format, strings.Split(formats, ",")...) {
		errs = append(errs, api.FieldInvalid(p.child("format").String(), c.Format, "must be one of "+formats))
	}
	if c.JSONPath == "" {
		errs = append(errs, api.FieldRequired(p.child("JSONPath").String(), ""))
	} else {
		errs = append(errs, simpleJSONPathErrors(c.JSONPath, p.child("JSONPath").String())...)
	}
	return errs
}

// selectableFieldErrors checks a version's selectable fields: each a path
// in dot notation to a string, boolean or integer field outside metadata,
// no two the same, at most eight.
func selectableFieldErrors(fields []api.SelectableField, root *api.JSONSchemaProps, p fieldPath) api.FieldErrors {
	var errs api.FieldErrors
	seen := map[string]bool{}
	for i, f := range fields {
		jp := p.index(i).child("jsonPath").String()
		if f.JSONPath == "" {
			errs = append(errs, api.FieldRequired(jp, ""))
			continue
		}
		path, s, err := resolveFieldPath(f.JSONPath, root)
		if err != nil {
			errs = append(errs, api.FieldInvalid(jp, f.JSONPath, "is an invalid path: "+err.Error()))
			continue
		}
		if path == "metadata" || strings.HasPrefix(path, "metadata.") || strings.HasPrefix(path, "metadata[") {
			errs = append(errs, api.FieldInvalid(jp, f.JSONPath, "must not point to fields in metadata"))
		}
		if s == nil || !oneOf(s.Type, "string", "boolean", "integer") {
			errs = append(errs, api.FieldInvalid(jp, f.JSONPath, "must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed."))
		}
		if seen[path] {
			errs = append(errs, api.FieldDuplicate(jp, f.JSONPath))
		}
		seen[path] = true
	}
	if len(seen) > maxSelectableFields {
		errs = append(errs, tooMany(p.String(), int64(len(seen)), maxSelectableFields))
	}
	return errs
}

// resolveFieldPath follows a JSON path in dot notation (".spec.color")
// down root and returns it as a field path ("spec.color", map keys as
// "spec.labels[x]") with the schema it reaches.
func resolveFieldPath(jsonPath string, root *api.JSONSchemaProps) (string, *api.JSONSchemaProps, error) {
	var path fieldPath
	s := root
	rest := jsonPath
	for rest != "" {
		switch rest[0] {
		case '[':
			return "", nil, fmt.Errorf("array notation is not allowed")
		case '.':
		default:
			tok, _, _ := strings.Cut(rest, ".")
			return "", nil, fmt.Errorf("expected [ or . but got: %s", tok)
		}
		rest = rest[1:]
		end := strings.IndexAny(rest, ".[")
		if end < 0 {
			end = len(rest)
		}
		name := rest[:end]
		rest = rest[end:]
		if name == "" {
			return "", nil, fmt.Errorf("unexpected end of JSON path")
		}
		switch {
		case s.Properties != nil:
			prop, ok := s.Properties[name]
			if !ok {
				return "", nil, fmt.Errorf("does not refer to a valid field")
			}
			path, s = path.child(name), &prop
		case s.AdditionalProperties != nil:
			path, s = path.key(name), s.AdditionalProperties.Schema
			if s == nil {
				s = &api.JSONSchemaProps{}
			}
		default:
			return "", nil, fmt.Errorf("does not refer to a valid field")
		}
	}
	return string(path), s, nil
}

// updateErrors checks what may not change: group and plural (they make
// the name), scope and kind once the definition is established, and no
// version may leave spec.versions while objects may still be stored in
// it (it is in status.storedVersions).
func updateErrors(crd, old *api.CustomResourceDefinition) api.FieldErrors {
	var errs api.FieldErrors
	immutable := func(field, now, was string) {
		if now != was {
			errs = append(errs, api.FieldInvalid(field, now, "field is immutable"))
		}
	}
	if old.Status.IsTrue(api.CRDEstablished) {
		immutable("spec.scope", crd.Spec.Scope, old.Spec.Scope)
		immutable("spec.names.kind", crd.Spec.Names.Kind, old.Spec.Names.Kind)
	}
	immutable("spec.group", crd.Spec.Group, old.Spec.Group)
	immutable("spec.names.plural", crd.Spec.Names.Plural, old.Spec.Names.Plural)

	served := map[string]bool{}
	for _, v := range crd.Spec.Versions {
		served[v.Name] = true
	}
	for i, v := range old.Status.StoredVersions {
		if !served[v] {
			errs = append(errs, api.FieldInvalid(fieldPath("status.storedVersions").index(i).String(), v,
				fmt.Sprintf("missing from spec.versions; %[1]s was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in %[1]s and removes %[1]s from status.storedVersions", v)))
		}
	}
	return errs
}
