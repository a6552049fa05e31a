package schema

import "strconv"

// fieldPath is the path of a field error or of a pruned field, rendered as
// Kubernetes renders field.Path: "spec.versions[0].schema", "properties[spec]".
type fieldPath string

// child appends a field name.
func (p fieldPath) child(name string) fieldPath {
	if p == "" {
		return fieldPath(name)
	}
	return p + "." + fieldPath(name)
}

// index appends a list index.
func (p fieldPath) index(i int) fieldPath { return p + fieldPath("["+strconv.Itoa(i)+"]") }

// key appends a map key, unquoted: properties[spec].
func (p fieldPath) key(k string) fieldPath { return p + fieldPath("["+k+"]") }

func (p fieldPath) String() string { return string(p) }
