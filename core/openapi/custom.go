package openapi

import (
	"reflect"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// A custom resource has no Go type to reflect on: its schema is the
// openAPIV3Schema its CustomResourceDefinition gives for the version, and
// the documents carry it as Kubernetes publishes it (apiextensions-
// apiserver's OpenAPI builder): metadata becomes a reference to ObjectMeta,
// apiVersion and kind are TypeMeta's, and the kind carries its
// x-kubernetes-group-version-kind. OpenAPI v2 cannot say everything a v3
// schema says, so the v2 document gets a reduced copy (toV2).

// Descriptions Kubernetes gives the properties it adds to a custom
// resource's schema (those of PartialObjectMetadata).
const (
	customMetadataDescription     = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
	customListMetadataDescription = "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)

// modelName returns the definition name of a custom kind: the group's
// parts reversed, then version and kind ("stable.example.com", "v1",
// "CronTab" → "com.example.stable.v1.CronTab"), as Kubernetes names them.
func modelName(group, version, kind string) string {
	parts := strings.Split(group, ".")
	slices.Reverse(parts)
	return strings.Join(parts, ".") + "." + version + "." + kind
}

// listKind returns the kind of a custom resource's list: the accepted
// listKind, or the kind with "List" appended.
func listKind(r *api.Resource) string {
	if lk := r.Custom.Definition.Status.AcceptedNames.ListKind; lk != "" {
		return lk
	}
	return r.Kind + "List"
}

// defineCustom adds the definitions of custom resource r (one served
// version of a CustomResourceDefinition) and of its list, and returns the
// kind's definition name. It needs ObjectMeta and ListMeta, which it
// defines if the built-in kinds have not.
func (b *builder) defineCustom(r *api.Resource) string {
	crd, v := r.Custom.Definition, r.Custom.Version
	objectMeta := b.defineIn(pkgMeta, reflect.TypeFor[api.ObjectMeta]())
	listMeta := b.defineIn(pkgMeta, reflect.TypeFor[api.ListMeta]())
	name := modelName(r.Group, r.Version, r.Kind)

	var props *api.JSONSchemaProps
	if v.Schema != nil {
		props = v.Schema.OpenAPIV3Schema
	}
	var s *Schema
	switch {
	case props == nil:
		// Without a schema, say nothing about properties: a client would
		// take a list of them as all there may be.
		s = &Schema{Type: "object"}
	case !b.v3 && (isTrue(props.XPreserveUnknownFields) || crd.Spec.PreserveUnknownFields):
		// kubectl's v2 validation would refuse every field but those
		// listed, so a v2 schema that keeps unknown fields lists none,
		// not even metadata.
		s = &Schema{Type: "object"}
	default:
		s = b.customSchema(props)
		if !b.v3 {
			toV2(s)
		}
		if s.Properties == nil {
			s.Properties = map[string]*Schema{}
		}
		s.Properties["metadata"] = &Schema{Ref: b.ref(objectMeta), Description: customMetadataDescription}
		b.typeMetaProperties(s)
		b.addEmbedded(s, objectMeta)
	}
	s.GroupVersionKind = []GVK{{Group: r.Group, Version: r.Version, Kind: r.Kind}}
	s.SelectableFields = selectableFields(v)
	b.defs[name] = s
	b.kinds[r] = name

	lk := listKind(r)
	list := &Schema{
		Description: lk + " is a list of " + r.Kind,
		Type:        "object",
		Required:    []string{"items"},
		Properties: map[string]*Schema{
			"items": {Type: "array", Items: &Schema{Ref: b.ref(name)},
				Description: "List of " + r.Plural + ". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"},
			"metadata": {Ref: b.ref(listMeta), Description: customListMetadataDescription},
		},
		GroupVersionKind: []GVK{{Group: r.Group, Version: r.Version, Kind: lk}},
		SelectableFields: s.SelectableFields,
	}
	b.typeMetaProperties(list)
	b.defs[modelName(r.Group, r.Version, lk)] = list
	return name
}

// defineIn defines t as a type of package pkg, whatever kind reaches it.
func (b *builder) defineIn(pkg string, t reflect.Type) string {
	saved := b.pkg
	b.pkg = pkg
	defer func() { b.pkg = saved }()
	return b.define(t)
}

// typeMetaProperties sets the apiVersion and kind properties of s, described
// as TypeMeta's fields are.
func (b *builder) typeMetaProperties(s *Schema) {
	s.Properties["apiVersion"] = &Schema{Type: "string", Description: descriptions["TypeMeta.apiVersion"]}
	s.Properties["kind"] = &Schema{Type: "string", Description: descriptions["TypeMeta.kind"]}
}

// addEmbedded gives every object of s marked x-kubernetes-embedded-resource
// (an object inside the object, such as a template) the apiVersion, kind
// and metadata of an object, required as Kubernetes requires them. In v2,
// an object that keeps unknown fields is left alone: listing properties
// there would make kubectl refuse the rest.
func (b *builder) addEmbedded(s *Schema, objectMeta string) {
	if s == nil {
		return
	}
	for _, k := range sortedKeys(s.Properties) {
		b.addEmbedded(s.Properties[k], objectMeta)
	}
	b.addEmbedded(s.Items, objectMeta)
	b.addEmbedded(s.AdditionalProperties, objectMeta)
	if s.PreserveUnknown && !b.v3 {
		return
	}
	if !s.EmbeddedResource {
		return
	}
	if s.Properties == nil {
		s.Properties = map[string]*Schema{}
	}
	b.typeMetaProperties(s)
	s.Properties["metadata"] = &Schema{Ref: b.ref(objectMeta), Description: customMetadataDescription}
	for _, f := range []string{"kind", "apiVersion"} {
		if !slices.Contains(s.Required, f) {
			s.Required = append(s.Required, f)
		}
	}
}

// customSchema converts a CRD's schema to the documents' Schema, keeping
// what a structural schema may say: types, descriptions, value
// validations, defaults, the x-kubernetes extensions and the CEL rules.
// In v3 an int-or-string without anyOf gets anyOf integer or string, as
// Kubernetes unfolds it, so that clients know both are allowed.
func (b *builder) customSchema(p *api.JSONSchemaProps) *Schema {
	if p == nil {
		return nil
	}
	s := &Schema{
		Description: p.Description, Type: p.Type, Format: p.Format, Title: p.Title,
		Default: p.Default, Example: p.Example, Enum: p.Enum,
		Maximum: p.Maximum, ExclusiveMaximum: p.ExclusiveMaximum, Minimum: p.Minimum, ExclusiveMinimum: p.ExclusiveMinimum,
		MaxLength: p.MaxLength, MinLength: p.MinLength, Pattern: p.Pattern,
		MaxItems: p.MaxItems, MinItems: p.MinItems, UniqueItems: p.UniqueItems, MultipleOf: p.MultipleOf,
		MaxProperties: p.MaxProperties, MinProperties: p.MinProperties,
		Required: p.Required, Nullable: p.Nullable, ExternalDocs: p.ExternalDocs,
		PreserveUnknown: isTrue(p.XPreserveUnknownFields), EmbeddedResource: p.XEmbeddedResource, IntOrString: p.XIntOrString,
		ListMapKeys: p.XListMapKeys, Validations: p.XValidations,
	}
	if p.XListType != nil {
		s.ListType = *p.XListType
	}
	if p.XMapType != nil {
		s.MapType = *p.XMapType
	}
	if p.Items != nil {
		// A structural schema's items is one schema; a list of them (a
		// tuple) is not allowed, so only the first would mean anything.
		if p.Items.Schema != nil {
			s.Items = b.customSchema(p.Items.Schema)
		} else if len(p.Items.JSONSchemas) > 0 {
			s.Items = b.customSchema(&p.Items.JSONSchemas[0])
		}
	}
	if len(p.Properties) > 0 {
		s.Properties = map[string]*Schema{}
		for k := range p.Properties {
			prop := p.Properties[k]
			s.Properties[k] = b.customSchema(&prop)
		}
	}
	if ap := p.AdditionalProperties; ap != nil {
		switch {
		case ap.Schema != nil:
			s.AdditionalProperties = b.customSchema(ap.Schema)
		case ap.Allows:
			s.AdditionalProperties = &Schema{}
		}
	}
	for _, list := range []struct {
		from []api.JSONSchemaProps
		to   *[]*Schema
	}{{p.AllOf, &s.AllOf}, {p.AnyOf, &s.AnyOf}, {p.OneOf, &s.OneOf}} {
		for i := range list.from {
			*list.to = append(*list.to, b.customSchema(&list.from[i]))
		}
	}
	s.Not = b.customSchema(p.Not)
	if b.v3 && s.IntOrString && len(s.AnyOf) == 0 {
		s.AnyOf = []*Schema{{Type: "integer"}, {Type: "string"}}
	}
	return s
}

// toV2 reduces a custom resource's schema to what OpenAPI v2 and kubectl's
// v2 reader cope with, as Kubernetes does: no allOf, anyOf, oneOf or not;
// a nullable field loses its type (v2 has no null) and with it its items
// and properties, and is no longer required; an object or list that keeps
// unknown fields lists no properties or items and has no type; a list
// without an item schema has no type.
func toV2(s *Schema) {
	if s == nil {
		return
	}
	s.AllOf, s.AnyOf, s.OneOf, s.Not = nil, nil, nil, nil
	if s.Nullable {
		s.Type, s.Nullable = "", false
		s.Items, s.Properties = nil, nil
	}
	if s.PreserveUnknown {
		s.Items, s.Properties = nil, nil
	}
	if s.Items == nil && s.Type == "array" {
		s.Type = ""
	}
	if s.PreserveUnknown && s.Type == "object" {
		s.Type = ""
	}
	var required []string
	for _, f := range s.Required {
		if p := s.Properties[f]; p == nil || !p.Nullable {
			required = append(required, f)
		}
	}
	s.Required = required
	if s.AdditionalProperties != nil && s.AdditionalProperties.Nullable {
		s.Required = nil
	}
	for _, k := range sortedKeys(s.Properties) {
		toV2(s.Properties[k])
	}
	toV2(s.Items)
	toV2(s.AdditionalProperties)
}

// selectableFields is the x-kubernetes-selectable-fields of a version:
// the JSON paths a field selector may name, without the leading dot.
func selectableFields(v *api.CustomResourceDefinitionVersion) []SelectableField {
	var out []SelectableField
	for _, f := range v.SelectableFields {
		out = append(out, SelectableField{FieldPath: strings.TrimPrefix(f.JSONPath, ".")})
	}
	return out
}

// SelectableField is one entry of x-kubernetes-selectable-fields.
type SelectableField struct {
	FieldPath string `json:"fieldPath"`
}

func isTrue(b *bool) bool { return b != nil && *b }

func sortedKeys(m map[string]*Schema) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
