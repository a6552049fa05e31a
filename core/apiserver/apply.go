package apiserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// Server-side apply (PATCH with Content-Type application/apply-patch+yaml)
// sends the fields a manager wants the object to have, and only those: its
// whole intent, not a change. The server
//
//  1. merges them into the live object (mergeTrees: maps key by key, keyed
//     lists item by item, everything else replaced);
//  2. removes what the same manager applied last time and no longer does,
//     unless another manager owns it too;
//  3. compares the result with the live object: a field that would change
//     and that another manager owns is a conflict, answered 409 naming the
//     manager and the field — unless the request says force=true, which
//     takes the field from its owner;
//  4. records the applied fields as the manager's "Apply" entry in
//     metadata.managedFields (managedfields.go), and writes the object
//     through the ordinary update path — or creates it when it does not
//     exist yet.
//
// Applying the same configuration twice changes nothing; two managers that
// apply the same value to a field both own it.

// handleApply answers an apply patch of an object or its status.
func (s *Server) handleApply(ctx context.Context, t target, req *rest.Request) response {
	w, force, err := applyWriter(t, req)
	if err != nil {
		return fail(err)
	}
	cfg, cfgObj, warnings, err := decodeApply(t, req)
	if err != nil {
		return fail(err, warnings...)
	}
	sh := s.shapeFor(t.res)
	cfgSet, err := toSet(ownable(t.res, cfg, t.subresource), sh, true)
	if err != nil {
		return fail(errApplyInvalid(t, err), warnings...)
	}
	if m := cfgSet.children["f:metadata"]; m != nil {
		m.member = false
	}
	dryRun := isDryRun(req)
	me := managerKey{w.manager, api.ManagedFieldsApply, w.subresource}

	body, err := s.update(ctx, t, dryRun, modeFor(t), w, func(old api.Object) (api.Object, error) {
		live, err := treeOf(old)
		if err != nil {
			return nil, errInternal(err)
		}
		ms, err := decodeManagers(old.GetObjectMeta().ManagedFields)
		if err != nil {
			return nil, errInvalid(t.res, t.name, api.FieldErrors{{Type: "Invalid value", Field: "metadata.managedFields", Detail: err.Error()}})
		}
		if len(ms) == 0 {
			// Written before fields were tracked: what is there belongs
			// to someone, and the applier must not take it silently.
			set, err := toSet(ownable(t.res, live, t.subresource), sh, false)
			if err != nil {
				return nil, errInternal(err)
			}
			ms[managerKey{beforeFirstApply, api.ManagedFieldsUpdate, w.subresource}] = &managerEntry{apiVersion: t.res.APIVersion(), set: set}
		}
		mergedAny, err := mergeTrees(live, cfg, sh)
		if err != nil {
			return nil, errApplyInvalid(t, err)
		}
		merged, _ := mergedAny.(map[string]any)

		// What this manager applied last time and applies no more goes,
		// unless someone else owns it.
		var last *fieldSet
		if e := ms[me]; e != nil {
			last = e.set
		}
		ms[me] = &managerEntry{set: cfgSet}
		owned := newFieldSet()
		for _, e := range ms {
			owned = owned.union(e.set)
		}
		if drop := last.difference(owned); !drop.empty() {
			merged, _ = removePaths(merged, drop, owned, sh).(map[string]any)
		}

		// Compare what would be stored: the merged object as its kind
		// holds it (an empty map is no map) and with its defaults, so
		// that applying the same configuration again changes nothing.
		next, err := objectFromTree(t, merged)
		if err != nil {
			return nil, err
		}
		defaultObject(t.res, next)
		stored, err := treeOf(next)
		if err != nil {
			return nil, errInternal(err)
		}
		c, err := compareTrees(ownable(t.res, live, t.subresource), ownable(t.res, stored, t.subresource), sh)
		if err != nil {
			return nil, errApplyInvalid(t, err)
		}
		c.withoutMetadata()
		// A map that appears to hold a new key conflicts with nobody: only
		// the key can.
		changed := c.added.union(c.modified).difference(c.holders)
		var conflicts []conflict
		taken := map[managerKey]*fieldSet{}
		for _, k := range ms.others(me) {
			mine := ms[k].set.intersection(changed)
			if mine.empty() {
				continue
			}
			taken[k] = mine
			for _, p := range mine.paths() {
				conflicts = append(conflicts, conflict{manager: k, version: ms[k].apiVersion, path: p})
			}
		}
		if len(conflicts) > 0 && !force && !upgradesClientSideApply(t, w, old, conflicts, sh) {
			return nil, errApplyConflict(t.res, t.name, conflicts)
		}
		for _, k := range ms.others(me) {
			ms[k].set = ms[k].set.difference(c.removed).difference(taken[k])
		}
		e := ms[me]
		e.apiVersion = t.res.APIVersion()
		e.time = nil
		if prev := old.GetObjectMeta().ManagedFields; !c.empty() || last == nil || !last.equal(cfgSet) {
			e.time = api.NewTime(s.clock.Now())
		} else {
			// Nothing changed: keep the entry's time, so that the write
			// is a no-op and the resourceVersion does not move.
			for _, pe := range prev {
				if (managerKey{pe.Manager, pe.Operation, pe.Subresource}) == me {
					e.time = pe.Time
				}
			}
		}

		next.GetObjectMeta().ManagedFields = ms.encode()
		if err := checkIdentity(t, next); err != nil {
			return nil, err
		}
		// A resourceVersion in the configuration is a precondition.
		if rv := cfgObj.GetObjectMeta().ResourceVersion; rv != "" && rv != old.GetObjectMeta().ResourceVersion {
			return nil, errConflict(t.res, t.name, modifiedSince)
		}
		return next, nil
	})
	if err == nil {
		return ok(http.StatusOK, body, warnings)
	}
	var se *api.StatusError
	if !errors.As(err, &se) || se.Status.Reason != api.ReasonNotFound || t.subresource != "" || se.Status.Details == nil || se.Status.Details.Name != t.name {
		return fail(err, warnings...)
	}
	// Applying to an object that does not exist creates it, owned by the
	// applier.
	if cfgObj.GetObjectMeta().ResourceVersion != "" {
		return fail(err, warnings...)
	}
	obj, err := objectFromTree(t, cfg)
	if err != nil {
		return fail(err, warnings...)
	}
	if err := checkIdentity(t, obj); err != nil {
		return fail(err, warnings...)
	}
	ms := managers{me: &managerEntry{apiVersion: t.res.APIVersion(), time: api.NewTime(s.clock.Now()), set: cfgSet}}
	obj.GetObjectMeta().ManagedFields = ms.encode()
	out, err := s.create(ctx, t, obj, dryRun, writer{manager: w.manager, applied: true})
	if err != nil {
		return fail(err, warnings...)
	}
	return ok(http.StatusCreated, out, warnings)
}

// lastAppliedAnnotation is where kubectl's client-side apply keeps the
// configuration it applied last.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// upgradesClientSideApply reports whether an apply by kubectl takes over
// from kubectl's client-side apply: when every conflicting field is one
// the object's last client-side applied configuration set, the fields
// were kubectl's own, and Kubernetes lets `kubectl apply --server-side`
// take them without --force-conflicts. Another manager name opts out.
func upgradesClientSideApply(t target, w writer, old api.Object, conflicts []conflict, sh *shape) bool {
	last, ok := old.GetObjectMeta().Annotations[lastAppliedAnnotation]
	if w.manager != "kubectl" || !ok {
		return false
	}
	v, err := decodeJSON([]byte(last), "last applied configuration")
	m, isObj := v.(map[string]any)
	if err != nil || !isObj {
		return false
	}
	set, err := toSet(ownable(t.res, m, t.subresource), sh, false)
	if err != nil {
		return false
	}
	for _, c := range conflicts {
		if !set.has(c.path) {
			return false
		}
	}
	return true
}

// applyWriter returns the manager of an apply, which the request must
// name, and whether it forces conflicts.
func applyWriter(t target, req *rest.Request) (writer, bool, error) {
	force, err := forceOf(req, true)
	if err != nil {
		return writer{}, false, err
	}
	if req.Query.Get("fieldManager") == "" {
		return writer{}, false, errBadRequest("fieldManager is required for apply requests: name the program that owns these fields (kubectl sends fieldManager=kubectl)")
	}
	w, err := writerOf(t, req)
	if err != nil {
		return writer{}, false, err
	}
	w.applied = true
	return w, force, nil
}

// forceOf reads the force parameter, which only an apply may send.
func forceOf(req *rest.Request, apply bool) (bool, error) {
	v, set := req.Query["force"]
	if !set {
		return false, nil
	}
	if !apply {
		return false, errBadRequest("force: Forbidden: may not be specified for non-apply patch")
	}
	switch v[0] {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	}
	return false, errBadRequest("force: Invalid value: %q: must be true or false", v[0])
}

// decodeApply reads an apply configuration: JSON (the HTTP edge turns
// YAML into JSON) naming the resource's apiVersion and kind. Its fields
// are judged as a create's are (unknown fields warned about, or refused
// under fieldValidation=Strict) and the unknown ones dropped. It returns
// the configuration's tree and the same decoded as the kind.
func decodeApply(t target, req *rest.Request) (map[string]any, api.Object, []string, error) {
	v, err := decodeJSON(req.Body, "apply configuration")
	if err != nil {
		return nil, nil, nil, err
	}
	cfg, isObj := v.(map[string]any)
	if !isObj {
		return nil, nil, nil, errBadRequest("an apply configuration must be an object with apiVersion, kind and metadata.name")
	}
	if cfg["apiVersion"] == nil || cfg["kind"] == nil {
		return nil, nil, nil, errBadRequest("an apply configuration must set apiVersion and kind (%s, %s)", t.res.APIVersion(), t.res.Kind)
	}
	obj, err := decodeBody(t.res, req.Body)
	if err != nil {
		return nil, nil, nil, err
	}
	var warnings []string
	if t.subresource != "status" {
		level, err := fieldValidation(req)
		if err != nil {
			return nil, nil, nil, err
		}
		report, err := fieldReport(level, t.res, req.Body, obj)
		if err != nil {
			return nil, nil, nil, err
		}
		if refused := report.Refused(); level == "Strict" && len(refused) > 0 {
			return nil, nil, nil, errStrict(refused)
		}
		warnings = report.Warnings
	}
	meta := obj.GetObjectMeta()
	if meta.Name != "" && meta.Name != t.name {
		return nil, nil, warnings, errBadRequest("the name of the object (%s) does not match the name on the URL (%s)", meta.Name, t.name)
	}
	if meta.GenerateName != "" && meta.Name == "" {
		return nil, nil, warnings, errBadRequest("metadata.generateName: Forbidden: an apply names its object; set metadata.name")
	}
	var known map[string]any
	if t.res.Custom != nil {
		// A custom resource's unknown fields are those its schema does
		// not declare.
		pruneTree(t.res, cfg)
		known = cfg
	} else {
		known, _ = dropUnknown(cfg, shapeOf(reflect.TypeOf(obj))).(map[string]any)
	}
	md, _ := known["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		known["metadata"] = md
	}
	md["name"] = t.name
	return known, obj, warnings, nil
}

// dropUnknown returns v without the fields its type does not have.
func dropUnknown(v any, s *shape) any {
	if s == nil {
		return v
	}
	switch s.kind {
	case shapeStruct, shapeMap:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, cv := range m {
			if cs := s.field(k); cs != nil {
				out[k] = dropUnknown(cv, cs)
			}
		}
		return out
	case shapeList:
		list, ok := v.([]any)
		if !ok {
			return v
		}
		out := make([]any, len(list))
		for i, item := range list {
			out[i] = dropUnknown(item, s.elem)
		}
		return out
	}
	return v
}

// objectFromTree decodes an object of t's kind from its tree.
func objectFromTree(t target, tree map[string]any) (api.Object, error) {
	b, err := json.Marshal(tree)
	if err != nil {
		return nil, errInternal(err)
	}
	obj := t.res.New()
	if err := json.Unmarshal(b, obj); err != nil {
		return nil, errInvalid(t.res, t.name, api.FieldErrors{{Type: "Invalid value", Detail: "the applied object does not decode: " + jsonErrorText(err)}})
	}
	api.SetTypeMeta(obj)
	return obj, nil
}

// errApplyInvalid is the 422 of a configuration that cannot be merged
// (a keyed list with a repeated key, an item without its key).
func errApplyInvalid(t target, err error) error {
	return api.NewStatusError(http.StatusUnprocessableEntity, api.ReasonInvalid,
		&api.StatusDetails{Name: t.name, Group: t.res.Group, Kind: t.res.Kind},
		"the apply configuration of %s %q cannot be applied: %v", t.res.Kind, t.name, err)
}
