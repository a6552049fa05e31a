package api

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// maxLocateDepth bounds how deep QuantityErrors follows a document; the
// decoder that failed first has its own bound, this one only keeps a
// hostile document from costing more here than it did there.
const maxLocateDepth = 128

var quantityType = reflect.TypeFor[Quantity]()

// QuantityErrors finds the quantities that do not parse in the JSON
// document data, read as a value of v's type, and reports each at its JSON
// path ("spec.containers[0].resources.limits[cpu]") with ParseQuantity's
// reason, in the order of the type's fields, list items in order and map
// keys sorted.
//
// encoding/json stops at the first bad quantity and says nothing of where
// it was; the API server calls this after such a failure to tell the
// client which field to fix. It returns nil when data is not JSON at all
// or every quantity parses. v is only used for its type and may be a nil
// pointer.
func QuantityErrors(v any, data []byte) FieldErrors {
	var doc any
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if d.Decode(&doc) != nil {
		return nil
	}
	var errs FieldErrors
	locateQuantities(reflect.TypeOf(v), doc, "", 0, &errs)
	return errs
}

// locateQuantities walks doc alongside type t, appending to errs a
// FieldError for each value at a Quantity position that does not parse.
// Parts of doc that do not have the shape t wants are skipped: the decoder
// reports those itself.
func locateQuantities(t reflect.Type, doc any, p path, depth int, errs *FieldErrors) {
	if t == nil || depth > maxLocateDepth {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == quantityType {
		var s string
		switch x := doc.(type) {
		case string:
			s = x
		case json.Number:
			s = x.String()
		default:
			return
		}
		if _, err := ParseQuantity(s); err != nil {
			*errs = append(*errs, FieldInvalid(p.String(), s, err.Error()))
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if m, ok := doc.(map[string]any); ok {
			locateInStruct(t, m, p, depth, errs)
		}
	case reflect.Slice, reflect.Array:
		if l, ok := doc.([]any); ok {
			for i, x := range l {
				locateQuantities(t.Elem(), x, p.index(i), depth+1, errs)
			}
		}
	case reflect.Map:
		if m, ok := doc.(map[string]any); ok {
			for _, k := range slices.Sorted(maps.Keys(m)) {
				locateQuantities(t.Elem(), m[k], p.key(k), depth+1, errs)
			}
		}
	}
}

// locateInStruct follows the JSON fields of struct type t into m: a field
// under its json tag name (or its Go name), an embedded struct without a
// name (or tagged ",inline") in place.
func locateInStruct(t reflect.Type, m map[string]any, p path, depth int, errs *FieldErrors) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" && f.Anonymous {
			locateQuantities(f.Type, any(m), p, depth+1, errs)
			continue
		}
		if name == "" {
			name = f.Name
		}
		if x, ok := m[name]; ok {
			locateQuantities(f.Type, x, p.child(name), depth+1, errs)
		}
	}
}
