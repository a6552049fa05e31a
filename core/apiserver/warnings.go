package apiserver

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// A warning is for what the client asked for and tinykube ignores. A field
// tinykube does not act on but fills in itself (terminationMessagePath,
// defaulted to /dev/termination-log) comes back in every object a client
// reads; a client that sends the object back, as `kubectl edit`, `kubectl
// replace` and every read-modify-write controller do, has asked for nothing
// new. So a not-implemented field whose value is the one the server's own
// defaulting gives is not reported, neither as a warning nor under Strict.

// withoutDefaulted returns r without the not-implemented fields of body
// whose value is the server's default for them, with r.Warnings to match.
// res is the kind body was decoded as. The defaults are computed once, on
// body with every not-implemented field removed, so that each field is
// compared with what the server would have put there itself.
func withoutDefaulted(res *api.Resource, body []byte, r api.FieldReport) api.FieldReport {
	if len(r.NotImplemented) == 0 {
		return r
	}
	sent, err := decodeJSON(body, "object")
	if err != nil {
		return r
	}
	bare, err := decodeJSON(body, "object")
	if err != nil {
		return r
	}
	for _, p := range r.NotImplemented {
		removeAt(bare, parseFieldPath(p))
	}
	raw, err := json.Marshal(bare)
	if err != nil {
		return r
	}
	obj := res.New()
	if err := json.Unmarshal(raw, obj); err != nil {
		return r
	}
	api.Default(obj)
	raw, err = json.Marshal(obj)
	if err != nil {
		return r
	}
	defaulted, err := decodeJSON(raw, "object")
	if err != nil {
		return r
	}
	var drop []string
	for _, p := range r.NotImplemented {
		segs := parseFieldPath(p)
		v, ok := valueAt(sent, segs)
		d, dok := valueAt(defaulted, segs)
		if ok && dok && sameJSON(v, d) {
			drop = append(drop, p)
		}
	}
	if len(drop) == 0 {
		return r
	}
	out := api.FieldReport{Unknown: r.Unknown}
	for _, p := range r.NotImplemented {
		if !slices.Contains(drop, p) {
			out.NotImplemented = append(out.NotImplemented, p)
		}
	}
	for _, w := range r.Warnings {
		if !slices.ContainsFunc(drop, func(p string) bool { return strings.HasPrefix(w, fmt.Sprintf("field %q ", p)) }) {
			out.Warnings = append(out.Warnings, w)
		}
	}
	return out
}

// pathStep is one step of a field path: a field name, or a subscript (a
// list index or a map key).
type pathStep struct {
	name      string
	subscript bool
}

// parseFieldPath splits a path as api.CheckFields writes it,
// "spec.containers[0].ports[http].x", into its steps. A subscript may hold
// dots (map keys such as "example.com/x").
func parseFieldPath(p string) []pathStep {
	var out []pathStep
	for len(p) > 0 {
		switch p[0] {
		case '.':
			p = p[1:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return append(out, pathStep{name: p[1:], subscript: true})
			}
			out = append(out, pathStep{name: p[1:end], subscript: true})
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			out = append(out, pathStep{name: p[:end]})
			p = p[end:]
		}
	}
	return out
}

// valueAt follows steps through a decoded JSON document.
func valueAt(doc any, steps []pathStep) (any, bool) {
	cur := doc
	for _, s := range steps {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[s.name]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(s.name)
			if !s.subscript || err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// removeAt deletes the field steps name from doc, if it is there.
func removeAt(doc any, steps []pathStep) {
	if len(steps) == 0 {
		return
	}
	parent, ok := valueAt(doc, steps[:len(steps)-1])
	if !ok {
		return
	}
	if m, isMap := parent.(map[string]any); isMap {
		delete(m, steps[len(steps)-1].name)
	}
}
