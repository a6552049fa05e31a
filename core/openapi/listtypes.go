package openapi

import (
	"reflect"

	"github.com/tinykube/tinykube/core/api"
)

// addListExtensions sets the patch strategy and merge key from the field's
// struct tags (patchStrategy:"merge" patchMergeKey:"name", as k8s.io/api
// writes them) and the list type Kubernetes declares (api.ListTypeOf).
func addListExtensions(s *Schema, owner reflect.Type, field string, tag reflect.StructTag) {
	s.PatchStrategy = tag.Get("patchStrategy")
	s.PatchMergeKey = tag.Get("patchMergeKey")
	if s.Type != "array" {
		return
	}
	if lt, ok := api.ListTypeOf(owner, field); ok {
		s.ListType = lt.Type
		s.ListMapKeys = lt.Keys
	}
}
