package cel

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"

	"github.com/tinykube/tinykube/core/api"
)

// toCEL converts v, decoded JSON at a place described by s, into the Go
// values CEL adapts to the types schemaTypes declared there:
//
//   - integer: json.Number to int64; number: to float64 (1 becomes 1.0);
//   - int-or-string: an integer to int64, a string as is;
//   - string with format date or date-time: time.Time; duration:
//     time.Duration; byte: the base64-decoded []byte;
//   - object with properties: a map keyed by the escaped property names
//     ("x-y" is read as self.x__dash__y); additionalProperties: a map with
//     the keys as they are; arrays: slices; each member converted by its
//     schema;
//   - anything without a schema (int-or-string, preserved unknown fields,
//     which rules cannot name but self == oldSelf compares): numbers to
//     int64 when whole, float64 otherwise, the rest as is.
//
// A value the schema cannot read (a string that is not a date-time where one
// is declared) becomes a CEL error value: a rule that touches it fails with
// that error, the others run. resourceRoot marks an object with apiVersion,
// kind and metadata (read without a schema).
func toCEL(v any, s *api.JSONSchemaProps, resourceRoot bool) any {
	if v == nil {
		return nil
	}
	if s == nil || s.XIntOrString {
		return dynToCEL(v)
	}
	switch s.Type {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return dynToCEL(v)
		}
		out := make(map[string]any, len(m))
		if ap := s.AdditionalProperties; ap != nil && ap.Schema != nil {
			for k, x := range m {
				out[k] = toCEL(x, ap.Schema, ap.Schema.XEmbeddedResource)
			}
			return out
		}
		for k, x := range m {
			id, ok := escapeProperty(k)
			if !ok {
				id = k
			}
			if p, ok := s.Properties[k]; ok && !(resourceRoot && isTypeOrObjectMeta(k)) {
				out[id] = toCEL(x, &p, p.XEmbeddedResource)
			} else {
				out[id] = dynToCEL(x)
			}
		}
		return out
	case "array":
		l, ok := v.([]any)
		if !ok {
			return dynToCEL(v)
		}
		var is *api.JSONSchemaProps
		if s.Items != nil {
			is = s.Items.Schema
		}
		out := make([]any, len(l))
		for i, x := range l {
			if is != nil {
				out[i] = toCEL(x, is, is.XEmbeddedResource)
			} else {
				out[i] = dynToCEL(x)
			}
		}
		return out
	case "string":
		str, ok := v.(string)
		if !ok {
			return dynToCEL(v)
		}
		return stringToCEL(str, s.Format)
	case "integer":
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return i
			}
			return types.NewErr("%s is not an integer of 64 bits", n)
		}
		if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f)
		}
		return dynToCEL(v)
	case "number":
		if n, ok := v.(json.Number); ok {
			f, err := n.Float64()
			if err != nil {
				return types.NewErr("%s is not a number: %v", n, err)
			}
			return f
		}
		switch n := v.(type) {
		case int64:
			return float64(n)
		case int:
			return float64(n)
		}
		return dynToCEL(v)
	}
	return dynToCEL(v)
}

// isTypeOrObjectMeta reports whether k is a field a resource root always has.
func isTypeOrObjectMeta(k string) bool {
	return k == "apiVersion" || k == "kind" || k == "metadata"
}

// stringToCEL converts a string of the given OpenAPI format.
func stringToCEL(s, format string) any {
	switch format {
	case "byte":
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return types.NewErr("%q is not base64: %v", s, err)
		}
		return b
	case "duration":
		d, err := time.ParseDuration(s)
		if err != nil {
			return types.NewErr("%q is not a duration: %v", s, err)
		}
		return d
	case "date":
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return types.NewErr("%q is not a date: %v", s, err)
		}
		return t
	case "date-time":
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return types.NewErr("%q is not a date-time: %v", s, err)
		}
		return t
	}
	return s
}

// dynToCEL converts decoded JSON without a schema: whole numbers to int64
// (those too large to float64), maps and lists member by member.
func dynToCEL(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return i
		}
		f, err := v.Float64()
		if err != nil {
			return types.NewErr("%s is not a number: %v", v, err)
		}
		return f
	case int:
		return int64(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = dynToCEL(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = dynToCEL(x)
		}
		return out
	}
	return v
}

// celValue turns the output of toCEL into CEL values, maps and lists
// included, once per evaluation: CEL would otherwise adapt a Go map or
// slice by reflection on every access, which in a comprehension is most of
// the work.
func celValue(v any) ref.Val {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[ref.Val]ref.Val, len(x))
		for k, e := range x {
			m[types.String(k)] = celValue(e)
		}
		return types.NewRefValMap(types.DefaultTypeAdapter, m)
	case []any:
		l := make([]ref.Val, len(x))
		for i, e := range x {
			l[i] = celValue(e)
		}
		return types.NewRefValList(types.DefaultTypeAdapter, l)
	}
	return types.DefaultTypeAdapter.NativeToValue(v)
}
