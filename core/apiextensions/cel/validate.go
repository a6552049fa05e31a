package cel

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"

	"github.com/tinykube/tinykube/core/api"
)

// validator is one Validate call: the cost left and the errors so far.
// Once budget is negative, validation has stopped.
type validator struct {
	budget int64
	errs   api.FieldErrors
}

// walk evaluates the rules of n on v (decoded JSON at path; "" is the
// object itself) and goes down to the nodes under n. old is the value at the
// same place in the stored object, nil when there is none to compare with:
// on create, for a new key, or for list items that cannot be matched
// (only items of x-kubernetes-list-type map lists are matched, by their
// keys). Null and absent values are not validated: a rule checks presence
// from the object around it. Keys are visited in sorted order, so the errors
// come in the same order on every run.
func (v *validator) walk(n *node, path string, val, old any) {
	if n == nil || val == nil || v.budget < 0 {
		return
	}
	if len(n.rules) > 0 {
		v.evaluate(n, path, val, old)
	}
	switch x := val.(type) {
	case map[string]any:
		om, _ := old.(map[string]any)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			var ov any
			if om != nil {
				ov = om[k]
			}
			if n.additional != nil {
				v.walk(n.additional, path+"["+k+"]", x[k], ov)
			}
			if c := n.properties[k]; c != nil {
				v.walk(c, child(path, k), x[k], ov)
			}
		}
	case []any:
		if n.items == nil {
			return
		}
		match := oldItems(n.schema, old)
		for i, it := range x {
			v.walk(n.items, path+"["+strconv.Itoa(i)+"]", it, match(it))
		}
	}
}

// child appends a property name to a field path.
func child(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// oldItems returns the function finding the old item a new list item is
// compared with: for a map list the old item with the same key values, for
// any other list none (set and atomic lists have no identity to match by).
func oldItems(s *api.JSONSchemaProps, old any) func(any) any {
	ol, _ := old.([]any)
	if s.XListType == nil || *s.XListType != "map" || len(s.XListMapKeys) == 0 || len(ol) == 0 {
		return func(any) any { return nil }
	}
	key := func(item any) (string, bool) {
		m, ok := item.(map[string]any)
		if !ok {
			return "", false
		}
		parts := make([]any, len(s.XListMapKeys))
		for i, k := range s.XListMapKeys {
			parts[i] = m[k]
		}
		b, err := json.Marshal(parts)
		return string(b), err == nil
	}
	byKey := map[string]any{}
	for _, it := range ol {
		if k, ok := key(it); ok {
			if _, dup := byKey[k]; !dup {
				byKey[k] = it
			}
		}
	}
	return func(it any) any {
		k, ok := key(it)
		if !ok {
			return nil
		}
		return byKey[k]
	}
}

// evaluate runs the rules of n on val, with old as oldSelf, appending an
// error for each rule that fails or cannot be evaluated. Transition rules
// run only when old is there, unless optionalOldSelf, when oldSelf is an
// optional (none on create).
func (v *validator) evaluate(n *node, path string, val, old any) {
	self := celValue(toCEL(val, n.schema, n.resourceRoot))
	var oldSelf ref.Val
	if old != nil {
		oldSelf = celValue(toCEL(old, n.schema, n.resourceRoot))
	}
	for _, r := range n.rules {
		if v.budget <= 0 {
			v.add(api.FieldInvalid(errPath(path), schemaType(n.schema),
				"validation failed due to running out of cost budget, no further validation rules will be run"))
			v.budget = -1
			return
		}
		vars := map[string]any{selfVar: self}
		switch {
		case r.optional && old != nil:
			vars[oldSelfVar] = types.OptionalOf(oldSelf)
		case r.optional:
			vars[oldSelfVar] = types.OptionalNone
		case old != nil:
			vars[oldSelfVar] = oldSelf
		case r.usesOldSelf:
			continue // a transition rule with nothing to compare with
		}
		out, cost, err := v.run(r.program, vars)
		if v.budget -= cost; v.budget < 0 {
			v.add(api.FieldInvalid(errPath(path), schemaType(n.schema),
				"validation failed due to running out of cost budget, no further validation rules will be run"))
			return
		}
		if err != nil {
			msg := err.Error()
			switch {
			case strings.HasPrefix(msg, costExceededPrefix):
				v.add(api.FieldInvalid(errPath(path), schemaType(n.schema), fmt.Sprintf(
					"'%s': no further validation rules will be run due to call cost exceeds limit for rule: %s", msg, ruleText(r.src))))
				v.budget = -1
				return
			case strings.HasPrefix(msg, "no such overload"):
				v.add(api.FieldInvalid(errPath(path), schemaType(n.schema), fmt.Sprintf(
					"'%s': call arguments did not match a supported operator, function or macro signature for rule: %s", msg, ruleText(r.src))))
			default:
				v.add(api.FieldInvalid(errPath(path), schemaType(n.schema), fmt.Sprintf(
					"%s evaluating rule: %s", msg, ruleText(r.src))))
			}
			continue
		}
		if out == types.True {
			continue
		}
		at := path
		if r.fieldPath != "" {
			at = child(path, r.fieldPath)
			if strings.HasPrefix(r.fieldPath, "[") {
				at = path + r.fieldPath
				if path == "" {
					at = r.fieldPath
				}
			}
		}
		detail := v.message(r, vars, errPath(at))
		if v.budget < 0 {
			return
		}
		v.add(failure(errPath(at), n.schema, val, detail, r.src.Reason))
	}
}

// run evaluates p and returns its result, its cost, and its error. cel-go
// recovers the panics of its own evaluation; this recovers anything else
// so that a rule can never take the server down.
func (v *validator) run(p cel.Program, vars map[string]any) (out ref.Val, cost int64, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("internal error: %v", r)
		}
	}()
	out, det, err := p.Eval(vars)
	if det != nil && det.ActualCost() != nil {
		c := *det.ActualCost()
		if c > uint64(runtimeCostBudget)*2 {
			c = uint64(runtimeCostBudget) * 2
		}
		cost = int64(c)
	}
	return out, cost, err
}

// message returns the detail of a failed rule: its messageExpression's
// value when it has one that evaluates to a usable string, else its message,
// else "failed rule: RULE". A messageExpression over the cost limit stops
// validation with an error, as Kubernetes does.
func (v *validator) message(r *rule, vars map[string]any, at string) string {
	if r.message != nil {
		out, cost, err := v.run(r.message, vars)
		v.budget -= cost
		switch {
		case v.budget < 0:
			v.add(api.FieldInvalid(at, "object", "messageExpression evaluation failed due to running out of cost budget, no further validation rules will be run"))
			return ""
		case err != nil && strings.HasPrefix(err.Error(), costExceededPrefix):
			v.add(api.FieldInvalid(at, "object", fmt.Sprintf(
				"no further validation rules will be run due to call cost exceeds limit for messageExpression: %q", r.src.MessageExpression)))
			v.budget = -1
			return ""
		case err == nil:
			if s, ok := out.Value().(string); ok {
				s = strings.TrimSpace(s)
				if s != "" && len(s) <= maxMessageExpressionBytes && !strings.Contains(s, "\n") {
					return s
				}
			}
		}
	}
	if r.src.Message != "" {
		return strings.TrimSpace(r.src.Message)
	}
	return "failed rule: " + ruleText(r.src)
}

// ruleText names a rule in errors: its message when it has one, else its
// text.
func ruleText(vr api.ValidationRule) string {
	if vr.Message != "" {
		return strings.TrimSpace(vr.Message)
	}
	return strings.TrimSpace(vr.Rule)
}

// errPath is a field path as Kubernetes prints it in an error: the object
// itself (the empty path) prints as "<nil>".
func errPath(path string) string {
	if path == "" {
		return "<nil>"
	}
	return path
}

// schemaType is the schema's type, the bad value Kubernetes shows when a rule
// cannot be evaluated ("object", "string", ... or "" for untyped values).
func schemaType(s *api.JSONSchemaProps) string { return s.Type }

// failure is the error of a rule that evaluated to false, of the kind its
// reason asks for (Invalid when none). As in Kubernetes 1.37, the bad value
// of an Invalid or Duplicate error is the value itself for scalars and is
// left out for objects and arrays: "spec: Invalid value: <detail>".
func failure(at string, s *api.JSONSchemaProps, val any, detail string, reason *string) *api.FieldError {
	bad := ""
	if s.Type != "object" && s.Type != "array" {
		bad = renderScalar(val)
	}
	r := ""
	if reason != nil {
		r = *reason
	}
	switch r {
	case "FieldValueForbidden":
		return api.FieldForbidden(at, detail)
	case "FieldValueRequired":
		return api.FieldRequired(at, detail)
	case "FieldValueDuplicate":
		return &api.FieldError{Type: api.ErrorTypeDuplicate, Field: at, BadValue: bad}
	}
	return &api.FieldError{Type: api.ErrorTypeInvalid, Field: at, BadValue: bad, Detail: detail}
}

// renderScalar prints a decoded JSON value as Kubernetes prints a bad value:
// strings quoted, numbers and booleans bare, anything else as JSON.
func renderScalar(val any) string {
	switch x := val.(type) {
	case string:
		return strconv.Quote(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, err := json.Marshal(val)
	if err != nil {
		return fmt.Sprint(val)
	}
	return string(b)
}

// add records an error.
func (v *validator) add(e *api.FieldError) { v.errs = append(v.errs, e) }
