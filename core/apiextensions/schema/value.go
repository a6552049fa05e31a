package schema

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"

	"github.com/tinykube/tinykube/core/api"
)

// Objects are decoded JSON: map[string]any, []any, string, json.Number,
// bool and nil. Numbers may also arrive as Go numbers (float64, int64, int)
// from code that built an object by hand; every helper here accepts both.

// jsonType names the JSON type of x as OpenAPI does: "object", "array",
// "string", "integer" (a number written without a fraction or exponent
// that fits an int64), "number", "boolean" or "null"; "" for a Go value
// that is not JSON.
func jsonType(x any) string {
	switch v := x.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return "integer"
		}
		return "number"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "integer"
	case float32, float64:
		return "number"
	}
	return ""
}

// toFloat returns the value of a JSON number as a float64.
func toFloat(x any) (float64, bool) {
	switch v := x.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		return f, err == nil || isRangeErr(err)
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	}
	return 0, false
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// toInt returns the value of a JSON integer as an int64.
func toInt(x any) (int64, bool) {
	switch v := x.(type) {
	case json.Number:
		i, err := strconv.ParseInt(string(v), 10, 64)
		return i, err == nil
	case int:
		return int64(v), true
	case int8:
		return int64(v), true
	case int16:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case uint:
		return int64(v), v <= math.MaxInt64
	case uint8:
		return int64(v), true
	case uint16:
		return int64(v), true
	case uint32:
		return int64(v), true
	case uint64:
		return int64(v), v <= math.MaxInt64
	}
	return 0, false
}

// isIntegral reports whether a JSON number has no fractional part, as
// Kubernetes accepts 1.0 or 1e3 where an integer is required.
func isIntegral(x any) bool {
	if _, ok := toInt(x); ok {
		return true
	}
	f, ok := toFloat(x)
	return ok && !math.IsInf(f, 0) && !math.IsNaN(f) && f == math.Trunc(f)
}

// jsonEqual reports whether two JSON values are equal: numbers by value
// (1, 1.0 and 1e0 are equal), objects by their fields, arrays item by item.
func jsonEqual(a, b any) bool {
	ta, tb := jsonType(a), jsonType(b)
	if (ta == "integer" || ta == "number") && (tb == "integer" || tb == "number") {
		ia, oka := toInt(a)
		ib, okb := toInt(b)
		if oka && okb {
			return ia == ib
		}
		fa, _ := toFloat(a)
		fb, _ := toFloat(b)
		return fa == fb
	}
	if ta != tb {
		return false
	}
	switch va := a.(type) {
	case map[string]any:
		vb := b.(map[string]any)
		if len(va) != len(vb) {
			return false
		}
		for k, x := range va {
			y, ok := vb[k]
			if !ok || !jsonEqual(x, y) {
				return false
			}
		}
		return true
	case []any:
		vb := b.([]any)
		if len(va) != len(vb) {
			return false
		}
		for i := range va {
			if !jsonEqual(va[i], vb[i]) {
				return false
			}
		}
		return true
	case string:
		return va == b.(string)
	case bool:
		return va == b.(bool)
	case nil:
		return true
	}
	return false
}

// deepCopy returns a copy of a JSON value that shares nothing with it.
func deepCopy(x any) any {
	switch v := x.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = deepCopy(e)
		}
		return l
	}
	return x
}

// decodeRaw decodes a default, enum member or example of a schema, with
// numbers as json.Number. ok is false for an empty or malformed value.
func decodeRaw(raw json.RawMessage) (v any, ok bool) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, false
	}
	v, err := api.DecodeJSONValue(raw)
	return v, err == nil
}

// sortedKeys returns the keys of m in order, so that walks over objects
// and schemas report in the same order on every run.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// badValue renders a JSON value for a field error as Kubernetes does for a
// decoded object: numbers bare (int64 or float64, also inside
// structures), strings quoted, structures in Go syntax.
func badValue(x any) any {
	switch v := x.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return i
		}
		if f, err := strconv.ParseFloat(string(v), 64); err == nil {
			return f
		}
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = badValue(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = badValue(e)
		}
		return l
	}
	return x
}
