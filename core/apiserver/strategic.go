package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// Strategic merge patch is a JSON merge patch that knows, per field, how
// lists merge. The knowledge lives on the Go types in core/api as struct
// tags in Kubernetes' form:
//
//	Containers []Container `json:"containers" patchStrategy:"merge" patchMergeKey:"name"`
//
// A list with patchStrategy "merge" merges item by item (by the merge key
// for objects, as a set for scalars); any other list is replaced; objects
// merge key by key; null deletes. The patch may carry directives:
//
//	"$patch": "replace" | "delete" | "merge"   in an object or a list item
//	"$deleteFromPrimitiveList/<field>": [...]  values to drop from a scalar list
//	"$setElementOrder/<field>": [...]          the order the list must have
//	"$retainKeys": [...]                       the only keys the object keeps
//
// kubectl patch, label, annotate, cordon, set image and client-side apply
// send these patches.

const (
	directiveMarker   = "$patch"
	retainKeysMarker  = "$retainKeys"
	deleteFromPrefix  = "$deleteFromPrimitiveList/"
	setOrderPrefix    = "$setElementOrder/"
	strategyMerge     = "merge"
	strategyReplace   = "replace"
	strategyRetainKey = "retainKeys"
)

// strategicMergePatch applies patch, a strategic merge patch, to doc, the
// JSON of an object whose Go type is t (such as *api.Pod). A patch that is
// not a JSON object is a 400; a directive that cannot be applied is a 422
// naming the field. doc and patch are not modified.
func strategicMergePatch(doc, patch []byte, t reflect.Type) ([]byte, error) {
	d, err := decodeJSON(doc, "object")
	if err != nil {
		return nil, err
	}
	p, err := decodeJSON(patch, "strategic merge patch")
	if err != nil {
		return nil, err
	}
	pm, ok := p.(map[string]any)
	if !ok {
		return nil, errBadRequest("a strategic merge patch must be a JSON object")
	}
	dm, _ := d.(map[string]any)
	out, err := mergeObject(dm, pm, schemaOf(t), "")
	if err != nil {
		return nil, api.NewStatusError(http.StatusUnprocessableEntity, api.ReasonInvalid, nil,
			"the strategic merge patch could not be applied: %v", err)
	}
	return json.Marshal(out)
}

// smpSchema is the Go type that decodes one JSON object of the document:
// a struct or a map type, or nil where the document has no known type
// (then lists are replaced and objects merged).
type smpSchema struct{ t reflect.Type }

// smpField is what a field's tags say about merging its value.
type smpField struct {
	schema  smpSchema // of the value, or of the items of a list
	merge   bool      // patchStrategy includes merge
	replace bool      // patchStrategy includes replace
	key     string    // patchMergeKey
}

func schemaOf(t reflect.Type) smpSchema {
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		t = t.Elem()
	}
	if t == nil || (t.Kind() != reflect.Struct && t.Kind() != reflect.Map) {
		return smpSchema{}
	}
	return smpSchema{t}
}

// field returns the strategy of the JSON field name, looking through
// inlined embedded structs (TypeMeta, a Volume's VolumeSource).
func (s smpSchema) field(name string) smpField {
	f, _ := s.lookup(name)
	return f
}

func (s smpSchema) lookup(name string) (smpField, bool) {
	t := s.t
	if t == nil {
		return smpField{}, false
	}
	if t.Kind() == reflect.Map {
		return smpField{schema: schemaOf(t.Elem())}, true
	}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		jname, _, _ := strings.Cut(tag, ",")
		if sf.Anonymous && jname == "" {
			if f, ok := schemaOf(sf.Type).lookup(name); ok {
				return f, true
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if jname == "" {
			jname = sf.Name
		}
		if jname != name {
			continue
		}
		f := smpField{schema: schemaOf(sf.Type), key: sf.Tag.Get("patchMergeKey")}
		for _, st := range strings.Split(sf.Tag.Get("patchStrategy"), ",") {
			switch st {
			case strategyMerge:
				f.merge = true
			case strategyReplace:
				f.replace = true
			}
		}
		return f, true
	}
	return smpField{}, false
}

// mergeObject merges the patch object p into o (nil for none) under schema
// s and returns the result; path names the object in errors. The steps run
// in a fixed order so that the result does not depend on map order:
// $patch, $retainKeys, $setElementOrder lists, $deleteFromPrimitiveList
// lists, then the fields in sorted order.
func mergeObject(o, p map[string]any, s smpSchema, path string) (map[string]any, error) {
	if d, ok := p[directiveMarker]; ok {
		switch d {
		case strategyReplace:
			return mergeObject(nil, withoutKey(p, directiveMarker), s, path)
		case "delete":
			return map[string]any{}, nil
		case strategyMerge:
			p = withoutKey(p, directiveMarker)
		default:
			return nil, fmt.Errorf("%s: unknown $patch directive %v (use replace, delete or merge)", where(path), d)
		}
	}
	out := make(map[string]any, len(o)+len(p))
	for k, v := range o {
		out[k] = v
	}

	if rk, ok := p[retainKeysMarker]; ok {
		if err := retainKeys(out, p, rk, path); err != nil {
			return nil, err
		}
	}

	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	done := map[string]bool{}

	for _, k := range keys {
		name, ok := strings.CutPrefix(k, setOrderPrefix)
		if !ok {
			continue
		}
		if err := setElementOrder(out, o, p, name, p[k], s.field(name), join(path, name)); err != nil {
			return nil, err
		}
		done[name] = true
	}
	for _, k := range keys {
		name, ok := strings.CutPrefix(k, deleteFromPrefix)
		if !ok {
			continue
		}
		if err := deleteFromList(out, name, p[k], join(path, name)); err != nil {
			return nil, err
		}
	}
	for _, k := range keys {
		pv := p[k]
		if strings.HasPrefix(k, "$") {
			if k == retainKeysMarker || strings.HasPrefix(k, setOrderPrefix) || strings.HasPrefix(k, deleteFromPrefix) {
				continue
			}
			return nil, fmt.Errorf("%s: unknown directive %q", where(path), k)
		}
		if done[k] {
			continue
		}
		if pv == nil {
			delete(out, k)
			continue
		}
		ov, has := out[k]
		v, keep, err := mergeField(ov, has, pv, s.field(k), join(path, k))
		if err != nil {
			return nil, err
		}
		if keep {
			out[k] = v
		} else {
			delete(out, k)
		}
	}
	return out, nil
}

// mergeField merges the patch value pv of one field into its current value
// ov (has says whether there is one) under the field's strategy. keep is
// false when the field must go (a {"$patch": "delete"} for a field that is
// not there).
func mergeField(ov any, has bool, pv any, f smpField, path string) (v any, keep bool, err error) {
	switch p := pv.(type) {
	case map[string]any:
		o, isMap := ov.(map[string]any)
		if !has || !isMap {
			if p[directiveMarker] == "delete" {
				return nil, false, nil
			}
			o = nil
		}
		if f.replace {
			o = nil
		}
		m, err := mergeObject(o, p, f.schema, path)
		return m, err == nil, err
	case []any:
		o, _ := ov.([]any)
		if !f.merge {
			l, err := freshList(p, f.schema, path)
			return l, err == nil, err
		}
		l, err := mergeListField(o, p, f, path)
		return l, err == nil, err
	default:
		return pv, true, nil
	}
}

// mergeListField merges two lists of a field whose strategy is merge:
// scalars as a set, objects by the field's merge key through mergeList.
func mergeListField(o, p []any, f smpField, path string) ([]any, error) {
	objects, err := itemKind(o, p, path)
	if err != nil {
		return nil, err
	}
	if !objects {
		return mergeScalars(o, p), nil
	}
	if f.key == "" {
		return nil, fmt.Errorf("%s: a list of objects cannot merge without a merge key", path)
	}
	l, err := mergeList(o, p, f.key, func(oi, pi map[string]any) (map[string]any, error) {
		return mergeObject(oi, pi, f.schema, fmt.Sprintf("%s[%s=%s]", path, f.key, jsonKey(pi[f.key])))
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return l, nil
}

// itemKind says whether the items of the lists are objects (true) or
// scalars (false); a mix, or lists of lists, is an error.
func itemKind(o, p []any, path string) (objects bool, err error) {
	seen := false
	for _, v := range append(append([]any(nil), o...), p...) {
		_, isMap := v.(map[string]any)
		if _, isList := v.([]any); isList {
			return false, fmt.Errorf("%s: lists of lists cannot be merged", path)
		}
		if seen && isMap != objects {
			return false, fmt.Errorf("%s: the list mixes objects and scalars", path)
		}
		objects, seen = isMap, true
	}
	return objects, nil
}

// freshList is a list that replaces the current one: its objects are
// patched onto nothing, so nested nulls and directives do not survive.
func freshList(p []any, s smpSchema, path string) ([]any, error) {
	out := make([]any, 0, len(p))
	for i, v := range p {
		switch x := v.(type) {
		case map[string]any:
			if _, ok := x[directiveMarker]; ok {
				continue
			}
			m, err := mergeObject(nil, x, s, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		case []any:
			l, err := freshList(x, smpSchema{}, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out = append(out, l)
		default:
			out = append(out, v)
		}
	}
	return out, nil
}

// retainKeys applies "$retainKeys": out keeps only the listed keys, and
// every key the patch sets must be listed.
func retainKeys(out, p map[string]any, rk any, path string) error {
	list, ok := rk.([]any)
	if !ok {
		return fmt.Errorf("%s: $retainKeys must be a list of field names", where(path))
	}
	keep := map[string]bool{}
	for _, v := range list {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: $retainKeys must be a list of field names, not %s", where(path), jsonKey(v))
		}
		keep[s] = true
	}
	for k, v := range p {
		if v == nil || strings.HasPrefix(k, "$") {
			continue
		}
		if !keep[k] {
			return fmt.Errorf("%s: the patch sets %q, which $retainKeys does not list", where(path), k)
		}
	}
	for k := range out {
		if !keep[k] {
			delete(out, k)
		}
	}
	return nil
}

// deleteFromList applies "$deleteFromPrimitiveList/<name>": the listed
// scalars leave the list out[name].
func deleteFromList(out map[string]any, name string, v any, path string) error {
	drop, ok := v.([]any)
	if !ok {
		return fmt.Errorf("%s: $deleteFromPrimitiveList/%s must be a list", path, name)
	}
	gone := map[string]bool{}
	for _, d := range drop {
		switch d.(type) {
		case map[string]any, []any:
			return fmt.Errorf("%s: $deleteFromPrimitiveList/%s must list scalars", path, name)
		}
		gone[jsonKey(d)] = true
	}
	cur, ok := out[name].([]any)
	if !ok {
		return nil
	}
	kept := []any{}
	for _, c := range cur {
		if !gone[jsonKey(c)] {
			kept = append(kept, c)
		}
	}
	out[name] = kept
	return nil
}

// setElementOrder applies "$setElementOrder/<name>": the field's patch list
// (if any) is merged first, then the items named in the order list take
// that order, and the others keep their places among them (orderItems).
func setElementOrder(out, o, p map[string]any, name string, v any, f smpField, path string) error {
	order, ok := v.([]any)
	if !ok {
		return fmt.Errorf("%s: $setElementOrder/%s must be a list", path, name)
	}
	id := func(x any) (string, bool) { return jsonKey(x), true }
	if f.key != "" {
		for i, x := range order {
			m, ok := x.(map[string]any)
			if !ok || m[f.key] == nil {
				return fmt.Errorf("%s: item %d of $setElementOrder/%s does not contain the merge key %q", path, i, name, f.key)
			}
		}
		id = func(x any) (string, bool) {
			m, ok := x.(map[string]any)
			if !ok {
				return "", false
			}
			kv, ok := m[f.key]
			return jsonKey(kv), ok
		}
	}
	pl, hasPatch := p[name]
	if hasPatch && pl != nil {
		if _, ok := pl.([]any); !ok {
			return fmt.Errorf("%s: $setElementOrder/%s is given but the patch's %s is not a list", path, name, name)
		}
	}
	patchList, _ := pl.([]any)
	// The patch's items must appear in the order list, in the same order.
	j := 0
	for _, x := range patchList {
		if m, ok := x.(map[string]any); ok {
			if _, dir := m[directiveMarker]; dir {
				continue
			}
		}
		k, _ := id(x)
		for j < len(order) {
			if ko, _ := id(order[j]); ko == k {
				break
			}
			j++
		}
		if j == len(order) {
			return fmt.Errorf("%s: the patch list is not in the order $setElementOrder/%s gives, or has items it does not list", path, name)
		}
		j++
	}

	origList, _ := o[name].([]any)
	var merged []any
	if hasPatch && pl != nil {
		mv, keep, err := mergeField(out[name], out[name] != nil, pl, f, path)
		if err != nil {
			return err
		}
		if !keep {
			return nil
		}
		merged, _ = mv.([]any)
	} else if hasPatch {
		delete(out, name) // "field": null
		return nil
	} else if cur, ok := out[name].([]any); ok {
		merged = cur
	} else {
		return nil
	}
	if merged == nil {
		merged = []any{}
	}
	out[name] = orderItems(merged, order, origList, id)
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func where(path string) string {
	if path == "" {
		return "the object"
	}
	return path
}

// StrategicMergePatch is strategicMergePatch for callers outside the
// package: tests that hold it against Kubernetes' own implementation, and
// tools that preview a patch.
func StrategicMergePatch(doc, patch []byte, t reflect.Type) ([]byte, error) {
	return strategicMergePatch(doc, patch, t)
}
