package apiserver

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/tinykube/tinykube/core/api"
)

// The functions here walk an object's JSON (decoded into maps, lists and
// scalars) together with the shape of its Go type, to find the paths a
// value holds (toSet), how two values differ (compareTrees), what applying
// a configuration to an object gives (mergeTrees) and what is left when
// some paths are taken out (removePaths). They are the ground of
// managedfields.go and apply.go.

// shapeKind is what a node of an object is, for ownership.
type shapeKind int

const (
	shapeLeaf   shapeKind = iota // a scalar, or a value owned whole (an atomic list or struct)
	shapeStruct                  // an object with named fields, each owned on its own
	shapeMap                     // a map (labels), each key owned on its own
	shapeList                    // a keyed list or a set, each item owned on its own
)

// shape describes a node: its kind, the shapes of its fields (struct) or
// items (map, list), and for a list its keys.
type shape struct {
	kind   shapeKind
	fields map[string]*shape // shapeStruct, by JSON name
	elem   *shape            // shapeMap values, shapeList items
	list   api.ListType      // shapeList: "set" or "map"
	// other is the shape of the fields a struct does not name, for a
	// custom resource's schema that preserves unknown fields; nil when
	// such fields do not belong (built-in kinds).
	other *shape
}

// shapeOf returns the shape of Go type t (such as *api.Deployment).
// Shapes are built once per type and shared.
func shapeOf(t reflect.Type) *shape {
	shapes.mu.Lock()
	defer shapes.mu.Unlock()
	if shapes.m == nil {
		shapes.m = map[reflect.Type]*shape{}
	}
	return buildShape(t)
}

var shapes struct {
	mu sync.Mutex
	m  map[reflect.Type]*shape
}

var (
	jsonMarshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	rawMessage    = reflect.TypeOf(json.RawMessage(nil))
)

func buildShape(t reflect.Type) *shape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := shapes.m[t]; ok {
		return s
	}
	leaf := &shape{kind: shapeLeaf}
	if t == rawMessage || t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler) {
		return leaf
	}
	switch t.Kind() {
	case reflect.Map:
		s := &shape{kind: shapeMap}
		shapes.m[t] = s
		s.elem = buildShape(t.Elem())
		return s
	case reflect.Struct:
		if api.IsAtomicStruct(t) {
			return leaf
		}
		s := &shape{kind: shapeStruct, fields: map[string]*shape{}}
		shapes.m[t] = s
		addFields(s, t, t)
		return s
	}
	// Scalars, and lists met outside a struct field (whose list type is
	// a property of the field).
	return leaf
}

// addFields adds the fields of struct t to s, looking through inlined
// embedded structs; owner is the struct that declares the field, which
// decides a list's type.
func addFields(s *shape, t, owner reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			ft := sf.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(s, ft, ft)
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		s.fields[name] = fieldShape(owner, name, sf.Type)
	}
}

func fieldShape(owner reflect.Type, name string, ft reflect.Type) *shape {
	for ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	if ft.Kind() != reflect.Slice || ft == rawMessage || ft.Elem().Kind() == reflect.Uint8 {
		return buildShape(ft)
	}
	lt, _ := api.ListTypeOf(owner, name)
	if lt.Type != "set" && lt.Type != "map" {
		return &shape{kind: shapeLeaf}
	}
	return &shape{kind: shapeList, list: lt, elem: buildShape(ft.Elem())}
}

// field returns the shape of field (or map key) name of s, or nil when s
// has no such field.
func (s *shape) field(name string) *shape {
	switch s.kind {
	case shapeStruct:
		if f, ok := s.fields[name]; ok {
			return f
		}
		return s.other
	case shapeMap:
		return s.elem
	}
	return nil
}

// keyDefaults are the values Kubernetes assumes for a list key the item
// leaves out: a port's protocol is TCP.
var keyDefaults = map[string]any{"protocol": "TCP"}

// itemElement returns the path element of item in a list of shape s:
// k:{...} from its keys, or v:... for a set's scalar.
func itemElement(s *shape, item any) (string, error) {
	if s.list.Type == "set" {
		b, err := json.Marshal(item)
		if err != nil {
			return "", err
		}
		return "v:" + string(b), nil
	}
	m, ok := item.(map[string]any)
	if !ok {
		return "", fmt.Errorf("an item is not an object")
	}
	keys := map[string]any{}
	for _, k := range s.list.Keys {
		v, ok := m[k]
		if !ok || v == nil {
			d, hasDefault := keyDefaults[k]
			if !hasDefault {
				return "", fmt.Errorf("an item has no %q, a key of the list", k)
			}
			v = d
		}
		keys[k] = v
	}
	b, err := json.Marshal(keys) // keys sorted: the same item, the same element
	if err != nil {
		return "", err
	}
	return "k:" + string(b), nil
}

// indexItems returns the path elements of a list's items in order, and
// which elements occur more than once.
func indexItems(s *shape, list []any, where string) (pes []string, dup map[string]bool, err error) {
	seen := map[string]bool{}
	for i, item := range list {
		pe, err := itemElement(s, item)
		if err != nil {
			return nil, nil, fmt.Errorf("%s[%d]: %v", where, i, err)
		}
		if seen[pe] {
			if dup == nil {
				dup = map[string]bool{}
			}
			dup[pe] = true
		}
		seen[pe] = true
		pes = append(pes, pe)
	}
	return pes, dup, nil
}

// toSet returns the paths that value v of shape s sets: its scalars and
// values owned whole, every item of a keyed list or set (the item itself,
// and its fields), every key of a map, and an empty object or null where
// it is given. strict refuses a keyed list with repeated keys (an applied
// configuration must not have them).
func toSet(v any, s *shape, strict bool) (*fieldSet, error) {
	set := newFieldSet()
	err := addPaths(set, v, s, nil, strict)
	return set, err
}

func addPaths(set *fieldSet, v any, s *shape, path []string, strict bool) error {
	switch {
	case s == nil || s.kind == shapeLeaf:
		set.insert(path)
		return nil
	case s.kind == shapeStruct || s.kind == shapeMap:
		m, ok := v.(map[string]any)
		if !ok {
			set.insert(path)
			return nil
		}
		for k, cv := range m {
			cs := s.field(k)
			cp := append(path[:len(path):len(path)], "f:"+k)
			if err := addPaths(set, cv, cs, cp, strict); err != nil {
				return err
			}
			if cm, isMap := cv.(map[string]any); cv == nil || (isMap && len(cm) == 0) || s.kind == shapeMap || cs == nil {
				set.insert(cp)
			}
		}
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		set.insert(path)
		return nil
	}
	pes, dup, err := indexItems(s, list, pathString(path))
	if err != nil {
		return err
	}
	for i, item := range list {
		cp := append(path[:len(path):len(path)], pes[i])
		if dup[pes[i]] {
			if strict {
				return fmt.Errorf("%s: the key %s appears more than once", pathString(path), strings.TrimPrefix(pes[i], "k:"))
			}
			set.insert(cp)
			continue
		}
		if err := addPaths(set, item, s.elem, cp, strict); err != nil {
			return err
		}
		set.insert(cp)
	}
	return nil
}

// comparison is how two versions of an object differ: the paths only the
// new one has, the paths only the old one has, and the values both have
// that differ.
type comparison struct {
	added, removed, modified *fieldSet
	// holders are the objects and maps added or removed with something
	// in them: their fields are the change, not the holder itself.
	holders *fieldSet
}

func (c comparison) empty() bool {
	return c.added.empty() && c.removed.empty() && c.modified.empty()
}

// compareTrees compares the old and new JSON of an object of shape s.
func compareTrees(old, new any, s *shape) (comparison, error) {
	c := comparison{newFieldSet(), newFieldSet(), newFieldSet(), newFieldSet()}
	err := compareAt(c, old, new, true, true, s, nil)
	return c, err
}

func compareAt(c comparison, l, r any, lok, rok bool, s *shape, path []string) error {
	if !lok && !rok {
		return nil
	}
	leaf := s == nil || s.kind == shapeLeaf
	switch {
	case leaf:
	case s.kind == shapeList:
		ll, lIsList := l.([]any)
		rl, rIsList := r.([]any)
		if (lok && !lIsList) || (rok && !rIsList) {
			leaf = true
			break
		}
		if err := compareLists(c, ll, rl, s, path); err != nil {
			return err
		}
	default:
		lm, lIsMap := l.(map[string]any)
		rm, rIsMap := r.(map[string]any)
		if (lok && !lIsMap) || (rok && !rIsMap) {
			leaf = true
			break
		}
		for _, k := range unionKeys(lm, rm) {
			lv, lhas := lm[k]
			rv, rhas := rm[k]
			if err := compareAt(c, lv, rv, lhas, rhas, s.field(k), append(path[:len(path):len(path)], "f:"+k)); err != nil {
				return err
			}
		}
	}
	if !leaf && s.kind != shapeList && (!lok || !rok) {
		if m, _ := l.(map[string]any); len(m) > 0 {
			c.holders.insert(path)
		}
		if m, _ := r.(map[string]any); len(m) > 0 {
			c.holders.insert(path)
		}
	}
	switch {
	case !lok:
		c.added.insert(path)
	case !rok:
		c.removed.insert(path)
	case leaf && !sameJSON(l, r):
		c.modified.insert(path)
	}
	return nil
}

func compareLists(c comparison, l, r []any, s *shape, path []string) error {
	lpes, ldup, err := indexItems(s, l, pathString(path))
	if err != nil {
		return err
	}
	rpes, rdup, err := indexItems(s, r, pathString(path))
	if err != nil {
		return err
	}
	litems, ritems := map[string][]any{}, map[string][]any{}
	var order []string
	for i, pe := range lpes {
		if _, seen := litems[pe]; !seen {
			order = append(order, pe)
		}
		litems[pe] = append(litems[pe], l[i])
	}
	for i, pe := range rpes {
		if _, seen := ritems[pe]; !seen {
			if _, inL := litems[pe]; !inL {
				order = append(order, pe)
			}
		}
		ritems[pe] = append(ritems[pe], r[i])
	}
	for _, pe := range order {
		cp := append(path[:len(path):len(path)], pe)
		li, ri := litems[pe], ritems[pe]
		if ldup[pe] || rdup[pe] {
			// Repeated keys: the items are compared as one value.
			switch {
			case len(ri) == 0:
				c.removed.insert(cp)
			case len(li) == 0:
				c.added.insert(cp)
			case !sameJSON(li, ri):
				c.modified.insert(cp)
			}
			continue
		}
		var lv, rv any
		if len(li) > 0 {
			lv = li[0]
		}
		if len(ri) > 0 {
			rv = ri[0]
		}
		if err := compareAt(c, lv, rv, len(li) > 0, len(ri) > 0, s.elem, cp); err != nil {
			return err
		}
	}
	return nil
}

func unionKeys(a, b map[string]any) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// mergeTrees applies the configuration cfg to the live object's JSON: a
// field of cfg replaces the live one, except that objects and maps merge
// key by key and keyed lists and sets merge item by item (the items of
// cfg in its order, the live object's other items kept where they were).
// live is not modified.
func mergeTrees(live, cfg any, s *shape) (any, error) {
	return mergeAt(live, cfg, true, s, nil)
}

func mergeAt(l, r any, lok bool, s *shape, path []string) (any, error) {
	if !lok || s == nil || s.kind == shapeLeaf || r == nil {
		return r, nil
	}
	if s.kind == shapeList {
		ll, lIsList := l.([]any)
		rl, rIsList := r.([]any)
		if !lIsList || !rIsList {
			return r, nil
		}
		return mergeLists(ll, rl, s, path)
	}
	lm, lIsMap := l.(map[string]any)
	rm, rIsMap := r.(map[string]any)
	if !lIsMap || !rIsMap {
		return r, nil
	}
	out := make(map[string]any, len(lm)+len(rm))
	for k, v := range lm {
		out[k] = v
	}
	for _, k := range sortedKeys(rm) {
		lv, lhas := lm[k]
		v, err := mergeAt(lv, rm[k], lhas, s.field(k), append(path[:len(path):len(path)], "f:"+k))
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// mergeLists merges two keyed lists or sets as Kubernetes does, keeping
// both orders where they agree: cfg's items come in cfg's order, and a
// live item that cfg lacks stays where it was relative to the items
// around it.
func mergeLists(l, r []any, s *shape, path []string) (any, error) {
	lpes, _, err := indexItems(s, l, pathString(path))
	if err != nil {
		return nil, err
	}
	rpes, rdup, err := indexItems(s, r, pathString(path))
	if err != nil {
		return nil, err
	}
	for _, pe := range rpes {
		if rdup[pe] {
			return nil, fmt.Errorf("%s: the key %s appears more than once", pathString(path), strings.TrimPrefix(pe, "k:"))
		}
	}
	rIndex := make(map[string]int, len(rpes))
	for i, pe := range rpes {
		rIndex[pe] = i
	}
	lIndex := make(map[string]int, len(lpes))
	for i, pe := range lpes {
		if _, seen := lIndex[pe]; !seen {
			lIndex[pe] = i
		}
	}
	// shared lists the items both have, in cfg's order.
	var shared []string
	for _, pe := range rpes {
		if _, inL := lIndex[pe]; inL {
			shared = append(shared, pe)
		}
	}
	next := func() string {
		if len(shared) == 0 {
			return ""
		}
		pe := shared[0]
		shared = shared[1:]
		return pe
	}
	nextShared := next()
	merged := map[string]bool{}
	out := make([]any, 0, len(l)+len(r))
	item := func(pe string) error {
		var lv any
		lpos, inL := lIndex[pe]
		if inL {
			lv = l[lpos]
		}
		v, err := mergeAt(lv, r[rIndex[pe]], inL, s.elem, append(path[:len(path):len(path)], pe))
		if err != nil {
			return err
		}
		out = append(out, v)
		merged[pe] = true
		return nil
	}
	for li, ri := 0, 0; li < len(l) || ri < len(r); {
		if li < len(l) && ri < len(r) {
			if lpes[li] == rpes[ri] {
				if err := item(rpes[ri]); err != nil {
					return nil, err
				}
				li++
				ri++
				nextShared = next()
				continue
			}
			// A shared live item that cfg puts later waits for its place.
			if _, inR := rIndex[lpes[li]]; inR && nextShared != "" && nextShared != lpes[li] {
				li++
				continue
			}
		}
		if li < len(l) {
			if _, inR := rIndex[lpes[li]]; !inR {
				out = append(out, l[li])
				li++
				continue
			} else if merged[lpes[li]] {
				li++
			}
		}
		if ri < len(r) {
			pe := rpes[ri]
			if err := item(pe); err != nil {
				return nil, err
			}
			ri++
			if nextShared == pe {
				nextShared = next()
			}
		}
	}
	return out, nil
}

// removePaths returns v without the values at the paths of drop (a path
// that names a list item removes the item), except what owned still holds
// below them: a map an applier stops applying keeps the keys that others
// own. v is not modified.
func removePaths(v any, drop, owned *fieldSet, s *shape) any {
	if drop == nil || len(drop.children) == 0 || s == nil {
		return v
	}
	child := func(pe string, cv any, cs *shape) (any, bool) {
		d, ok := drop.children[pe]
		var o *fieldSet
		if owned != nil {
			o = owned.children[pe]
		}
		switch {
		case !ok:
			return cv, true
		case d.member && o.empty():
			return nil, false
		case d.member:
			return keepOnly(cv, o, cs)
		}
		return removePaths(cv, d, o, cs), true
	}
	switch s.kind {
	case shapeStruct, shapeMap:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, cv := range m {
			if nv, keep := child("f:"+k, cv, s.field(k)); keep {
				out[k] = nv
			}
		}
		return out
	case shapeList:
		list, ok := v.([]any)
		if !ok {
			return v
		}
		out := make([]any, 0, len(list))
		for _, item := range list {
			pe, err := itemElement(s, item)
			if err != nil {
				out = append(out, item)
				continue
			}
			if nv, keep := child(pe, item, s.elem); keep {
				out = append(out, nv)
			}
		}
		return out
	}
	return v
}

// keepOnly returns the part of v that the paths of owned reach, and
// whether anything is left.
func keepOnly(v any, owned *fieldSet, s *shape) (any, bool) {
	if owned.empty() {
		return nil, false
	}
	if owned.member || s == nil || s.kind == shapeLeaf {
		return v, true
	}
	switch s.kind {
	case shapeStruct, shapeMap:
		m, ok := v.(map[string]any)
		if !ok {
			return v, true
		}
		out := map[string]any{}
		for k, cv := range m {
			if o := owned.children["f:"+k]; o != nil {
				if nv, keep := keepOnly(cv, o, s.field(k)); keep {
					out[k] = nv
				}
			}
		}
		return out, len(out) > 0
	}
	list, ok := v.([]any)
	if !ok {
		return v, true
	}
	var out []any
	for _, item := range list {
		pe, err := itemElement(s, item)
		if o := owned.children[pe]; err == nil && o != nil {
			if nv, keep := keepOnly(item, o, s.elem); keep {
				out = append(out, nv)
			}
		}
	}
	return out, len(out) > 0
}
