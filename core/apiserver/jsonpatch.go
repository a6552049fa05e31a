package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// A JSON patch is a program the client sends: twenty `copy` operations of
// a document onto itself double it twenty times, so a 1 KB patch asks for a
// gigabyte. These bounds keep what a patch may build, and the work it may
// ask for, in proportion to what the server accepts as a body.
const (
	// maxJSONPatchOperations is Kubernetes' cap on the operations of one
	// JSON patch (k8s.io/apiserver's maxJSONPatchOperations).
	maxJSONPatchOperations = 10000
	// maxJSONPatchCopyBytes caps the bytes all the copy operations of one
	// patch may add together, as kube-apiserver's JSONPatchMaxCopyBytes
	// does (3 MiB, the body limit).
	maxJSONPatchCopyBytes = maxBody
	// maxPatchedBytes caps the document a patch (any kind) may produce, as
	// its JSON encoding; the store refuses anything above
	// store.MaxObjectBytes later, but a patch must be stopped before it
	// builds more than a body could have carried.
	maxPatchedBytes = maxBody
	// maxJSONPatchWork caps the values a patch's operations may touch in
	// all (path segments walked, list elements shifted by an insert or a
	// removal, values compared by a test): 10,000 inserts at the head of a
	// 100,000-element list are a second of memmove for no purpose.
	maxJSONPatchWork = 50_000_000
)

// patchOp is one operation of an RFC 6902 JSON patch.
type patchOp struct {
	Op    string           `json:"op"`
	Path  string           `json:"path"`
	From  string           `json:"from"`
	Value *json.RawMessage `json:"value"`
}

// jsonPatcher applies the operations of one JSON patch to a document while
// keeping account of what they build: size is the document's JSON size as
// the operations change it (tracked op by op, never re-encoded), copied the
// bytes copy operations have added, work the values touched.
type jsonPatcher struct {
	doc    any
	size   int
	copied int
	work   int
}

// jsonPatch applies an RFC 6902 JSON patch: add, remove, replace, move,
// copy and test, with RFC 6901 pointers. Any failing operation fails the
// whole patch (422, naming the operation by its index). A patch of more
// than maxJSONPatchOperations is refused before any is applied (413, as
// Kubernetes words it); one whose result would outgrow maxPatchedBytes,
// whose copies add more than maxJSONPatchCopyBytes or that does more than
// maxJSONPatchWork is refused at the operation that would cross the line,
// before that operation allocates anything.
func jsonPatch(doc, patch []byte) ([]byte, error) {
	var ops []patchOp
	if err := json.Unmarshal(patch, &ops); err != nil {
		return nil, errBadRequest("a JSON patch must be a list of operations: %v", err)
	}
	if len(ops) > maxJSONPatchOperations {
		return nil, api.NewStatusError(http.StatusRequestEntityTooLarge, api.ReasonRequestEntityTooLarge, nil,
			"The allowed maximum operations in a JSON patch is %d, got %d", maxJSONPatchOperations, len(ops))
	}
	d, err := decodeJSON(doc, "object")
	if err != nil {
		return nil, err
	}
	p := &jsonPatcher{doc: d, size: len(doc)}
	for i, op := range ops {
		if err := p.apply(op); err != nil {
			return nil, api.NewStatusError(http.StatusUnprocessableEntity, api.ReasonInvalid, nil,
				"the JSON patch could not be applied: operation %d (%s %s): %v", i, op.Op, op.Path, err)
		}
	}
	return json.Marshal(p.doc)
}

// apply applies one operation to p.doc, or changes nothing and says why.
func (p *jsonPatcher) apply(op patchOp) error {
	var val any
	if op.Value != nil {
		v, err := decodeJSON(*op.Value, "patch value")
		if err != nil {
			return err
		}
		val = v
	}
	switch op.Op {
	case "add":
		return p.set(op.Path, val, true)
	case "remove":
		_, err := p.remove(op.Path)
		return err
	case "replace":
		return p.set(op.Path, val, false)
	case "move":
		if op.From == op.Path {
			_, err := p.get(op.From)
			return err
		}
		if op.Path != op.From && strings.HasPrefix(op.Path, op.From+"/") {
			return fmt.Errorf("cannot move %s into itself (%s)", op.From, op.Path)
		}
		v, err := p.remove(op.From)
		if err != nil {
			return err
		}
		return p.set(op.Path, v, true)
	case "copy":
		v, err := p.get(op.From)
		if err != nil {
			return err
		}
		n, within := jsonSize(v, maxJSONPatchCopyBytes-p.copied)
		if !within {
			return fmt.Errorf("Unable to complete the copy, the accumulated size increase of copy is more than %d, exceeding the limit %d (copy smaller values, or send the values themselves)", p.copied+n, maxJSONPatchCopyBytes)
		}
		p.copied += n
		return p.set(op.Path, deepCopyJSON(v), true)
	case "test":
		v, err := p.get(op.Path)
		if err != nil {
			return err
		}
		if !p.equal(v, val) {
			return fmt.Errorf("the value at %s is not the expected one", op.Path)
		}
		return nil
	}
	return fmt.Errorf("unknown op %q (use add, remove, replace, move, copy or test)", op.Op)
}

// spend charges n units of work to the patch, failing once it has spent
// more than maxJSONPatchWork.
func (p *jsonPatcher) spend(n int) error {
	p.work += n
	if p.work > maxJSONPatchWork {
		return fmt.Errorf("the patch does more work than the server allows (%d values touched): send fewer operations, or a merge patch", maxJSONPatchWork)
	}
	return nil
}

// grow accounts for the document growing by n bytes (shrinking when n is
// negative), failing, with the document unchanged, if it would then be
// larger than maxPatchedBytes.
func (p *jsonPatcher) grow(n int) error {
	if p.size+n > maxPatchedBytes {
		return fmt.Errorf("the patched object would be larger than %d bytes", maxPatchedBytes)
	}
	p.size += n
	return nil
}

// get returns the value at pointer path.
func (p *jsonPatcher) get(path string) (any, error) {
	parts, err := splitPointer(path)
	if err != nil {
		return nil, err
	}
	if err := p.spend(len(parts)); err != nil {
		return nil, err
	}
	cur := p.doc
	for _, s := range parts {
		if cur, err = child(cur, s); err != nil {
			return nil, err
		}
	}
	return cur, nil
}

// child returns the member s of container c (an object's key or a list's
// index).
func child(c any, s string) (any, error) {
	switch c := c.(type) {
	case map[string]any:
		v, ok := c[s]
		if !ok {
			return nil, fmt.Errorf("no field %q", s)
		}
		return v, nil
	case []any:
		i, err := index(s, len(c), false)
		if err != nil {
			return nil, err
		}
		return c[i], nil
	}
	return nil, fmt.Errorf("cannot descend into a scalar at %q", s)
}

// set puts val at pointer path: insert (add) creates the member or inserts
// into a list, otherwise (replace) the member must exist. The document's
// size is checked before anything changes.
func (p *jsonPatcher) set(path string, val any, insert bool) error {
	parts, err := splitPointer(path)
	if err != nil {
		return err
	}
	if err := p.spend(len(parts)); err != nil {
		return err
	}
	if len(parts) == 0 {
		n, within := jsonSize(val, maxPatchedBytes)
		if !within {
			return p.grow(maxPatchedBytes + 1)
		}
		if err := p.grow(n - p.size); err != nil {
			return err
		}
		p.doc = val
		return nil
	}
	d, err := p.edit(p.doc, parts, func(parent any, last string) (any, error) {
		return p.setIn(parent, last, val, insert)
	})
	if err == nil {
		p.doc = d
	}
	return err
}

// remove takes the value at pointer path out of the document and returns
// it.
func (p *jsonPatcher) remove(path string) (any, error) {
	parts, err := splitPointer(path)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("cannot remove the whole object")
	}
	if err := p.spend(len(parts)); err != nil {
		return nil, err
	}
	var removed any
	d, err := p.edit(p.doc, parts, func(parent any, last string) (any, error) {
		switch c := parent.(type) {
		case map[string]any:
			v, ok := c[last]
			if !ok {
				return nil, fmt.Errorf("no field %q", last)
			}
			n, _ := jsonSize(v, -1)
			p.grow(-(n + len(last) + 4))
			delete(c, last)
			removed = v
			return c, nil
		case []any:
			i, err := index(last, len(c), false)
			if err != nil {
				return nil, err
			}
			if err := p.spend(len(c) - i); err != nil {
				return nil, err
			}
			removed = c[i]
			n, _ := jsonSize(removed, -1)
			p.grow(-(n + 1))
			return append(c[:i:i], c[i+1:]...), nil
		}
		return nil, fmt.Errorf("the parent of %s is not an object or list", path)
	})
	if err != nil {
		return nil, err
	}
	p.doc = d
	return removed, nil
}

// edit walks parts down from container c and calls change on the parent
// of the last one; change returns the parent's new value (a list may be a
// new slice), which edit stores back into its own parent on the way up.
// It returns c's new value. The walk is one step per segment: a long path
// costs its length, not its length squared.
func (p *jsonPatcher) edit(c any, parts []string, change func(parent any, last string) (any, error)) (any, error) {
	if len(parts) == 1 {
		return change(c, parts[0])
	}
	next, err := child(c, parts[0])
	if err != nil {
		return nil, err
	}
	n, err := p.edit(next, parts[1:], change)
	if err != nil {
		return nil, err
	}
	switch c := c.(type) {
	case map[string]any:
		c[parts[0]] = n
	case []any:
		i, _ := index(parts[0], len(c), false)
		c[i] = n
	}
	return c, nil
}

// setIn sets or inserts val as member last of parent and returns the
// parent's new value, after checking that the document may grow by what
// val adds.
func (p *jsonPatcher) setIn(parent any, last string, val any, insert bool) (any, error) {
	add, within := jsonSize(val, maxPatchedBytes)
	if !within {
		return nil, p.grow(maxPatchedBytes + 1)
	}
	switch c := parent.(type) {
	case map[string]any:
		old, exists := c[last]
		if !exists && !insert {
			return nil, fmt.Errorf("no field %q", last)
		}
		delta := add + len(last) + 4
		if exists {
			n, _ := jsonSize(old, -1)
			delta -= n + len(last) + 4
		}
		if err := p.grow(delta); err != nil {
			return nil, err
		}
		c[last] = val
		return c, nil
	case []any:
		i, err := index(last, len(c), insert)
		if err != nil {
			return nil, err
		}
		if !insert {
			n, _ := jsonSize(c[i], -1)
			if err := p.grow(add - n); err != nil {
				return nil, err
			}
			c[i] = val
			return c, nil
		}
		if err := p.spend(len(c) - i); err != nil {
			return nil, err
		}
		if err := p.grow(add + 1); err != nil {
			return nil, err
		}
		c = append(c, nil)
		copy(c[i+1:], c[i:])
		c[i] = val
		return c, nil
	}
	return nil, fmt.Errorf("the parent of %s is not an object or list", last)
}

// equal reports whether a and b are the same JSON value, stopping at the
// first difference and charging the values it compares as work.
func (p *jsonPatcher) equal(a, b any) bool {
	if p.spend(1) != nil {
		return false
	}
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, av := range a {
			bv, ok := bm[k]
			if !ok || !p.equal(av, bv) {
				return false
			}
		}
		return true
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !p.equal(a[i], bl[i]) {
				return false
			}
		}
		return true
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		if a == bn {
			return true
		}
		af, err1 := strconv.ParseFloat(string(a), 64)
		bf, err2 := strconv.ParseFloat(string(bn), 64)
		return err1 == nil && err2 == nil && af == bf
	}
	return a == b
}

// jsonSize returns the length of v's compact JSON encoding (escapes
// counted as encoding/json writes them), walking v without encoding it.
// With limit >= 0 it stops once the count passes limit and reports false.
func jsonSize(v any, limit int) (int, bool) {
	n := 0
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case map[string]any:
			n += 2 + max(len(v)-1, 0)
			for k, e := range v {
				n += stringSize(k) + 1
				if !walk(e) {
					return false
				}
			}
		case []any:
			n += 2 + max(len(v)-1, 0)
			for _, e := range v {
				if !walk(e) {
					return false
				}
			}
		case string:
			n += stringSize(v)
		case json.Number:
			n += len(v)
		case bool:
			n += 4
			if !v {
				n++
			}
		default: // nil
			n += 4
		}
		return limit < 0 || n <= limit
	}
	ok := walk(v)
	return n, ok
}

// stringSize is the length of s as a JSON string: quotes, and the escapes
// encoding/json writes (\", \\, \n, \r and \t are two bytes; other control
// characters and <, >, & are six).
func stringSize(s string) int {
	n := 2
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t':
			n += 2
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			n += 6
		default:
			n++
		}
	}
	return n
}

// splitPointer splits an RFC 6901 pointer into its unescaped segments.
func splitPointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("path %q must start with /", p)
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

// index reads list index s of a list of n elements; forAdd also accepts
// "-" and n (the end).
func index(s string, n int, forAdd bool) (int, error) {
	if forAdd && s == "-" {
		return n, nil
	}
	i, err := strconv.Atoi(s)
	max := n - 1
	if forAdd {
		max = n
	}
	if err != nil || i < 0 || i > max || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("index %q is out of range", s)
	}
	return i, nil
}

// deepCopyJSON returns a copy of v that shares nothing with it.
func deepCopyJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopyJSON(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = deepCopyJSON(e)
		}
		return l
	}
	return v
}
