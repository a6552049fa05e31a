package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
)

// A version of an object is named by its resourceVersion (see doc.go), so
// every answer that shows the object at one resourceVersion must show the
// same object: a get, a write's answer, an item of a list (lists are not
// judged for order, but the versions they show must be real ones). This
// catches what the order check cannot see: a cache that serves an object
// changed in place, an answer stamped with the wrong resourceVersion.

// shown is one answer's view of one object version.
type shown struct {
	op  int
	raw []byte
	// content is raw made canonical (see canonical), computed only once
	// a second answer shows the version: most versions are shown once.
	content []byte
}

func (s *shown) canonical() ([]byte, error) {
	if s.content == nil {
		c, err := canonical(s.raw)
		if err != nil {
			return nil, err
		}
		s.content = c
	}
	return s.content, nil
}

// checkVersions returns the first object version shown with two contents
// (by the later answer's return), and an explanation; "" when there is
// none. versions counts the object versions seen.
func checkVersions(h []Op) (key, explanation string, versions int) {
	first := map[string]*shown{} // key@rv -> first answer showing it
	type clash struct {
		key, version string
		a, b         *shown
	}
	var found *clash
	order := make([]int, len(h))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return h[order[a]].ReturnSeq < h[order[b]].ReturnSeq })
	for _, i := range order {
		op := h[i]
		if op.Unknown || op.Code < 200 || op.Code >= 300 || op.Query.Get("dryRun") != "" {
			continue
		}
		t, ok := parsePath(op.Path)
		if !ok {
			continue
		}
		for _, obj := range objectsIn(op) {
			var m struct {
				Metadata struct {
					Name, Namespace, ResourceVersion string
				} `json:"metadata"`
			}
			if json.Unmarshal(obj, &m) != nil || m.Metadata.Name == "" || m.Metadata.ResourceVersion == "" || m.Metadata.ResourceVersion == "0" {
				continue
			}
			t.namespace = m.Metadata.Namespace
			k := t.key(m.Metadata.Name)
			v := k + "@" + m.Metadata.ResourceVersion
			s := &shown{op: i, raw: obj}
			prev, seen := first[v]
			if !seen {
				first[v] = s
				continue
			}
			if bytes.Equal(prev.raw, obj) {
				continue
			}
			ca, err := prev.canonical()
			if err != nil {
				continue
			}
			cb, err := s.canonical()
			if err != nil {
				continue
			}
			if !bytes.Equal(ca, cb) {
				found = &clash{key: k, version: m.Metadata.ResourceVersion, a: prev, b: s}
				break
			}
		}
		if found != nil {
			break
		}
	}
	if found == nil {
		return "", "", len(first)
	}
	a, b := h[found.a.op], h[found.b.op]
	var da, db any
	_ = json.Unmarshal(found.a.content, &da)
	_ = json.Unmarshal(found.b.content, &db)
	where := firstDifference(da, db, "")
	return found.key, fmt.Sprintf("%s: two answers show resourceVersion %s with different contents (first difference at %s):\n"+
		"  #%-5d %s  %-20s %s %s → %d\n  #%-5d %s  %-20s %s %s → %d",
		found.key, found.version, where,
		found.a.op, clock(a.Return), a.Process, a.Method, a.Path, a.Code,
		found.b.op, clock(b.Return), b.Process, b.Method, b.Path, b.Code), len(first)
}

// typeFields are left out of a version's content: list items may omit them.
var typeFields = []string{"apiVersion", "kind"}

// objectsIn returns the objects an answer shows: the items of a list, or
// the object answered.
func objectsIn(op Op) []json.RawMessage {
	if op.Method == http.MethodGet {
		if t, _ := parsePath(op.Path); t.name == "" {
			var l struct {
				Items []json.RawMessage `json:"items"`
			}
			if json.Unmarshal(op.Answer, &l) != nil {
				return nil
			}
			return l.Items
		}
	}
	return []json.RawMessage{op.Answer}
}

// canonical re-encodes an object with sorted keys and exact numbers,
// leaving out apiVersion and kind (list items may omit them).
func canonical(obj []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(obj))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	for _, f := range typeFields {
		delete(v, f)
	}
	return json.Marshal(v)
}

// firstDifference returns the path of the first field where a and b
// differ, such as "data.k" or "spec.containers[0].image".
func firstDifference(a, b any, path string) string {
	at := func(p string) string {
		if p == "" {
			return "the whole object"
		}
		return p
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return at(path)
		}
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			p := k
			if path != "" {
				p = path + "." + k
			}
			va, ina := x[k]
			vb, inb := y[k]
			if ina != inb {
				return p
			}
			if d := firstDifference(va, vb, p); d != "" {
				return d
			}
		}
		return ""
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return at(path)
		}
		for i := range x {
			if d := firstDifference(x[i], y[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if fmt.Sprintf("%T %v", a, a) != fmt.Sprintf("%T %v", b, b) {
		return at(path)
	}
	return ""
}
