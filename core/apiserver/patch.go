package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"

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
