package api

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// ErrorType is the kind of a validation failure, in Kubernetes' words: the
// text is what a user reads after the field path.
type ErrorType string

// The validation error types, worded as Kubernetes words them.
const (
	ErrorTypeRequired     ErrorType = "Required value"
	ErrorTypeInvalid      ErrorType = "Invalid value"
	ErrorTypeDuplicate    ErrorType = "Duplicate value"
	ErrorTypeNotSupported ErrorType = "Unsupported value"
	ErrorTypeTooLong      ErrorType = "Too long"
	ErrorTypeForbidden    ErrorType = "Forbidden"
	ErrorTypeTooMany      ErrorType = "Too many"
	ErrorTypeNotFound     ErrorType = "Not found"
)

// FieldError is one validation failure: what kind, where (a JSON path such
// as "spec.containers[0].image"), the offending value, and what would be
// right.
//
// BadValue holds the value as Kubernetes prints it: strings quoted
// ("\"Foo_Bar\""), numbers and booleans bare ("-1"), structures in Go syntax.
// The FieldXxx constructors render it; code that builds a FieldError by hand
// must render it too. An empty BadValue leaves the value out ("spec: Invalid
// value: <detail>"), as Kubernetes' field.OmitValueType does; the
// constructors never produce one (an empty string renders as "\"\"").
type FieldError struct {
	Type     ErrorType
	Field    string
	BadValue string
	Detail   string
}

// Error prints "field: type: value: detail", omitting the value for
// Required, Forbidden and Too long or when BadValue is empty, and the
// detail when there is none, as Kubernetes does.
func (e *FieldError) Error() string {
	return e.Field + ": " + e.ErrorBody()
}

// ErrorBody is Error without the field path: what Kubernetes puts in a
// Status cause's message.
func (e *FieldError) ErrorBody() string {
	s := string(e.Type)
	switch e.Type {
	case ErrorTypeRequired, ErrorTypeForbidden, ErrorTypeTooLong:
	default:
		if e.BadValue != "" {
			s += ": " + e.BadValue
		}
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// FieldErrors is every validation failure of one object, in the order the
// validator found them.
type FieldErrors []*FieldError

// Error prints one error alone and several as "[e1, e2]", dropping repeats,
// as Kubernetes' aggregate errors do. It prints "" for no errors.
func (l FieldErrors) Error() string {
	var msgs []string
	seen := map[string]bool{}
	for _, e := range l {
		m := e.Error()
		if !seen[m] {
			seen[m] = true
			msgs = append(msgs, m)
		}
	}
	switch len(msgs) {
	case 0:
		return ""
	case 1:
		return msgs[0]
	}
	return "[" + strings.Join(msgs, ", ") + "]"
}

// Err returns l as an error, or nil when l is empty. (A nil FieldErrors
// stored in an error interface is not a nil error; use this instead.)
func (l FieldErrors) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// FieldRequired reports a missing value.
func FieldRequired(field, detail string) *FieldError {
	return &FieldError{Type: ErrorTypeRequired, Field: field, Detail: detail}
}

// FieldInvalid reports a value that is malformed or out of range.
func FieldInvalid(field string, value any, detail string) *FieldError {
	return &FieldError{Type: ErrorTypeInvalid, Field: field, BadValue: renderValue(value), Detail: detail}
}

// FieldNotSupported reports a value outside a fixed set, listing the set.
func FieldNotSupported(field string, value any, supported []string) *FieldError {
	q := make([]string, len(supported))
	for i, s := range supported {
		q[i] = strconv.Quote(s)
	}
	detail := ""
	if len(q) > 0 {
		detail = "supported values: " + strings.Join(q, ", ")
	}
	return &FieldError{Type: ErrorTypeNotSupported, Field: field, BadValue: renderValue(value), Detail: detail}
}

// FieldDuplicate reports a value that must be unique but is not.
func FieldDuplicate(field string, value any) *FieldError {
	return &FieldError{Type: ErrorTypeDuplicate, Field: field, BadValue: renderValue(value)}
}

// FieldNotFound reports a reference to something that does not exist.
func FieldNotFound(field string, value any) *FieldError {
	return &FieldError{Type: ErrorTypeNotFound, Field: field, BadValue: renderValue(value)}
}

// FieldForbidden reports a field that may not be set (or changed) here.
func FieldForbidden(field, detail string) *FieldError {
	return &FieldError{Type: ErrorTypeForbidden, Field: field, Detail: detail}
}

// FieldTooLong reports a value longer than max bytes.
func FieldTooLong(field string, max int) *FieldError {
	return &FieldError{Type: ErrorTypeTooLong, Field: field, Detail: fmt.Sprintf("must have at most %d bytes", max)}
}

// FieldTooMany reports a list with more than max items.
func FieldTooMany(field string, actual, max int) *FieldError {
	return &FieldError{Type: ErrorTypeTooMany, Field: field, BadValue: strconv.Itoa(actual), Detail: fmt.Sprintf("must have at most %d items", max)}
}

// renderValue prints a bad value as Kubernetes' field errors do: nil and nil
// pointers as null, pointers followed, simple types bare, strings quoted,
// Stringers through String, everything else in Go syntax.
func renderValue(v any) string {
	if v == nil {
		return "null"
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "null"
		}
		v = rv.Elem().Interface()
	}
	switch t := v.(type) {
	case int, int32, int64, uint, uint32, uint64, float32, float64, bool:
		return fmt.Sprint(t)
	case string:
		return strconv.Quote(t)
	case fmt.Stringer:
		return t.String()
	}
	return fmt.Sprintf("%#v", v)
}

// path builds the JSON paths of field errors: "spec", "spec.containers[0]",
// "data[key]".
type path string

// child appends field names: path("spec").child("template", "spec").
func (p path) child(names ...string) path {
	s := string(p)
	for _, n := range names {
		if s == "" {
			s = n
		} else {
			s += "." + n
		}
	}
	return path(s)
}

// index appends a list index.
func (p path) index(i int) path { return path(string(p) + "[" + strconv.Itoa(i) + "]") }

// key appends a map key, unquoted as Kubernetes prints it.
func (p path) key(k string) path { return path(string(p) + "[" + k + "]") }

func (p path) String() string { return string(p) }
