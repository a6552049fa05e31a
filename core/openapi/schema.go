package openapi

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// Schema is one OpenAPI schema object, with the Kubernetes extensions
// kubectl reads. The same type serves v2 (Swagger) and v3; the builder
// fills the fields each version uses.
type Schema struct {
	Ref                  string             `json:"$ref,omitempty"`
	AllOf                []*Schema          `json:"allOf,omitempty"`
	OneOf                []*Schema          `json:"oneOf,omitempty"`
	Description          string             `json:"description,omitempty"`
	Type                 string             `json:"type,omitempty"`
	Format               string             `json:"format,omitempty"`
	Items                *Schema            `json:"items,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	AdditionalProperties *Schema            `json:"additionalProperties,omitempty"`
	Required             []string           `json:"required,omitempty"`

	GroupVersionKind []GVK    `json:"x-kubernetes-group-version-kind,omitempty"`
	PatchStrategy    string   `json:"x-kubernetes-patch-strategy,omitempty"`
	PatchMergeKey    string   `json:"x-kubernetes-patch-merge-key,omitempty"`
	ListType         string   `json:"x-kubernetes-list-type,omitempty"`
	ListMapKeys      []string `json:"x-kubernetes-list-map-keys,omitempty"`
	IntOrString      bool     `json:"x-kubernetes-int-or-string,omitempty"`
	PreserveUnknown  bool     `json:"x-kubernetes-preserve-unknown-fields,omitempty"`

	// What a custom resource's schema (a CustomResourceDefinition's
	// openAPIV3Schema) may say beyond the Go types' schemas; see
	// custom.go. All are empty in the built-in kinds' definitions.
	Title            string                     `json:"title,omitempty"`
	Default          json.RawMessage            `json:"default,omitempty"`
	Example          json.RawMessage            `json:"example,omitempty"`
	Enum             []json.RawMessage          `json:"enum,omitempty"`
	Maximum          *float64                   `json:"maximum,omitempty"`
	ExclusiveMaximum bool                       `json:"exclusiveMaximum,omitempty"`
	Minimum          *float64                   `json:"minimum,omitempty"`
	ExclusiveMinimum bool                       `json:"exclusiveMinimum,omitempty"`
	MaxLength        *int64                     `json:"maxLength,omitempty"`
	MinLength        *int64                     `json:"minLength,omitempty"`
	Pattern          string                     `json:"pattern,omitempty"`
	MaxItems         *int64                     `json:"maxItems,omitempty"`
	MinItems         *int64                     `json:"minItems,omitempty"`
	UniqueItems      bool                       `json:"uniqueItems,omitempty"`
	MultipleOf       *float64                   `json:"multipleOf,omitempty"`
	MaxProperties    *int64                     `json:"maxProperties,omitempty"`
	MinProperties    *int64                     `json:"minProperties,omitempty"`
	AnyOf            []*Schema                  `json:"anyOf,omitempty"`
	Not              *Schema                    `json:"not,omitempty"`
	Nullable         bool                       `json:"nullable,omitempty"`
	ExternalDocs     *api.ExternalDocumentation `json:"externalDocs,omitempty"`
	EmbeddedResource bool                       `json:"x-kubernetes-embedded-resource,omitempty"`
	MapType          string                     `json:"x-kubernetes-map-type,omitempty"`
	Validations      []api.ValidationRule       `json:"x-kubernetes-validations,omitempty"`
	SelectableFields []SelectableField          `json:"x-kubernetes-selectable-fields,omitempty"`
}

// GVK is the value of x-kubernetes-group-version-kind.
type GVK struct {
	Group   string `json:"group"`
	Kind    string `json:"kind"`
	Version string `json:"version"`
}

// builder turns Go types into named definitions. Names are assigned in the
// order types are first met, walking the resource table's kinds in order,
// so a type's package is that of the first kind that reaches it unless
// typePackage says otherwise.
type builder struct {
	v3    bool
	pkg   string                   // package of the kind being walked
	names map[reflect.Type]string  // Go type → definition name
	defs  map[string]*Schema       // definition name → schema
	kinds map[*api.Resource]string // custom resource → its kind's definition name
}

func newBuilder(v3 bool) *builder {
	return &builder{v3: v3, names: map[reflect.Type]string{}, defs: map[string]*Schema{}, kinds: map[*api.Resource]string{}}
}

// kindName returns the definition name of resource r's kind.
func (b *builder) kindName(r *api.Resource) string {
	if r.Custom != nil {
		return b.kinds[r]
	}
	return b.names[typeOf(r)]
}

// ref returns a reference to a definition, in the version's syntax.
func (b *builder) ref(name string) string {
	if b.v3 {
		return "#/components/schemas/" + name
	}
	return "#/definitions/" + name
}

// refTo returns the schema of a property that holds definition name, with
// the property's own description. Swagger 2 lets a description stand beside
// $ref (kubectl reads it there); OpenAPI 3 ignores siblings of $ref, so
// Kubernetes wraps the reference in allOf, as done here.
func (b *builder) refTo(name, description string) *Schema {
	if description == "" {
		return &Schema{Ref: b.ref(name)}
	}
	if b.v3 {
		return &Schema{AllOf: []*Schema{{Ref: b.ref(name)}}, Description: description}
	}
	return &Schema{Ref: b.ref(name), Description: description}
}

var (
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	apiPkgPath     = reflect.TypeFor[api.Pod]().PkgPath()
)

// leafSchemas are the types that encode themselves, as Kubernetes
// describes them.
var leafSchemas = map[reflect.Type]func(v3 bool) *Schema{
	reflect.TypeFor[api.Time]():      func(bool) *Schema { return &Schema{Type: "string", Format: "date-time"} },
	reflect.TypeFor[api.MicroTime](): func(bool) *Schema { return &Schema{Type: "string", Format: "date-time"} },
	reflect.TypeFor[api.IntOrString](): func(v3 bool) *Schema {
		return &Schema{Type: "string", Format: "int-or-string", IntOrString: v3}
	},
	// A schema or a list of them, a schema or a boolean: JSON that Go
	// cannot describe with one type. Kubernetes gives them no type either.
	reflect.TypeFor[api.JSONSchemaPropsOrArray](): func(bool) *Schema { return &Schema{} },
	reflect.TypeFor[api.JSONSchemaPropsOrBool]():  func(bool) *Schema { return &Schema{} },
	reflect.TypeFor[api.Quantity](): func(v3 bool) *Schema {
		if v3 {
			return &Schema{OneOf: []*Schema{{Type: "string"}, {Type: "number"}}}
		}
		return &Schema{Type: "string"}
	},
}

// define returns the definition name of struct (or leaf) type t, building
// its schema on first sight.
func (b *builder) define(t reflect.Type) string {
	if name, ok := b.names[t]; ok {
		return name
	}
	pkg, ok := typePackage[t]
	if !ok {
		pkg = b.pkg
	}
	tn := t.Name()
	if n, ok := typeNames[t]; ok {
		tn = n
	}
	name := pkg + "." + tn
	b.names[t] = name
	s := &Schema{}
	b.defs[name] = s // before the fields: types may refer to themselves
	if leaf, ok := leafSchemas[t]; ok {
		*s = *leaf(b.v3)
	} else {
		*s = *b.structSchema(t)
	}
	s.Description = typeDescription(t)
	return name
}

// structSchema describes struct type t: one property per JSON field,
// flattening embedded structs as encoding/json does.
func (b *builder) structSchema(t reflect.Type) *Schema {
	s := &Schema{Type: "object", Properties: map[string]*Schema{}}
	b.addFields(s, t)
	if len(s.Properties) == 0 {
		s.Properties = nil
	}
	return s
}

func (b *builder) addFields(s *Schema, t reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			if et := derefType(f.Type); et.Kind() == reflect.Struct {
				b.addFields(s, et)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := s.Properties[name]; dup {
			continue // a shallower field of the same name hides this one
		}
		desc := descriptions[t.Name()+"."+name]
		p := b.fieldSchema(f.Type, desc)
		addListExtensions(p, t, name, f.Tag)
		s.Properties[name] = p
		if isRequired(f, opts) {
			s.Required = append(s.Required, name)
		}
	}
}

// isRequired follows the json tags: a field without omitempty (or
// omitzero) must be sent, unless it is an object, which Kubernetes never
// requires whole.
func isRequired(f reflect.StructField, opts string) bool {
	for _, o := range strings.Split(opts, ",") {
		if o == "omitempty" || o == "omitzero" || o == "inline" {
			return false
		}
	}
	switch derefType(f.Type).Kind() {
	case reflect.Struct, reflect.Map, reflect.Pointer, reflect.Interface:
		return false
	}
	return f.Type.Kind() != reflect.Pointer
}

// fieldSchema returns the schema of a field of Go type t. A field without
// a doc comment of its own is described by its type's comment.
func (b *builder) fieldSchema(t reflect.Type, desc string) *Schema {
	t = derefType(t)
	if desc == "" {
		desc = typeDescription(t)
	}
	if desc == "" && (t.Kind() == reflect.Slice || t.Kind() == reflect.Map) {
		desc = typeDescription(derefType(t.Elem()))
	}
	if _, leaf := leafSchemas[t]; leaf || (t.Kind() == reflect.Struct && t != rawMessageType) {
		return b.refTo(b.define(t), desc)
	}
	var s *Schema
	switch {
	case t == rawMessageType || t.Kind() == reflect.Interface:
		s = &Schema{Type: "object", PreserveUnknown: b.v3}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		s = &Schema{Type: "string", Format: "byte"}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		s = &Schema{Type: "array", Items: b.fieldSchema(t.Elem(), "")}
		stripDescription(s.Items)
	case t.Kind() == reflect.Map:
		s = &Schema{Type: "object", AdditionalProperties: b.fieldSchema(t.Elem(), "")}
		stripDescription(s.AdditionalProperties)
	default:
		s = scalarSchema(t.Kind())
	}
	s.Description = desc
	return s
}

// stripDescription drops the description of a list's items or a map's
// values: the property describes itself, and Kubernetes puts the items'
// reference bare.
func stripDescription(s *Schema) {
	if len(s.AllOf) == 1 {
		*s = *s.AllOf[0]
	}
	s.Description = ""
}

func scalarSchema(k reflect.Kind) *Schema {
	switch k {
	case reflect.Bool:
		return &Schema{Type: "boolean"}
	case reflect.Int32, reflect.Int16, reflect.Int8, reflect.Uint16, reflect.Uint8:
		return &Schema{Type: "integer", Format: "int32"}
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return &Schema{Type: "integer", Format: "int64"}
	case reflect.Float32, reflect.Float64:
		return &Schema{Type: "number", Format: "double"}
	}
	return &Schema{Type: "string"}
}

// typeDescription is the doc comment of a named core/api type, or "".
func typeDescription(t reflect.Type) string {
	if t.PkgPath() != apiPkgPath {
		return ""
	}
	return descriptions[t.Name()]
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
