package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
)

// Unstructured is an object of a kind tinykube has no Go type for: a
// custom resource. Its metadata is typed, so that everything the API
// server does with metadata (uids, resourceVersions, finalizers, owner
// references, managed fields) works on it as on built-in kinds; the rest
// of the object is kept as decoded JSON.
//
// Content holds every top-level field but apiVersion, kind and metadata
// ("spec", "status", "data" …). Its values are what encoding/json decodes
// into any, except that numbers are json.Number, so an int64 survives
// exactly: map[string]any, []any, string, json.Number, bool and nil.
type Unstructured struct {
	TypeMeta
	ObjectMeta
	Content map[string]any
}

// MarshalJSON writes the object as one JSON object: apiVersion, kind,
// metadata and the content's fields.
func (u *Unstructured) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(u.Content)+3)
	for k, v := range u.Content {
		m[k] = v
	}
	if u.APIVersion != "" {
		m["apiVersion"] = u.APIVersion
	}
	if u.Kind != "" {
		m["kind"] = u.Kind
	}
	m["metadata"] = &u.ObjectMeta
	return json.Marshal(m)
}

// UnmarshalJSON reads one JSON object. apiVersion and kind must be strings
// and metadata an object; metadata fields tinykube does not know are
// dropped, as Kubernetes prunes them.
func (u *Unstructured) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		return fmt.Errorf("an object must be a JSON object, not null")
	}
	*u = Unstructured{Content: make(map[string]any, len(raw))}
	for k, v := range raw {
		var err error
		switch k {
		case "apiVersion":
			err = unmarshalString(v, &u.APIVersion, k)
		case "kind":
			err = unmarshalString(v, &u.Kind, k)
		case "metadata":
			if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
				continue
			}
			err = json.Unmarshal(v, &u.ObjectMeta)
		default:
			var x any
			x, err = DecodeJSONValue(v)
			u.Content[k] = x
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func unmarshalString(raw json.RawMessage, dst *string, field string) error {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("%s must be a string", field)
	}
	return nil
}

// DecodeJSONValue decodes any JSON value as Unstructured keeps it (numbers
// as json.Number).
func DecodeJSONValue(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

// Field returns the value at path (each element a field name) and whether
// it is there.
func (u *Unstructured) Field(path ...string) (any, bool) {
	var cur any = u.Content
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[p]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// SetField sets the value at path, making the objects on the way; a value
// on the way that is not an object is replaced by one.
func (u *Unstructured) SetField(v any, path ...string) {
	if len(path) == 0 {
		return
	}
	if u.Content == nil {
		u.Content = map[string]any{}
	}
	m := u.Content
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// RemoveField deletes the value at path, if it is there.
func (u *Unstructured) RemoveField(path ...string) {
	if len(path) == 0 {
		return
	}
	var cur any = u.Content
	for _, p := range path[:len(path)-1] {
		m, ok := cur.(map[string]any)
		if !ok {
			return
		}
		cur = m[p]
	}
	if m, ok := cur.(map[string]any); ok {
		delete(m, path[len(path)-1])
	}
}

// ShallowContent returns a copy of the top level of Content: replacing a
// top-level field of the copy (status) leaves u alone.
func (u *Unstructured) ShallowContent() map[string]any {
	return maps.Clone(u.Content)
}
