package apiserver

import (
	"reflect"

	"github.com/tinykube/tinykube/core/api"
)

// Server-side apply needs to know, for every node of an object, whether it
// is owned whole or field by field (fieldtree.go's shape). A built-in
// kind's shape comes from its Go type (shapeOf); a custom resource's comes
// from its version's structural schema, read as Kubernetes'
// structured-merge-diff reads it:
//
//	object with properties           a struct: each property owned on its own
//	object with additionalProperties a map: each key owned on its own
//	x-kubernetes-map-type: atomic    owned whole
//	array, x-kubernetes-list-type    atomic (the default): owned whole;
//	                                 set: each scalar; map: each item by
//	                                 x-kubernetes-list-map-keys
//	x-kubernetes-preserve-unknown-fields
//	                                 fields the schema does not name are
//	                                 "deduced": objects field by field,
//	                                 lists and scalars whole
//	x-kubernetes-int-or-string, scalars   owned whole
//
// apiVersion and kind are scalars and metadata has ObjectMeta's shape,
// whatever the schema says of them.

// shapeFor returns the shape of res's objects: from the Go type for a
// built-in kind, from the version's schema (cached with its rules) for a
// custom resource.
func (s *Server) shapeFor(res *api.Resource) *shape {
	if res.Custom != nil {
		return s.customCache(res).shape
	}
	return shapeOf(reflect.TypeOf(res.New()))
}

// shapeOfSchema returns the shape of the objects of a custom resource
// whose version has schema sch (nil: no schema, every field deduced).
func shapeOfSchema(sch *api.JSONSchemaProps) *shape {
	root := &shape{kind: shapeStruct, fields: map[string]*shape{}, other: deducedShape()}
	if sch != nil {
		if sh := schemaShape(sch); sh.kind == shapeStruct {
			root = sh
		}
	}
	leaf := &shape{kind: shapeLeaf}
	root.fields["apiVersion"], root.fields["kind"] = leaf, leaf
	root.fields["metadata"] = shapeOf(reflect.TypeOf(api.ObjectMeta{}))
	return root
}

// deducedShape is the shape of a value no schema describes: objects are
// maps owned key by key, all the way down; anything else is owned whole.
func deducedShape() *shape {
	d := &shape{kind: shapeMap}
	d.elem = d
	return d
}

// schemaShape returns the shape of the values sch describes. Every call
// builds new shapes: they are never shared between schemas.
func schemaShape(sch *api.JSONSchemaProps) *shape {
	leaf := &shape{kind: shapeLeaf}
	if sch == nil || sch.XIntOrString {
		return leaf
	}
	preserve := sch.XPreserveUnknownFields != nil && *sch.XPreserveUnknownFields
	switch {
	case sch.Type == "array":
		if sch.XListType == nil || sch.Items == nil {
			return leaf
		}
		switch *sch.XListType {
		case "set":
			return &shape{kind: shapeList, list: api.ListType{Type: "set"}, elem: leaf}
		case "map":
			return &shape{kind: shapeList, list: api.ListType{Type: "map", Keys: sch.XListMapKeys}, elem: schemaShape(sch.Items.Schema)}
		}
		return leaf
	case sch.Type == "object" || len(sch.Properties) > 0 || sch.AdditionalProperties != nil || preserve:
		if sch.XMapType != nil && *sch.XMapType == "atomic" {
			return leaf
		}
		if len(sch.Properties) == 0 && sch.AdditionalProperties != nil && sch.AdditionalProperties.Allows {
			if sch.AdditionalProperties.Schema == nil {
				return deducedShape()
			}
			return &shape{kind: shapeMap, elem: schemaShape(sch.AdditionalProperties.Schema)}
		}
		if len(sch.Properties) == 0 && preserve {
			return deducedShape()
		}
		s := &shape{kind: shapeStruct, fields: make(map[string]*shape, len(sch.Properties))}
		for name, p := range sch.Properties {
			s.fields[name] = schemaShape(&p)
		}
		if preserve {
			s.other = deducedShape()
		}
		return s
	}
	return leaf
}
