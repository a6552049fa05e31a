package api

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// FieldSelector selects objects by a few of their fields, as
// "?fieldSelector=spec.nodeName=node-1,status.phase!=Running" does: every
// term must hold. The zero value selects everything.
type FieldSelector struct {
	terms []fieldTerm
}

// fieldTerm is "field=value" (equal) or "field!=value" (not equal).
type fieldTerm struct {
	field, value string
	notEqual     bool
}

// ParseFieldSelector reads comma-separated terms "field=value",
// "field==value" or "field!=value". "" selects everything. As in
// Kubernetes, a backslash escapes ',', '=' and '\' inside a value, and
// whitespace is significant. Fields are not checked against a kind here; use
// ValidateFieldSelector for that.
func ParseFieldSelector(s string) (FieldSelector, error) {
	var fs FieldSelector
	if s == "" {
		return fs, nil
	}
	for _, part := range splitUnescaped(s, ',') {
		t, err := parseFieldTerm(part)
		if err != nil {
			return FieldSelector{}, fmt.Errorf("invalid selector: %q; %v", s, err)
		}
		fs.terms = append(fs.terms, t)
	}
	sort.SliceStable(fs.terms, func(i, j int) bool {
		a, b := fs.terms[i], fs.terms[j]
		if a.field != b.field {
			return a.field < b.field
		}
		if a.notEqual != b.notEqual {
			return !a.notEqual
		}
		return a.value < b.value
	})
	return fs, nil
}

// splitUnescaped splits s at each sep not preceded by an escaping backslash.
func splitUnescaped(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func parseFieldTerm(part string) (fieldTerm, error) {
	// Find the first unescaped operator: "!=", "==" or "=".
	for i := 0; i < len(part); i++ {
		switch {
		case part[i] == '\\':
			i++
		case strings.HasPrefix(part[i:], "!="):
			return newFieldTerm(part, i, 2, true)
		case strings.HasPrefix(part[i:], "=="):
			return newFieldTerm(part, i, 2, false)
		case part[i] == '=':
			return newFieldTerm(part, i, 1, false)
		}
	}
	return fieldTerm{}, fmt.Errorf("can't understand %q: expected field=value, field==value or field!=value", part)
}

func newFieldTerm(part string, at, oplen int, notEqual bool) (fieldTerm, error) {
	field := part[:at]
	if field == "" {
		return fieldTerm{}, fmt.Errorf("can't understand %q: the field name is empty", part)
	}
	value, err := unescapeFieldValue(part[at+oplen:])
	if err != nil {
		return fieldTerm{}, fmt.Errorf("can't understand %q: %v", part, err)
	}
	return fieldTerm{field: field, value: value, notEqual: notEqual}, nil
}

func unescapeFieldValue(v string) (string, error) {
	if !strings.ContainsAny(v, `\=,`) {
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch c {
		case '\\':
			if i+1 == len(v) {
				return "", fmt.Errorf("a trailing backslash escapes nothing")
			}
			i++
			switch v[i] {
			case '\\', ',', '=':
				b.WriteByte(v[i])
			default:
				return "", fmt.Errorf("invalid escape sequence \\%c (only \\\\, \\, and \\= are escapes)", v[i])
			}
		case '=', ',':
			return "", fmt.Errorf("unescaped %q in value; write \\%c", c, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func escapeFieldValue(v string) string {
	return strings.NewReplacer(`\`, `\\`, `,`, `\,`, `=`, `\=`).Replace(v)
}

// Empty reports whether the selector selects everything.
func (fs FieldSelector) Empty() bool { return len(fs.terms) == 0 }

// Matches reports whether every term holds. A field missing from fields
// counts as "".
func (fs FieldSelector) Matches(fields map[string]string) bool {
	for _, t := range fs.terms {
		if (fields[t.field] == t.value) == t.notEqual {
			return false
		}
	}
	return true
}

// String prints the selector canonically (terms sorted, values escaped);
// ParseFieldSelector reads it back to an equal selector.
func (fs FieldSelector) String() string {
	parts := make([]string, len(fs.terms))
	for i, t := range fs.terms {
		op := "="
		if t.notEqual {
			op = "!="
		}
		parts[i] = t.field + op + escapeFieldValue(t.value)
	}
	return strings.Join(parts, ",")
}

// RequiresExactMatch returns the value the selector requires field to equal,
// if one of its terms is "field=value". Stores and caches use it to serve
// "spec.nodeName=n1" from an index instead of a scan.
func (fs FieldSelector) RequiresExactMatch(field string) (value string, ok bool) {
	for _, t := range fs.terms {
		if t.field == field && !t.notEqual {
			return t.value, true
		}
	}
	return "", false
}

// Fields returns the field names the selector tests, sorted, each once.
func (fs FieldSelector) Fields() []string {
	var out []string
	for i, t := range fs.terms {
		if i == 0 || t.field != fs.terms[i-1].field {
			out = append(out, t.field)
		}
	}
	return out
}

// ObjectFields returns the fields a field selector may test on obj, with
// their values, as Kubernetes offers them: metadata.name for every kind and
// metadata.namespace for namespaced kinds, plus per kind:
//
//	Pod:        spec.nodeName, spec.restartPolicy, spec.schedulerName,
//	            spec.serviceAccountName, spec.hostNetwork, status.phase,
//	            status.podIP
//	Node:       spec.unschedulable
//	Event:      involvedObject.{kind,namespace,name,uid,apiVersion,
//	            resourceVersion,fieldPath}, reason, reportingComponent,
//	            source, type
//	Secret:     type
//	Namespace:  status.phase
//	ReplicaSet: status.replicas
//	Job:        status.successful
//
// Booleans and numbers are printed as strconv does ("true", "3").
func ObjectFields(obj Object) map[string]string {
	m := obj.GetObjectMeta()
	f := map[string]string{"metadata.name": m.Name}
	if r := ResourceOf(obj); r == nil || r.Namespaced {
		f["metadata.namespace"] = m.Namespace
	}
	switch o := obj.(type) {
	case *Pod:
		f["spec.nodeName"] = o.Spec.NodeName
		f["spec.restartPolicy"] = string(o.Spec.RestartPolicy)
		f["spec.schedulerName"] = o.Spec.SchedulerName
		f["spec.serviceAccountName"] = o.Spec.ServiceAccountName
		f["spec.hostNetwork"] = strconv.FormatBool(o.Spec.HostNetwork)
		f["status.phase"] = string(o.Status.Phase)
		f["status.podIP"] = o.Status.PodIP
	case *Node:
		f["spec.unschedulable"] = strconv.FormatBool(o.Spec.Unschedulable)
	case *Event:
		io := o.InvolvedObject
		f["involvedObject.kind"] = io.Kind
		f["involvedObject.namespace"] = io.Namespace
		f["involvedObject.name"] = io.Name
		f["involvedObject.uid"] = io.UID
		f["involvedObject.apiVersion"] = io.APIVersion
		f["involvedObject.resourceVersion"] = io.ResourceVersion
		f["involvedObject.fieldPath"] = io.FieldPath
		f["reason"] = o.Reason
		f["reportingComponent"] = o.ReportingComponent
		f["source"] = o.Source.Component
		f["type"] = o.Type
	case *Secret:
		f["type"] = o.Type
	case *Namespace:
		f["status.phase"] = o.Status.Phase
	case *ReplicaSet:
		f["status.replicas"] = strconv.Itoa(int(o.Status.Replicas))
	case *Job:
		f["status.successful"] = strconv.Itoa(int(o.Status.Succeeded))
	}
	return f
}

// ValidateFieldSelector checks that every field sel tests is one that r's
// kind offers (see ObjectFields). The error uses Kubernetes' words, "field
// label not supported: spec.foo"; ObjectFields(r.New()) lists what is.
func ValidateFieldSelector(r *Resource, sel FieldSelector) error {
	supported := ObjectFields(r.New())
	for _, f := range sel.Fields() {
		if _, ok := supported[f]; !ok {
			return fmt.Errorf("field label not supported: %s", f)
		}
	}
	return nil
}
