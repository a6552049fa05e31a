package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// handlePatch answers PATCH of an object or its status, with a JSON merge
// patch (RFC 7386), a JSON patch (RFC 6902), a strategic merge patch
// (strategic.go) or a server-side apply (apply.go). The patch is applied
// to the current object; the result goes through the same path as an
// update.
func (s *Server) handlePatch(ctx context.Context, t target, req *rest.Request) response {
	var apply func(doc []byte) ([]byte, error)
	switch mediaType(req.ContentType) {
	case rest.ContentMergePatch:
		apply = func(doc []byte) ([]byte, error) { return mergePatch(doc, req.Body) }
	case rest.ContentJSONPatch:
		apply = func(doc []byte) ([]byte, error) { return jsonPatch(doc, req.Body) }
	case rest.ContentStrategicPatch:
		if t.res.Custom != nil {
			// A custom resource has no patch strategies to follow: tinykube
			// applies a strategic merge patch to it as a JSON merge patch
			// (Kubernetes refuses it, 415). kubectl edit and kubectl patch
			// without --type then work on custom resources too.
			apply = func(doc []byte) ([]byte, error) { return mergePatch(doc, req.Body) }
			break
		}
		typ := reflect.TypeOf(t.res.New())
		apply = func(doc []byte) ([]byte, error) { return strategicMergePatch(doc, req.Body, typ) }
	case rest.ContentApplyPatch:
		return s.handleApply(ctx, t, req)
	default:
		return fail(errUnsupportedMediaType(req.ContentType))
	}
	if _, err := forceOf(req, false); err != nil {
		return fail(err)
	}
	level, err := fieldValidation(req)
	if err != nil {
		return fail(err)
	}
	var warnings []string
	w, err := writerOf(t, req)
	if err != nil {
		return fail(err)
	}
	body, err := s.update(ctx, t, isDryRun(req), modeFor(t), w, func(old api.Object) (api.Object, error) {
		doc, err := json.Marshal(old)
		if err != nil {
			return nil, errInternal(err)
		}
		patched, err := apply(doc)
		if err != nil {
			return nil, err
		}
		obj, err := decodeBody(t.res, patched)
		if err != nil {
			return nil, err
		}
		// Judge only the fields the patch brings: the stored object holds
		// server defaults (dnsPolicy …) that the user never wrote.
		before, err := fieldReport(level, t.res, doc, old)
		if err != nil {
			return nil, err
		}
		after, err := fieldReport(level, t.res, patched, obj)
		if err != nil {
			return nil, err
		}
		// Fields are compared by path, and a strategic patch that puts a new
		// container first moves the others' indices: a field the server
		// defaulted then looks new, and one the patch asks for can look old.
		// Drop those at their default on both sides, as a create or update
		// does, before comparing.
		before = withoutDefaulted(t.res, doc, before)
		after = withoutDefaulted(t.res, patched, after)
		// The patched document is re-encoded JSON, without repeated keys:
		// a merge patch's own repeated keys are judged on the patch.
		var dups []string
		if level != "Ignore" && mediaType(req.ContentType) == rest.ContentMergePatch {
			dups = api.FieldReport{Duplicate: api.DuplicateFields(req.Body, obj)}.Refused()
		}
		warnings = append(newOnly(after.Warnings, before.Warnings), dups...)
		if refused := append(newOnly(after.Refused(), before.Refused()), dups...); level == "Strict" && len(refused) > 0 {
			return nil, errStrict(refused)
		}
		if err := checkIdentity(t, obj); err != nil {
			return nil, err
		}
		// A patch that sets metadata.resourceVersion makes it a
		// precondition, as with an update; one that removes it sets none.
		if rv := obj.GetObjectMeta().ResourceVersion; rv != "" && rv != old.GetObjectMeta().ResourceVersion {
			return nil, errConflict(t.res, t.name, modifiedSince)
		}
		return obj, nil
	})
	if err != nil {
		return fail(err, warnings...)
	}
	return ok(http.StatusOK, body, warnings)
}

// decodeJSON decodes keeping numbers exact (json.Number), so that large
// integers survive a patch.
func decodeJSON(b []byte, what string) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, errBadRequest("the %s is not valid JSON: %v", what, err)
	}
	if d.More() {
		return nil, errBadRequest("the %s has data after its JSON value", what)
	}
	return v, nil
}

// mergePatch applies an RFC 7386 JSON merge patch: objects merge key by
// key, null deletes a key, anything else (lists included) replaces.
func mergePatch(doc, patch []byte) ([]byte, error) {
	d, err := decodeJSON(doc, "object")
	if err != nil {
		return nil, err
	}
	p, err := decodeJSON(patch, "merge patch")
	if err != nil {
		return nil, err
	}
	if _, isObj := p.(map[string]any); !isObj {
		return nil, errBadRequest("a merge patch must be a JSON object")
	}
	return json.Marshal(mergeValue(d, p))
}

func mergeValue(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergeValue(tm[k], v)
	}
	return tm
}

// patchOp is one operation of an RFC 6902 JSON patch.
type patchOp struct {
	Op    string           `json:"op"`
	Path  string           `json:"path"`
	From  string           `json:"from"`
	Value *json.RawMessage `json:"value"`
}

// jsonPatch applies an RFC 6902 JSON patch: add, remove, replace, move,
// copy and test, with RFC 6901 pointers. Any failing operation fails the
// whole patch.
func jsonPatch(doc, patch []byte) ([]byte, error) {
	var ops []patchOp
	if err := json.Unmarshal(patch, &ops); err != nil {
		return nil, errBadRequest("a JSON patch must be a list of operations: %v", err)
	}
	d, err := decodeJSON(doc, "object")
	if err != nil {
		return nil, err
	}
	for i, op := range ops {
		var val any
		if op.Value != nil {
			if val, err = decodeJSON(*op.Value, "patch value"); err != nil {
				return nil, err
			}
		}
		var e error
		switch op.Op {
		case "add":
			d, e = pointerSet(d, op.Path, val, true)
		case "remove":
			d, _, e = pointerRemove(d, op.Path)
		case "replace":
			if _, e = pointerGet(d, op.Path); e == nil {
				d, e = pointerSet(d, op.Path, val, false)
			}
		case "move":
			var v any
			if d, v, e = pointerRemove(d, op.From); e == nil {
				d, e = pointerSet(d, op.Path, v, true)
			}
		case "copy":
			var v any
			if v, e = pointerGet(d, op.From); e == nil {
				d, e = pointerSet(d, op.Path, deepCopyJSON(v), true)
			}
		case "test":
			var v any
			if v, e = pointerGet(d, op.Path); e == nil && !jsonEqual(v, val) {
				e = fmt.Errorf("the value at %s is not the expected one", op.Path)
			}
		default:
			e = fmt.Errorf("unknown op %q (use add, remove, replace, move, copy or test)", op.Op)
		}
		if e != nil {
			return nil, api.NewStatusError(http.StatusUnprocessableEntity, api.ReasonInvalid, nil,
				"the JSON patch could not be applied: operation %d (%s %s): %v", i, op.Op, op.Path, e)
		}
	}
	return json.Marshal(d)
}

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

func pointerGet(doc any, path string) (any, error) {
	parts, err := splitPointer(path)
	if err != nil {
		return nil, err
	}
	cur := doc
	for _, p := range parts {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[p]
			if !ok {
				return nil, fmt.Errorf("no field %q", p)
			}
			cur = v
		case []any:
			i, err := index(p, len(c), false)
			if err != nil {
				return nil, err
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("cannot descend into a scalar at %q", p)
		}
	}
	return cur, nil
}

// pointerSet sets (replace) or inserts (add) val at path and returns the
// new document root.
func pointerSet(doc any, path string, val any, insert bool) (any, error) {
	parts, err := splitPointer(path)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return val, nil
	}
	parent, err := pointerGet(doc, joinPointer(parts[:len(parts)-1]))
	if err != nil {
		return nil, err
	}
	last := parts[len(parts)-1]
	switch c := parent.(type) {
	case map[string]any:
		c[last] = val
		return doc, nil
	case []any:
		i, err := index(last, len(c), insert)
		if err != nil {
			return nil, err
		}
		var n []any
		if insert {
			n = append(append(append([]any{}, c[:i]...), val), c[i:]...)
		} else {
			n = append([]any{}, c...)
			n[i] = val
		}
		return replaceAt(doc, parts[:len(parts)-1], n)
	}
	return nil, fmt.Errorf("the parent of %s is not an object or list", path)
}

func pointerRemove(doc any, path string) (any, any, error) {
	parts, err := splitPointer(path)
	if err != nil || len(parts) == 0 {
		return nil, nil, fmt.Errorf("cannot remove %q", path)
	}
	parent, err := pointerGet(doc, joinPointer(parts[:len(parts)-1]))
	if err != nil {
		return nil, nil, err
	}
	last := parts[len(parts)-1]
	switch c := parent.(type) {
	case map[string]any:
		v, ok := c[last]
		if !ok {
			return nil, nil, fmt.Errorf("no field %q", last)
		}
		delete(c, last)
		return doc, v, nil
	case []any:
		i, err := index(last, len(c), false)
		if err != nil {
			return nil, nil, err
		}
		v := c[i]
		n := append(append([]any{}, c[:i]...), c[i+1:]...)
		doc, err = replaceAt(doc, parts[:len(parts)-1], n)
		return doc, v, err
	}
	return nil, nil, fmt.Errorf("the parent of %s is not an object or list", path)
}

// replaceAt puts v at the location parts inside doc (lists are values in
// Go, so a changed list must be stored back into its parent).
func replaceAt(doc any, parts []string, v any) (any, error) {
	if len(parts) == 0 {
		return v, nil
	}
	return pointerSet(doc, joinPointer(parts), v, false)
}

func joinPointer(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

func deepCopyJSON(v any) any {
	b, _ := json.Marshal(v)
	out, _ := decodeJSON(b, "value")
	return out
}

func jsonEqual(a, b any) bool {
	ba, _ := json.Marshal(a)
	bb, _ := json.Marshal(b)
	return bytes.Equal(ba, bb)
}

// newOnly returns the items of after that are not in before.
func newOnly(after, before []string) []string {
	seen := map[string]bool{}
	for _, b := range before {
		seen[b] = true
	}
	var out []string
	for _, a := range after {
		if !seen[a] {
			out = append(out, a)
		}
	}
	return out
}
