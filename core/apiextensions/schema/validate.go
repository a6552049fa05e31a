package schema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/tinykube/tinykube/core/api"
)

// Validation follows kube-openapi's validator, which Kubernetes runs on
// every write of a custom object, and words its failures the same way:
// the field path, then a sentence that repeats the path with "in body"
// ("spec.replicas in body should be less than or equal to 10"). Paths
// join property names with dots, array items with [i], and (as
// kube-openapi does) additionalProperties keys with dots too.
//
// Differences from Kubernetes, on purpose: patterns are Go regular
// expressions (RE2: no lookahead or backreferences; Kubernetes compiles
// them with Go's regexp too, so the two agree); the composite anyOf/oneOf/
// allOf/not failures carry the path of the value they are about, where
// Kubernetes reports them without one.

// validator walks one value against one schema. base prefixes every
// error's field (a default is validated under "...properties[x].default");
// names in messages stay relative to the value, as Kubernetes words them.
type validator struct {
	base fieldPath
	errs api.FieldErrors
}

// field is the error path of the value named name.
func (v *validator) field(name string) string {
	if name == "" {
		return string(v.base)
	}
	if v.base == "" {
		return name
	}
	return string(v.base) + "." + name
}

func (v *validator) add(e *api.FieldError) { v.errs = append(v.errs, e) }

// invalid records an Invalid value error whose detail is "<name> in body
// <what>".
func (v *validator) invalid(name string, value any, what string) {
	v.add(api.FieldInvalid(v.field(name), value, name+" in body "+what))
}

// childName joins a property to the name of its object, as kube-openapi
// does ("spec" at the root, "spec.replicas" below).
func childName(name, prop string) string {
	if name == "" {
		return prop
	}
	return name + "." + prop
}

// validateValue checks x against s and everything below it. root is true
// for the object itself, whose metadata the API server validates: only
// the metadata.name and metadata.generateName restrictions a root schema
// may carry are checked here.
func (v *validator) validateValue(s *api.JSONSchemaProps, x any, name string, root bool) {
	if s == nil {
		return
	}
	if !v.validateType(s, x, name) {
		return
	}
	if x == nil {
		return
	}
	v.validateComposites(s, x, name)
	if str, ok := x.(string); ok {
		v.validateString(s, str, name)
	}
	if t := jsonType(x); t == "integer" || t == "number" {
		v.validateNumber(s, x, name)
	}
	if l, ok := x.([]any); ok {
		v.validateArray(s, l, name)
	}
	v.validateEnum(s, x, name)
	if m, ok := x.(map[string]any); ok {
		v.validateObject(s, m, name, root)
	}
}

// validateType checks the type of x and reports whether the other checks
// apply. A null passes only a nullable schema or one without a type (its
// other checks are then skipped); a number without a fraction passes as
// an integer and an integer as a number.
func (v *validator) validateType(s *api.JSONSchemaProps, x any, name string) bool {
	var want []string
	switch {
	case s.XIntOrString:
		want = []string{"integer", "string"}
	case s.Type != "":
		want = []string{s.Type}
	}
	got := jsonType(x)
	if x == nil {
		if len(want) > 0 && !s.Nullable {
			v.add(api.FieldInvalid(v.field(name), "null", fmt.Sprintf("%s in body must be of type %s: %q", name, strings.Join(want, ","), "null")))
		}
		return false
	}
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		if w == got || (w == "number" && got == "integer") || (w == "integer" && got == "number" && isIntegral(x)) {
			return true
		}
	}
	if got == "" {
		got = fmt.Sprintf("%T", x)
	}
	v.add(api.FieldInvalid(v.field(name), got, fmt.Sprintf("%s in body must be of type %s: %q", name, strings.Join(want, ","), got)))
	return false
}

// validateComposites checks allOf, anyOf, oneOf and not.
func (v *validator) validateComposites(s *api.JSONSchemaProps, x any, name string) {
	try := func(sub *api.JSONSchemaProps) api.FieldErrors {
		w := &validator{base: v.base}
		w.validateValue(sub, x, name, false)
		return w.errs
	}
	if len(s.AnyOf) > 0 {
		var best api.FieldErrors
		ok := false
		for i := range s.AnyOf {
			errs := try(&s.AnyOf[i])
			if len(errs) == 0 {
				ok = true
				break
			}
			if best == nil || len(errs) < len(best) {
				best = errs
			}
		}
		if !ok {
			v.add(api.FieldInvalid(v.field(name), "", fmt.Sprintf("%q must validate at least one schema (anyOf)", name)))
			v.errs = append(v.errs, best...)
		}
	}
	if len(s.OneOf) > 0 {
		var best api.FieldErrors
		valid := 0
		for i := range s.OneOf {
			errs := try(&s.OneOf[i])
			if len(errs) == 0 {
				valid++
			} else if best == nil || len(errs) < len(best) {
				best = errs
			}
		}
		if valid != 1 {
			more := "Found none valid"
			if valid > 1 {
				more = fmt.Sprintf("Found %d valid alternatives", valid)
			}
			v.add(api.FieldInvalid(v.field(name), "", fmt.Sprintf("%q must validate one and only one schema (oneOf). %s", name, more)))
			if valid == 0 {
				v.errs = append(v.errs, best...)
			}
		}
	}
	if len(s.AllOf) > 0 {
		valid := 0
		for i := range s.AllOf {
			errs := try(&s.AllOf[i])
			if len(errs) == 0 {
				valid++
			}
			v.errs = append(v.errs, errs...)
		}
		if valid != len(s.AllOf) {
			more := ""
			if valid == 0 {
				more = ". None validated"
			}
			v.add(api.FieldInvalid(v.field(name), "", fmt.Sprintf("%q must validate all the schemas (allOf)%s", name, more)))
		}
	}
	if s.Not != nil && len(try(s.Not)) == 0 {
		v.add(api.FieldInvalid(v.field(name), "", fmt.Sprintf("%q must not validate the schema (not)", name)))
	}
}

// validateString checks lengths (in characters, not bytes), pattern and
// format.
func (v *validator) validateString(s *api.JSONSchemaProps, str, name string) {
	n := int64(utf8.RuneCountInString(str))
	if s.MaxLength != nil && n > *s.MaxLength {
		v.add(tooLong(v.field(name), *s.MaxLength))
	}
	if s.MinLength != nil && n < *s.MinLength {
		v.invalid(name, str, fmt.Sprintf("should be at least %d chars long", *s.MinLength))
	}
	if s.Pattern != "" {
		if re, err := compilePattern(s.Pattern); err != nil {
			v.invalid(name, str, fmt.Sprintf("should match '%s, but pattern is invalid: %s'", s.Pattern, err))
		} else if !re.MatchString(str) {
			v.invalid(name, str, fmt.Sprintf("should match '%s'", s.Pattern))
		}
	}
	typ := s.Type
	if s.XIntOrString {
		typ = ""
	}
	if check := formatChecker(s.Format, typ); check != nil && !check(str) {
		v.add(api.FieldInvalid(v.field(name), str, fmt.Sprintf("%s in body must be of type %s: %q", name, s.Format, str)))
	}
}

// tooLong is Kubernetes' Too long error for a string over maxLength.
func tooLong(field string, max int64) *api.FieldError {
	unit := "bytes"
	if max == 1 {
		unit = "byte"
	}
	return &api.FieldError{Type: api.ErrorTypeTooLong, Field: field, Detail: fmt.Sprintf("may not be more than %d %s", max, unit)}
}

// patternCache keeps compiled patterns (pattern string to
// *regexp.Regexp): a schema's patterns are checked on every write, by
// whichever goroutine of the HTTP edge serves it. It is only ever added
// to, with the same value for a key, so what it holds never changes a
// result.
var patternCache sync.Map

// compilePattern compiles a schema pattern (a Go regular expression).
func compilePattern(p string) (*regexp.Regexp, error) {
	if re, ok := patternCache.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, err
	}
	patternCache.Store(p, re)
	return re, nil
}

// validateNumber checks multipleOf, maximum and minimum. Limits print as
// integers when the value is one, as kube-openapi does.
func (v *validator) validateNumber(s *api.JSONSchemaProps, x any, name string) {
	f, _ := toFloat(x)
	i, isInt := toInt(x)
	limit := func(l float64) string {
		if isInt {
			return strconv.FormatInt(int64(l), 10)
		}
		return fmt.Sprint(l)
	}
	bad := badValue(x)
	if s.MultipleOf != nil {
		m := *s.MultipleOf
		switch {
		case m <= 0:
			v.add(api.FieldInvalid(v.field(name), bad, fmt.Sprintf("factor MultipleOf declared for %s must be positive: %v", name, m)))
		case isInt && m == float64(int64(m)):
			if i%int64(m) != 0 {
				v.invalid(name, bad, fmt.Sprintf("should be a multiple of %v", int64(m)))
			}
		default:
			q := f / m
			if m < 1 {
				q = 1 / m * f
			}
			if q != float64(int64(q)) {
				v.invalid(name, bad, fmt.Sprintf("should be a multiple of %v", m))
			}
		}
	}
	if s.Maximum != nil {
		max := *s.Maximum
		if (!s.ExclusiveMaximum && f > max) || (s.ExclusiveMaximum && f >= max) {
			if s.ExclusiveMaximum {
				v.invalid(name, bad, "should be less than "+limit(max))
			} else {
				v.invalid(name, bad, "should be less than or equal to "+limit(max))
			}
		}
	}
	if s.Minimum != nil {
		min := *s.Minimum
		if (!s.ExclusiveMinimum && f < min) || (s.ExclusiveMinimum && f <= min) {
			if s.ExclusiveMinimum {
				v.invalid(name, bad, "should be greater than "+limit(min))
			} else {
				v.invalid(name, bad, "should be greater than or equal to "+limit(min))
			}
		}
	}
}

// validateArray checks every item, the item counts, uniqueItems, and the
// uniqueness x-kubernetes-list-type set and map demand.
func (v *validator) validateArray(s *api.JSONSchemaProps, l []any, name string) {
	if items := Items(s); items != nil {
		for i, x := range l {
			v.validateValue(items, x, name+"["+strconv.Itoa(i)+"]", false)
		}
	}
	n := int64(len(l))
	if s.MinItems != nil && n < *s.MinItems {
		v.invalid(name, n, fmt.Sprintf("should have at least %d items", *s.MinItems))
	}
	if s.MaxItems != nil && n > *s.MaxItems {
		v.add(tooMany(v.field(name), n, *s.MaxItems))
	}
	if s.UniqueItems {
		for i := range l {
			if dup := indexOfEqual(l[:i], l[i]); dup >= 0 {
				v.invalid(name, "", "shouldn't contain duplicates")
				break
			}
		}
	}
	switch lt, keys := ListType(s); lt {
	case "set":
		v.duplicates(l, name, func(x any) any { return x })
	case "map":
		for i, x := range l {
			if _, ok := x.(map[string]any); x != nil && !ok {
				v.add(api.FieldInvalid(v.field(name+"["+strconv.Itoa(i)+"]"), badValue(x), "must be an object for an array of list-type map"))
				return
			}
		}
		v.duplicates(l, name, func(x any) any {
			key := map[string]any{}
			m, _ := x.(map[string]any)
			for _, k := range keys {
				if kv, ok := m[k]; ok {
					key[k] = kv
				}
			}
			return key
		})
	}
}

// duplicates reports, once per repeated value, the second item whose
// identity (the item itself for a set, its key fields for a map) an
// earlier item already had: "spec.ports[2]: Duplicate value: ...".
func (v *validator) duplicates(l []any, name string, identity func(any) any) {
	ids := make([]any, len(l))
	for i, x := range l {
		ids[i] = identity(x)
	}
	reported := make([]bool, len(l))
	for i := range ids {
		first := indexOfEqual(ids[:i], ids[i])
		if first < 0 || reported[first] {
			continue
		}
		reported[first] = true
		v.add(api.FieldDuplicate(v.field(name+"["+strconv.Itoa(i)+"]"), badValue(ids[i])))
	}
}

// indexOfEqual returns the index of the first member of l equal to x, or -1.
func indexOfEqual(l []any, x any) int {
	for i := range l {
		if jsonEqual(l[i], x) {
			return i
		}
	}
	return -1
}

// tooMany is Kubernetes' Too many error.
func tooMany(field string, n, max int64) *api.FieldError {
	unit := "items"
	if max == 1 {
		unit = "item"
	}
	return &api.FieldError{Type: api.ErrorTypeTooMany, Field: field, BadValue: strconv.FormatInt(n, 10), Detail: fmt.Sprintf("must have at most %d %s", max, unit)}
}

// validateEnum checks that x equals one member of s.enum, JSON-wise.
func (v *validator) validateEnum(s *api.JSONSchemaProps, x any, name string) {
	if len(s.Enum) == 0 {
		return
	}
	var supported []string
	for _, raw := range s.Enum {
		e, ok := decodeRaw(raw)
		if !ok {
			continue
		}
		if jsonEqual(e, x) {
			return
		}
		if str, ok := e.(string); ok {
			supported = append(supported, str)
		} else {
			b, _ := json.Marshal(e)
			supported = append(supported, string(b))
		}
	}
	v.add(api.FieldNotSupported(v.field(name), badValue(x), supported))
}

// validateObject checks property counts, additionalProperties, every
// declared property, required properties and, for an embedded resource,
// its apiVersion, kind and metadata.
func (v *validator) validateObject(s *api.JSONSchemaProps, m map[string]any, name string, root bool) {
	n := int64(len(m))
	if s.MinProperties != nil && n < *s.MinProperties {
		v.invalid(name, n, fmt.Sprintf("should have at least %d properties", *s.MinProperties))
	}
	if s.MaxProperties != nil && n > *s.MaxProperties {
		v.add(tooMany(v.field(name), n, *s.MaxProperties))
	}
	if s.XEmbeddedResource && !root {
		v.validateEmbedded(m, name)
	}
	for _, k := range sortedKeys(m) {
		if _, declared := s.Properties[k]; declared {
			continue
		}
		ap := s.AdditionalProperties
		switch {
		case ap != nil && ap.Schema != nil:
			v.validateValue(ap.Schema, m[k], childName(name, k), false)
		case ap != nil && !ap.Allows:
			v.add(api.FieldInvalid(v.field(name), k, fmt.Sprintf("%s.%s in body is a forbidden property", name, k)))
		}
	}
	for _, k := range sortedKeys(s.Properties) {
		x, ok := m[k]
		if !ok {
			continue
		}
		p := s.Properties[k]
		if root && k == "metadata" {
			v.validateRootMetadata(&p, x)
			continue
		}
		v.validateValue(&p, x, childName(name, k), false)
	}
	for _, k := range s.Required {
		if _, ok := m[k]; !ok {
			v.add(api.FieldRequired(v.field(childName(name, k)), ""))
		}
	}
}

// validateRootMetadata checks metadata.name and metadata.generateName
// against the only restrictions a structural schema may put on a custom
// object's metadata; the rest of metadata is the API server's.
func (v *validator) validateRootMetadata(s *api.JSONSchemaProps, x any) {
	m, ok := x.(map[string]any)
	if !ok {
		return
	}
	for _, k := range []string{"name", "generateName"} {
		if p, declared := s.Properties[k]; declared {
			if val, present := m[k]; present {
				v.validateValue(&p, val, "metadata."+k, false)
			}
		}
	}
}

// validateEmbedded checks what x-kubernetes-embedded-resource demands of
// an object: apiVersion and kind set to non-empty strings (kind a name),
// and metadata, if any, an object with a usable name.
func (v *validator) validateEmbedded(m map[string]any, name string) {
	for _, k := range []string{"apiVersion", "kind"} {
		x, ok := m[k]
		if !ok {
			v.add(api.FieldRequired(v.field(childName(name, k)), ""))
			continue
		}
		str, isStr := x.(string)
		switch {
		case !isStr:
			v.add(api.FieldInvalid(v.field(childName(name, k)), badValue(x), "must be a string"))
		case str == "":
			v.add(api.FieldInvalid(v.field(childName(name, k)), str, "must not be empty"))
		case k == "kind":
			if errs := api.IsDNS1035Label(strings.ToLower(str)); len(errs) > 0 {
				v.add(api.FieldInvalid(v.field(childName(name, k)), str, "may have mixed case, but should otherwise match: "+strings.Join(errs, ",")))
			}
		case k == "apiVersion" && strings.Count(str, "/") > 1:
			v.add(api.FieldInvalid(v.field(childName(name, k)), str, fmt.Sprintf("unexpected GroupVersion string: %s", str)))
		}
	}
	md, ok := m["metadata"]
	if !ok {
		return
	}
	mm, isObj := md.(map[string]any)
	if !isObj {
		v.add(api.FieldInvalid(v.field(childName(name, "metadata")), badValue(md), "must be an object"))
		return
	}
	for _, k := range []string{"name", "generateName"} {
		str, _ := mm[k].(string)
		for _, msg := range pathSegmentErrors(str, k == "generateName") {
			v.add(api.FieldInvalid(v.field(childName(name, "metadata."+k)), str, msg))
		}
	}
}

// pathSegmentErrors is Kubernetes' check of a name that must fit in a URL
// path segment.
func pathSegmentErrors(s string, prefix bool) []string {
	var errs []string
	if !prefix && (s == "." || s == "..") {
		errs = append(errs, fmt.Sprintf("may not be '%s'", s))
	}
	for _, bad := range []string{"/", "%"} {
		if strings.Contains(s, bad) {
			errs = append(errs, fmt.Sprintf("may not contain '%s'", bad))
		}
	}
	return errs
}
