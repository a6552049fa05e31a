package api

import (
	"encoding/json"
	"reflect"
)

// List is a page of objects of one kind, as the API returns it
// ("PodList", "DeploymentList" …).
type List[T any] struct {
	TypeMeta `json:",inline"`
	ListMeta `json:"metadata,omitempty"`
	Items    []T `json:"items"`
}

// RawList is a list whose items are kept encoded: the API server
// assembles lists from objects it has already encoded.
type RawList = List[json.RawMessage]

// newLike returns a new zero value of obj's concrete type.
func newLike[T Object](obj T) T {
	return reflect.New(reflect.TypeOf(obj).Elem()).Interface().(T)
}
