package apiserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Server-side apply tracks which writer owns which field of an object. A
// set of fields is a set of paths into the object's JSON, and a path is a
// list of path elements written as Kubernetes writes them in
// metadata.managedFields (the "FieldsV1" format):
//
//	f:spec                        the field "spec" of an object (or the key of a map)
//	k:{"name":"web"}              the item of a keyed list whose keys have these values
//	v:"example.com/protect"       the item of a set of scalars
//
// fieldSet holds such a set as a tree: the children of a node are the
// path elements that can follow it, and member says that the path to the
// node is itself in the set. {"f:spec":{"f:replicas":{}}} is the set
// holding the one path spec.replicas; a node that is a member and has
// children too carries ".":{} in that form.
type fieldSet struct {
	member   bool
	children map[string]*fieldSet
}

func newFieldSet() *fieldSet { return &fieldSet{} }

// child returns the node below s for path element pe, making it if needed.
func (s *fieldSet) child(pe string) *fieldSet {
	if c, ok := s.children[pe]; ok {
		return c
	}
	if s.children == nil {
		s.children = map[string]*fieldSet{}
	}
	c := &fieldSet{}
	s.children[pe] = c
	return c
}

// insert adds path to the set.
func (s *fieldSet) insert(path []string) {
	n := s
	for _, pe := range path {
		n = n.child(pe)
	}
	n.member = true
}

// has reports whether path is in the set.
func (s *fieldSet) has(path []string) bool {
	n := s
	for _, pe := range path {
		c, ok := n.children[pe]
		if !ok {
			return false
		}
		n = c
	}
	return n.member
}

// empty reports whether the set holds no path.
func (s *fieldSet) empty() bool {
	if s == nil {
		return true
	}
	if s.member {
		return false
	}
	for _, c := range s.children {
		if !c.empty() {
			return false
		}
	}
	return true
}

// union returns the paths in s or o.
func (s *fieldSet) union(o *fieldSet) *fieldSet {
	out := &fieldSet{}
	out.addAll(s)
	out.addAll(o)
	return out
}

func (s *fieldSet) addAll(o *fieldSet) {
	if o == nil {
		return
	}
	s.member = s.member || o.member
	for pe, c := range o.children {
		s.child(pe).addAll(c)
	}
}

// difference returns the paths in s that are not in o.
func (s *fieldSet) difference(o *fieldSet) *fieldSet {
	if s == nil {
		return &fieldSet{}
	}
	if o == nil {
		o = &fieldSet{}
	}
	out := &fieldSet{member: s.member && !o.member}
	for pe, c := range s.children {
		if d := c.difference(o.children[pe]); !d.empty() {
			if out.children == nil {
				out.children = map[string]*fieldSet{}
			}
			out.children[pe] = d
		}
	}
	return out
}

// intersection returns the paths in both s and o.
func (s *fieldSet) intersection(o *fieldSet) *fieldSet {
	out := &fieldSet{}
	if s == nil || o == nil {
		return out
	}
	out.member = s.member && o.member
	for pe, c := range s.children {
		oc, ok := o.children[pe]
		if !ok {
			continue
		}
		if d := c.intersection(oc); !d.empty() {
			if out.children == nil {
				out.children = map[string]*fieldSet{}
			}
			out.children[pe] = d
		}
	}
	return out
}

// equal reports whether s and o hold the same paths.
func (s *fieldSet) equal(o *fieldSet) bool {
	return s.difference(o).empty() && o.difference(s).empty()
}

// paths lists the paths of the set in sorted order.
func (s *fieldSet) paths() [][]string {
	var out [][]string
	var walk func(n *fieldSet, path []string)
	walk = func(n *fieldSet, path []string) {
		if n.member {
			out = append(out, append([]string(nil), path...))
		}
		for _, pe := range sortedKeys(n.children) {
			walk(n.children[pe], append(path, pe))
		}
	}
	if s != nil {
		walk(s, nil)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fieldsV1 encodes the set in Kubernetes' FieldsV1 form. Keys come out
// sorted, so equal sets encode to equal bytes.
func (s *fieldSet) fieldsV1() []byte {
	b, _ := json.Marshal(s.tree())
	return b
}

func (s *fieldSet) tree() map[string]any {
	out := map[string]any{}
	for pe, c := range s.children {
		if c.empty() {
			continue
		}
		out[pe] = c.tree()
	}
	if s.member && len(out) > 0 {
		out["."] = map[string]any{}
	}
	return out
}

// parseFieldsV1 decodes a set in FieldsV1 form, naming what is wrong.
func parseFieldsV1(b []byte) (*fieldSet, error) {
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("fieldsV1 is not valid JSON: %v", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("fieldsV1 must be a JSON object")
	}
	s := &fieldSet{}
	if len(m) == 0 {
		return s, nil // the empty set (the root is never a member)
	}
	if err := s.parse(m, ""); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *fieldSet) parse(m map[string]any, at string) error {
	if len(m) == 0 {
		s.member = true
		return nil
	}
	for pe, v := range m {
		cm, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("fieldsV1%s: the value of %q must be an object", at, pe)
		}
		if pe == "." {
			if len(cm) != 0 {
				return fmt.Errorf("fieldsV1%s: \".\" must be an empty object", at)
			}
			s.member = true
			continue
		}
		if err := checkPathElement(pe); err != nil {
			return fmt.Errorf("fieldsV1%s: %v", at, err)
		}
		if err := s.child(pe).parse(cm, at+"."+pe); err != nil {
			return err
		}
	}
	return nil
}

// checkPathElement checks one serialized path element.
func checkPathElement(pe string) error {
	kind, rest, ok := strings.Cut(pe, ":")
	if !ok {
		return fmt.Errorf("path element %q has no kind (f:, k:, v: or i:)", pe)
	}
	var v any
	switch kind {
	case "f":
		return nil
	case "k":
		if json.Unmarshal([]byte(rest), &v) != nil {
			return fmt.Errorf("path element %q: the keys are not a JSON object", pe)
		}
		if _, isObj := v.(map[string]any); !isObj {
			return fmt.Errorf("path element %q: the keys are not a JSON object", pe)
		}
		return nil
	case "v":
		if json.Unmarshal([]byte(rest), &v) != nil {
			return fmt.Errorf("path element %q: the value is not JSON", pe)
		}
		return nil
	case "i":
		var i int
		if _, err := fmt.Sscanf(rest, "%d", &i); err != nil {
			return fmt.Errorf("path element %q: the index is not a number", pe)
		}
		return nil
	}
	return fmt.Errorf("path element %q has an unknown kind %q (use f:, k:, v: or i:)", pe, kind)
}

// pathString writes a path the way Kubernetes shows it in conflicts:
// .spec.template.spec.containers[name="web"].image
func pathString(path []string) string {
	var b strings.Builder
	for _, pe := range path {
		kind, rest, _ := strings.Cut(pe, ":")
		switch kind {
		case "f":
			b.WriteString("." + rest)
		case "k":
			var keys map[string]any
			d := json.NewDecoder(strings.NewReader(rest))
			d.UseNumber()
			_ = d.Decode(&keys)
			var parts []string
			for _, k := range sortedKeys(keys) {
				v, _ := json.Marshal(keys[k])
				parts = append(parts, k+"="+string(v))
			}
			b.WriteString("[" + strings.Join(parts, ",") + "]")
		case "v":
			b.WriteString("[=" + rest + "]")
		case "i":
			b.WriteString("[" + rest + "]")
		}
	}
	return b.String()
}
