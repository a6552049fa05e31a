package printers

// Evaluating a parsed JSONPath template (see jsonpath.go) over decoded
// JSON, and printing what it selects.

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// FindResults evaluates the template over data and returns, for each
// piece printed (literal text included, a range's body once per element),
// the values it selected.
func (j *JSONPath) FindResults(data any) ([][]any, error) {
	var out [][]any
	err := evalParts(j.parts, data, &out)
	return out, err
}

func evalParts(parts []tmplPart, data any, out *[][]any) error {
	for _, p := range parts {
		switch {
		case p.isRng:
			vals, err := evalSteps(p.expr, []any{data})
			if err != nil {
				return err
			}
			for _, v := range vals {
				if err := evalParts(p.body, v, out); err != nil {
					return err
				}
			}
		case !p.isExpr:
			*out = append(*out, []any{p.text})
		default:
			vals, err := evalSteps(p.expr, []any{data})
			if err != nil {
				return err
			}
			*out = append(*out, vals)
		}
	}
	return nil
}

// Execute writes the template evaluated over data: literal text as is,
// the values of each action separated by spaces, strings and numbers
// plainly and objects and lists as compact JSON (as kubectl prints them).
func (j *JSONPath) Execute(w io.Writer, data any) error {
	results, err := j.FindResults(data)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, vals := range results {
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(ValueText(v))
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// ValueText prints one selected value as kubectl's JSONPath does: a
// string as is, a number in its shortest form, null as "null", an object
// or list as compact JSON.
func ValueText(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case map[string]any, []any:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
	if n, ok := number(v); ok {
		return fmt.Sprint(n)
	}
	return fmt.Sprint(v)
}

// evalSteps applies steps in turn to a set of values.
func evalSteps(steps []pStep, cur []any) ([]any, error) {
	for _, s := range steps {
		var err error
		if cur, err = evalStep(s, cur); err != nil {
			return nil, err
		}
	}
	return cur, nil
}

func evalStep(s pStep, in []any) ([]any, error) {
	var out []any
	switch s.kind {
	case stepLiteral:
		for range in {
			out = append(out, s.lit)
		}
	case stepField:
		for _, v := range in {
			if m, ok := v.(map[string]any); ok {
				if x, ok := m[s.name]; ok {
					out = append(out, x)
				}
			}
		}
	case stepWildcard:
		for _, v := range in {
			out = append(out, children(v)...)
		}
	case stepRecursive:
		for _, v := range in {
			out = descend(v, out)
		}
	case stepUnion:
		for _, alt := range s.alts {
			vals, err := evalSteps(alt, in)
			if err != nil {
				return nil, err
			}
			out = append(out, vals...)
		}
	case stepSlice:
		for _, v := range in {
			if v == nil {
				continue
			}
			l, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("%s is not an array: it cannot be indexed", kindOf(v))
			}
			sel, err := s.slice.apply(l)
			if err != nil {
				return nil, err
			}
			out = append(out, sel...)
		}
	case stepFilter:
		for _, v := range in {
			if v == nil {
				continue
			}
			l, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("%s is not an array: it cannot be filtered", kindOf(v))
			}
			for _, e := range l {
				keep, err := s.keeps(e)
				if err != nil {
					return nil, err
				}
				if keep {
					out = append(out, e)
				}
			}
		}
	}
	return out, nil
}

// children returns the elements of a list or the values of an object in
// key order; other values have none.
func children(v any) []any {
	switch v := v.(type) {
	case []any:
		return append([]any(nil), v...)
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = v[k]
		}
		return out
	}
	return nil
}

// descend appends v and every object and list under it, depth first, as
// the start points of a recursive descent ("..name" looks for name in
// each). Scalars and empty containers are not start points.
func descend(v any, out []any) []any {
	kids := children(v)
	if len(kids) == 0 {
		return out
	}
	out = append(out, v)
	for _, k := range kids {
		out = descend(k, out)
	}
	return out
}

// apply selects from l as kubectl does: negative positions count from the
// end, and a position outside the list is an error rather than clamped.
func (sp sliceParams) apply(l []any) ([]any, error) {
	n := len(l)
	start, end := 0, n
	if sp.hasStart {
		start = sp.start
	}
	if start < 0 {
		start += n
	}
	if sp.hasEnd {
		end = sp.end
		if end < 0 || (end == 0 && sp.derivedEnd) {
			end += n
		}
	}
	if start == end {
		return nil, nil
	}
	if start < 0 || start >= n {
		return nil, fmt.Errorf("array index out of bounds: index %d, length %d", start, n)
	}
	if end < 0 || end > n {
		return nil, fmt.Errorf("array index out of bounds: index %d, length %d", end-1, n)
	}
	if start > end {
		return nil, fmt.Errorf("starting index %d is greater than ending index %d", start, end)
	}
	step := 1
	if sp.hasStep {
		if sp.step <= 0 {
			return nil, fmt.Errorf("step must be > 0")
		}
		step = sp.step
	}
	var out []any
	for i := start; i < end; i += step {
		out = append(out, l[i])
	}
	return out, nil
}

// keeps reports whether the filter selects element e.
func (s pStep) keeps(e any) (bool, error) {
	lefts, err := evalSteps(s.left, []any{e})
	if s.op == "exists" {
		return err == nil && len(lefts) > 0, nil
	}
	if err != nil {
		return false, err
	}
	rights, err := evalSteps(s.right, []any{e})
	if err != nil {
		return false, err
	}
	if len(lefts) == 0 || len(rights) == 0 {
		return false, nil
	}
	if len(lefts) > 1 || len(rights) > 1 {
		return false, fmt.Errorf("a filter compares one value with one value; %s selected %d and %d", s.op, len(lefts), len(rights))
	}
	return compare(lefts[0], s.op, rights[0])
}

// compare applies op to two values of one kind: numbers by value, strings
// by bytes, booleans and nulls by equality only.
func compare(a any, op string, b any) (bool, error) {
	var c int
	na, aNum := number(a)
	nb, bNum := number(b)
	sa, aStr := a.(string)
	sb, bStr := b.(string)
	switch {
	case aNum && bNum:
		fa, fb := toFloat(na), toFloat(nb)
		ia, aInt := na.(int64)
		ib, bInt := nb.(int64)
		switch {
		case aInt && bInt && ia < ib, !(aInt && bInt) && fa < fb:
			c = -1
		case aInt && bInt && ia > ib, !(aInt && bInt) && fa > fb:
			c = 1
		}
	case aStr && bStr:
		c = strings.Compare(sa, sb)
	default:
		ba, aBool := a.(bool)
		bb, bBool := b.(bool)
		if !(aBool && bBool) && !(a == nil && b == nil) {
			return false, fmt.Errorf("incompatible types for comparison: %s %s %s", kindOf(a), op, kindOf(b))
		}
		switch op {
		case "==":
			return ba == bb, nil
		case "!=":
			return ba != bb, nil
		}
		return false, fmt.Errorf("%s cannot order %s values", op, kindOf(a))
	}
	switch op {
	case "==":
		return c == 0, nil
	case "!=":
		return c != 0, nil
	case "<":
		return c < 0, nil
	case ">":
		return c > 0, nil
	case "<=":
		return c <= 0, nil
	case ">=":
		return c >= 0, nil
	}
	return false, fmt.Errorf("unrecognized filter operator %s", op)
}

// number returns v as an int64 or float64 when it is a number: a
// json.Number is read as Kubernetes reads JSON numbers (an integer when
// it is one, a float otherwise).
func number(v any) (any, bool) {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, true
		}
		if f, err := v.Float64(); err == nil {
			return f, true
		}
		return nil, false
	case int64:
		return v, true
	case int:
		return int64(v), true
	case int32:
		return int64(v), true
	case float64:
		return v, true
	case float32:
		return float64(v), true
	}
	return nil, false
}

func toFloat(n any) float64 {
	if i, ok := n.(int64); ok {
		return float64(i)
	}
	return n.(float64)
}

// kindOf names a JSON value's type for messages.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	if _, ok := number(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}
