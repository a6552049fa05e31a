package cel

import (
	"sort"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"

	"github.com/tinykube/tinykube/core/api"
)

// schemaTypes gives a schema's values CEL types, so that a rule is checked
// against the schema when it compiles ("undefined field 'replicsa'"), as
// Kubernetes checks it. Every object node with properties becomes a struct
// type named after its place in the schema ("Object.spec.template"); arrays
// become lists, additionalProperties maps, and scalars the CEL scalar the
// format suggests. schemaTypes is the CEL type provider of the environment
// the rules of one schema compile in: it answers for its struct types and
// hands every other question to the standard registry.
//
// At run time values stay plain Go maps and slices (see toCEL); the struct
// types exist for the checker only. A field access on a map falls back to a
// key lookup, which is what CEL does for every struct type that does not
// bind field getters, so "self.spec" on a value reads key "spec".
type schemaTypes struct {
	base    types.Provider
	objects map[string]*objectType
}

// objectType is one struct type: its CEL type and its fields by the
// (escaped) names rules use.
type objectType struct {
	celType *types.Type
	fields  map[string]*types.Type
}

// newSchemaTypes returns an empty provider over the standard registry.
func newSchemaTypes() (*schemaTypes, error) {
	reg, err := types.NewRegistry()
	if err != nil {
		return nil, err
	}
	return &schemaTypes{base: reg, objects: map[string]*objectType{}}, nil
}

// typeOf returns the CEL type of the values s describes, registering the
// struct types it needs under name and names derived from it. resourceRoot
// says s is the top of an object with apiVersion, kind and metadata (the
// schema root, or an x-kubernetes-embedded-resource): those fields are then
// declared too, with metadata offering name and generateName, as Kubernetes
// does. It returns nil for a schema CEL cannot type (no type and not
// int-or-string, or an array without items); such a property is not
// declared and rules cannot name it.
func (st *schemaTypes) typeOf(s *api.JSONSchemaProps, name string, resourceRoot bool) *types.Type {
	if s == nil {
		return nil
	}
	if s.XIntOrString {
		return types.DynType
	}
	switch s.Type {
	case "array":
		if s.Items == nil || s.Items.Schema == nil {
			return nil
		}
		it := st.typeOf(s.Items.Schema, name+".@items", s.Items.Schema.XEmbeddedResource)
		if it == nil {
			return nil
		}
		return types.NewListType(it)
	case "object":
		if ap := s.AdditionalProperties; ap != nil && ap.Schema != nil {
			vt := st.typeOf(ap.Schema, name+".@values", ap.Schema.XEmbeddedResource)
			if vt == nil {
				return nil
			}
			return types.NewMapType(types.StringType, vt)
		}
		return st.object(s, name, resourceRoot)
	case "string":
		switch s.Format {
		case "byte":
			return types.BytesType
		case "duration":
			return types.DurationType
		case "date", "date-time":
			return types.TimestampType
		}
		return types.StringType
	case "boolean":
		return types.BoolType
	case "number":
		return types.DoubleType
	case "integer":
		return types.IntType
	}
	return nil
}

// object registers (once) and returns the struct type for the object
// schema s at name.
func (st *schemaTypes) object(s *api.JSONSchemaProps, name string, resourceRoot bool) *types.Type {
	if o, ok := st.objects[name]; ok {
		return o.celType
	}
	o := &objectType{celType: types.NewObjectType(name), fields: map[string]*types.Type{}}
	st.objects[name] = o // before the fields: a schema is a tree, but be safe
	props := s.Properties
	if resourceRoot {
		props = withTypeAndObjectMeta(props)
	}
	for pname, p := range props {
		id, ok := escapeProperty(pname)
		if !ok {
			continue
		}
		p := p
		if t := st.typeOf(&p, name+"."+pname, p.XEmbeddedResource); t != nil {
			o.fields[id] = t
		}
	}
	return o.celType
}

// withTypeAndObjectMeta returns props with apiVersion and kind strings and
// a metadata object of name and generateName, the part of an object's
// metadata rules may read (Kubernetes hides the rest: it is validated
// elsewhere and changes under the rule's feet).
func withTypeAndObjectMeta(props map[string]api.JSONSchemaProps) map[string]api.JSONSchemaProps {
	out := make(map[string]api.JSONSchemaProps, len(props)+3)
	for k, v := range props {
		out[k] = v
	}
	str := api.JSONSchemaProps{Type: "string"}
	out["apiVersion"] = str
	out["kind"] = str
	out["metadata"] = api.JSONSchemaProps{Type: "object", Properties: map[string]api.JSONSchemaProps{
		"name": str, "generateName": str,
	}}
	return out
}

// EnumValue implements types.Provider.
func (st *schemaTypes) EnumValue(enumName string) ref.Val { return st.base.EnumValue(enumName) }

// FindIdent implements types.Provider.
func (st *schemaTypes) FindIdent(identName string) (ref.Val, bool) {
	return st.base.FindIdent(identName)
}

// FindStructType implements types.Provider: the schema's struct types, then
// the standard ones.
func (st *schemaTypes) FindStructType(structType string) (*types.Type, bool) {
	if o, ok := st.objects[structType]; ok {
		return types.NewTypeTypeWithParam(o.celType), true
	}
	return st.base.FindStructType(structType)
}

// FindStructFieldNames implements types.Provider, in sorted order.
func (st *schemaTypes) FindStructFieldNames(structType string) ([]string, bool) {
	o, ok := st.objects[structType]
	if !ok {
		return st.base.FindStructFieldNames(structType)
	}
	names := make([]string, 0, len(o.fields))
	for n := range o.fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, true
}

// FindStructFieldType implements types.Provider. The field types carry no
// getters, so at run time a field is read as a map key.
func (st *schemaTypes) FindStructFieldType(structType, fieldName string) (*types.FieldType, bool) {
	o, ok := st.objects[structType]
	if !ok {
		return st.base.FindStructFieldType(structType, fieldName)
	}
	t, ok := o.fields[fieldName]
	if !ok {
		return nil, false
	}
	return &types.FieldType{Type: t}, true
}

// NewValue implements types.Provider. Rules may not build schema objects
// (Object.spec{...}); only standard types.
func (st *schemaTypes) NewValue(structType string, fields map[string]ref.Val) ref.Val {
	if _, ok := st.objects[structType]; ok {
		return types.NewErr("cannot create values of the schema type %s in a rule", structType)
	}
	return st.base.NewValue(structType, fields)
}

// provider is the option installing st in an environment.
func (st *schemaTypes) provider() cel.EnvOption { return cel.CustomTypeProvider(st) }
