package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// UnknownFields returns the JSON paths of every field in raw that obj's type
// does not have, sorted, written as Kubernetes writes them:
// "spec.template.spec.containers[0].foo". encoding/json silently drops such
// fields (and matches names case-insensitively, which Kubernetes does not:
// "Spec" is reported here); the API server turns each path into the warning
// `unknown field "<path>"`, or rejects the request under strict field
// validation.
//
// raw must be one JSON object. The walk follows the Go type's json tags,
// flattening `json:",inline"` and other untagged embedded structs, through
// pointers, slices and maps; types that decode themselves (Quantity, Time,
// MicroTime, IntOrString, json.RawMessage) and []byte are leaves. A value
// whose JSON type does not fit the Go type is not walked further: decoding
// reports that.
func UnknownFields(raw []byte, obj Object) ([]string, error) {
	var out []string
	err := walkJSON(raw, obj, func(p string) { out = append(out, p) }, nil)
	if err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

// NotImplementedFields lists fields tinykube accepts (they decode, validate
// and are stored) but does not act on, with the reason shown to users. A key
// is the Go type that holds the field and the field's JSON name
// ("Container.imagePullPolicy"), so one entry covers a Pod, every pod
// template and every list index alike.
//
// Only fields with no implementation planned soon belong here; a field that
// the next component to land will honour does not.
var NotImplementedFields = map[string]string{
	"Container.terminationMessagePath":                             "termination messages are not collected; the container's exit code and logs are",
	"Container.startupProbe":                                       "only liveness and readiness probes run",
	"PodSecurityContext.seLinuxOptions":                            "SELinux labels are not applied",
	"SecurityContext.seLinuxOptions":                               "SELinux labels are not applied",
	"PodSecurityContext.appArmorProfile":                           "AppArmor profiles are not applied",
	"SecurityContext.appArmorProfile":                              "AppArmor profiles are not applied",
	"PodSecurityContext.sysctls":                                   "sysctls are not set in the pod's sandbox",
	"PodSpec.priorityClassName":                                    "there are no PriorityClasses; the scheduler neither orders nor preempts by priority",
	"PodSpec.priority":                                             "the scheduler neither orders nor preempts by priority",
	"PodSpec.hostNetwork":                                          "every pod gets its own network namespace",
	"PodSpec.hostPID":                                              "every pod gets its own process namespace",
	"PodSpec.hostIPC":                                              "every pod gets its own IPC namespace",
	"PodSpec.shareProcessNamespace":                                "each container gets its own process namespace",
	"NodeAffinity.preferredDuringSchedulingIgnoredDuringExecution": "the scheduler applies required node affinity only; preferences are not scored",
	"ServiceSpec.externalTrafficPolicy":                            "the service proxy routes all traffic cluster-wide",
	"ServiceSpec.internalTrafficPolicy":                            "the service proxy routes all traffic cluster-wide",
}

// NotImplemented returns the sorted JSON paths of the fields present in raw
// that NotImplementedFields lists, such as
// "spec.template.spec.containers[0].imagePullPolicy". A field counts as
// present unless it is null, false, {} or [] (values that ask for nothing
// tinykube does not already do). NotImplementedReason gives each path's
// reason.
func NotImplemented(raw []byte, obj Object) ([]string, error) {
	var out []string
	err := walkJSON(raw, obj, nil, func(owner reflect.Type, field, p string, v any) {
		if _, ok := NotImplementedFields[owner.Name()+"."+field]; ok && !emptyJSON(v) {
			out = append(out, p)
		}
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

// NotImplementedReason returns why the field at path (as NotImplemented
// returns it) is not acted on, or "" if it is not listed.
func NotImplementedReason(obj Object, path string) string {
	t := derefType(reflect.TypeOf(obj))
	segs := splitFieldPath(path)
	for i, seg := range segs {
		if t.Kind() != reflect.Struct {
			return ""
		}
		f, ok := jsonFieldSet(t)[seg.name]
		if !ok {
			return ""
		}
		if i == len(segs)-1 {
			return NotImplementedFields[f.owner.Name()+"."+seg.name]
		}
		t = derefType(f.typ)
		for range seg.subscripts {
			if t.Kind() != reflect.Slice && t.Kind() != reflect.Map && t.Kind() != reflect.Array {
				return ""
			}
			t = derefType(t.Elem())
		}
	}
	return ""
}

// NotImplementedWarnings returns one warning per field NotImplemented finds,
// worded for the API server's Warning headers: `field "<path>" is accepted
// but not implemented by tinykube: <reason>`.
func NotImplementedWarnings(raw []byte, obj Object) ([]string, error) {
	paths, err := NotImplemented(raw, obj)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = fmt.Sprintf("field %q is accepted but not implemented by tinykube: %s", p, NotImplementedReason(obj, p))
	}
	return out, nil
}

// FieldReport is what CheckFields finds in one pass over a request body.
type FieldReport struct {
	Unknown        []string // paths of fields the type does not have
	Duplicate      []string // paths of keys repeated in one object
	NotImplemented []string // paths of fields accepted but not acted on
	Warnings       []string // one user-facing warning per path above
}

// Refused returns what strict field validation refuses, worded as
// Kubernetes words it: `unknown field "<path>"` for each unknown field, then
// `duplicate field "<path>"` for each repeated one. Fields tinykube knows
// but does not implement are not among them: they are known fields, so
// only warned about.
func (r FieldReport) Refused() []string {
	var out []string
	for _, p := range r.Unknown {
		out = append(out, fmt.Sprintf("unknown field %q", p))
	}
	for _, p := range r.Duplicate {
		out = append(out, fmt.Sprintf("duplicate field %q", p))
	}
	return out
}

// CheckFields walks raw once and reports the unknown and the
// not-implemented fields, with their warnings: what UnknownFields,
// NotImplemented and NotImplementedWarnings find together, for a third of
// the decoding (the API server runs it on every write). Repeated keys,
// which the generic decoding cannot see, come from DuplicateFields.
func CheckFields(raw []byte, obj Object) (FieldReport, error) {
	var r FieldReport
	err := walkJSON(raw, obj, func(p string) { r.Unknown = append(r.Unknown, p) },
		func(owner reflect.Type, field, p string, v any) {
			if _, ok := NotImplementedFields[owner.Name()+"."+field]; ok && !emptyJSON(v) {
				r.NotImplemented = append(r.NotImplemented, p)
			}
		})
	if err != nil {
		return FieldReport{}, err
	}
	sort.Strings(r.Unknown)
	sort.Strings(r.NotImplemented)
	r.Duplicate = DuplicateFields(raw, obj)
	r.Warnings = r.Refused()
	for _, p := range r.NotImplemented {
		r.Warnings = append(r.Warnings, fmt.Sprintf("field %q is accepted but not implemented by tinykube: %s", p, NotImplementedReason(obj, p)))
	}
	return r, nil
}

type pathSeg struct {
	name       string
	subscripts int
}

// splitFieldPath splits "a.b[0][k].c" into a, b (two subscripts), c,
// ignoring dots inside brackets.
func splitFieldPath(p string) []pathSeg {
	var segs []pathSeg
	var cur pathSeg
	depth := 0
	start := 0
	flush := func(end int) {
		if cur.name == "" {
			cur.name = p[start:end]
		}
		segs = append(segs, cur)
		cur = pathSeg{}
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '[':
			if depth == 0 {
				if cur.name == "" {
					cur.name = p[start:i]
				}
				cur.subscripts++
			}
			depth++
		case c == ']':
			depth--
		case c == '.' && depth == 0:
			flush(i)
			start = i + 1
		}
	}
	flush(len(p))
	return segs
}

func emptyJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// walkJSON decodes raw generically and walks it against obj's Go type,
// calling unknown for each field the type lacks and known for each field it
// has (with the struct type that declares it).
func walkJSON(raw []byte, obj Object, unknown func(p string), known func(owner reflect.Type, field, p string, v any)) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("decoding %T: %v", obj, err)
	}
	if _, ok := v.(map[string]any); !ok {
		return fmt.Errorf("decoding %T: expected a JSON object", obj)
	}
	w := jsonWalker{unknown: unknown, known: known}
	w.walk(v, reflect.TypeOf(obj), "")
	return nil
}

type jsonWalker struct {
	unknown func(p string)
	known   func(owner reflect.Type, field, p string, v any)
}

var unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// isJSONLeaf reports whether t decodes itself or is opaque to the walk.
func isJSONLeaf(t reflect.Type) bool {
	if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return true
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Slice:
		return t.Elem().Kind() == reflect.Uint8
	}
	return false
}

func joinPath(p, name string) string {
	if p == "" {
		return name
	}
	return p + "." + name
}

func (w *jsonWalker) walk(v any, t reflect.Type, p string) {
	t = derefType(t)
	if v == nil || isJSONLeaf(t) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		fields := jsonFieldSet(t)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			fp := joinPath(p, k)
			f, ok := fields[k]
			if !ok {
				if w.unknown != nil {
					w.unknown(fp)
				}
				continue
			}
			if w.known != nil {
				w.known(f.owner, k, fp, obj[k])
			}
			w.walk(obj[k], f.typ, fp)
		}
	case reflect.Slice, reflect.Array:
		arr, ok := v.([]any)
		if !ok {
			return
		}
		for i, e := range arr {
			w.walk(e, t.Elem(), p+"["+strconv.Itoa(i)+"]")
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			w.walk(obj[k], t.Elem(), p+"["+k+"]")
		}
	}
}

// jsonField is one field as encoding/json sees it: its Go type and the
// struct type that declares it (an embedded struct's type for promoted
// fields).
type jsonField struct {
	typ   reflect.Type
	owner reflect.Type
}

// jsonFieldSet returns the JSON fields of struct type t, by name, following
// encoding/json: `json:"-"` is skipped, embedded structs without a tag name
// are flattened, and a shallower field hides a deeper one of the same name.
func jsonFieldSet(t reflect.Type) map[string]jsonField {
	out := map[string]jsonField{}
	level := []reflect.Type{t}
	seen := map[reflect.Type]bool{}
	for len(level) > 0 {
		var next []reflect.Type
		found := map[string]jsonField{}
		for _, st := range level {
			if seen[st] {
				continue
			}
			seen[st] = true
			for i := 0; i < st.NumField(); i++ {
				f := st.Field(i)
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, _, _ := strings.Cut(tag, ",")
				if f.Anonymous && name == "" {
					if et := derefType(f.Type); et.Kind() == reflect.Struct {
						next = append(next, et)
						continue
					}
				}
				if !f.IsExported() {
					continue
				}
				if name == "" {
					name = f.Name
				}
				if _, hidden := out[name]; !hidden {
					found[name] = jsonField{typ: f.Type, owner: st}
				}
			}
		}
		for k, f := range found {
			out[k] = f
		}
		level = next
	}
	return out
}
