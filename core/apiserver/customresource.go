package apiserver

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiextensions/cel"
	"github.com/tinykube/tinykube/core/apiextensions/schema"
)

// A custom object (an *api.Unstructured of a resource a
// CustomResourceDefinition defines) goes through the same verbs as a
// built-in kind, with its version's schema standing where a built-in kind
// has its Go type and its validation code:
//
//	decode ─► prune (unknown fields: warnings, or 400 under Strict)
//	       ─► default (the schema's defaults) ─► admission
//	       ─► validate (metadata, the schema, then the CEL rules) ─► store
//
// Writes of a definition itself are checked by schema.ValidateDefinition
// and by compiling its CEL rules, where a built-in kind is validated.

// customSchema returns the openAPIV3Schema of a custom resource's version,
// or nil when the version has none (then nothing is pruned, defaulted or
// validated beyond metadata).
func customSchema(res *api.Resource) *api.JSONSchemaProps {
	if res.Custom == nil || res.Custom.Version.Schema == nil {
		return nil
	}
	return res.Custom.Version.Schema.OpenAPIV3Schema
}

// objectTree returns u as the one JSON object a schema describes:
// apiVersion, kind, metadata (decoded from its typed form) and the
// content's fields. The content's values are shared with u, not copied;
// write changes to the top level back with setContent.
func objectTree(u *api.Unstructured) map[string]any {
	m := make(map[string]any, len(u.Content)+3)
	maps.Copy(m, u.Content)
	m["apiVersion"], m["kind"] = u.APIVersion, u.Kind
	if b, err := json.Marshal(&u.ObjectMeta); err == nil {
		if meta, err := api.DecodeJSONValue(b); err == nil {
			m["metadata"] = meta
		}
	}
	return m
}

// setContent makes the top-level fields of tree, but apiVersion, kind and
// metadata (which u keeps typed), u's content.
func setContent(u *api.Unstructured, tree map[string]any) {
	u.Content = make(map[string]any, len(tree))
	for k, v := range tree {
		if k != "apiVersion" && k != "kind" && k != "metadata" {
			u.Content[k] = v
		}
	}
}

// pruneCustom removes from obj, a custom object of res, the fields its
// schema does not declare and returns their paths, sorted ("spec.foo").
// It does nothing to other objects.
func pruneCustom(res *api.Resource, obj api.Object) []string {
	u, ok := obj.(*api.Unstructured)
	sch := customSchema(res)
	if !ok || sch == nil {
		return nil
	}
	tree := objectTree(u)
	pruned := schema.Prune(sch, tree)
	setContent(u, tree)
	return pruned
}

// pruneTree is pruneCustom for an object as a JSON tree (an apply
// configuration): it prunes tree in place.
func pruneTree(res *api.Resource, tree map[string]any) []string {
	sch := customSchema(res)
	if sch == nil {
		return nil
	}
	return schema.Prune(sch, tree)
}

// defaultObject applies the server's defaults to obj: the built-in kinds'
// (api.Default), and for a custom object what Kubernetes does at decode,
// pruning then the schema's defaults.
func defaultObject(res *api.Resource, obj api.Object) {
	api.Default(obj)
	u, ok := obj.(*api.Unstructured)
	sch := customSchema(res)
	if !ok || sch == nil {
		return
	}
	tree := objectTree(u)
	schema.Prune(sch, tree)
	schema.Default(sch, tree)
	setContent(u, tree)
}

// validateCreate returns what is wrong with obj, an object of res about to
// be created: api.Validate, and for a definition or a custom object the
// checks of validateCustom.
func (s *Server) validateCreate(res *api.Resource, obj api.Object) api.FieldErrors {
	errs := api.Validate(obj)
	return s.validateCustom(res, obj, nil, updateMain, errs)
}

// validateUpdate returns what is wrong with next replacing old (an update
// in mode): api.ValidateUpdate, and the checks of validateCustom.
func (s *Server) validateUpdate(res *api.Resource, next, old api.Object, mode updateMode) api.FieldErrors {
	return s.validateCustom(res, next, old, mode, api.ValidateUpdate(next, old))
}

// validateCustom adds to errs (what package api found) the checks of the
// two kinds package api cannot validate alone:
//
//   - a CustomResourceDefinition written whole (not its status): the
//     definition itself (schema.ValidateDefinition) and the CEL rules of
//     every version, which must compile;
//   - a custom object: its metadata as its scope wants it, the version's
//     schema (on a status write only status, as Kubernetes' status
//     strategy does), then the CEL rules, with the stored object as
//     oldSelf on updates. The rules are not run when the schema found the
//     object malformed (wrong types, missing or unsupported values),
//     as in Kubernetes.
//
// old is nil on create. A deletion mark is only checked for metadata: it
// changes nothing the schema judges, and an object stored before its
// schema tightened must still be deletable.
func (s *Server) validateCustom(res *api.Resource, obj, old api.Object, mode updateMode, errs api.FieldErrors) api.FieldErrors {
	if crd, ok := obj.(*api.CustomResourceDefinition); ok && mode == updateMain {
		oldCRD, _ := old.(*api.CustomResourceDefinition)
		return append(errs, validateDefinition(crd, oldCRD)...)
	}
	u, ok := obj.(*api.Unstructured)
	if !ok || res.Custom == nil {
		return errs
	}
	errs = scopeMetaErrors(res, u, errs)
	if mode == updateDeletion {
		return errs
	}
	tree := objectTree(u)
	if sch := customSchema(res); sch != nil {
		if mode == updateStatus && res.HasStatus {
			sch = statusOnly(sch)
		}
		errs = append(errs, schema.Validate(sch, tree)...)
	}
	if blockingErrors(errs) {
		return append(errs, &api.FieldError{Type: api.ErrorTypeInvalid, Field: "<nil>", BadValue: `"null"`,
			Detail: "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"})
	}
	var oldTree map[string]any
	if ou, ok := old.(*api.Unstructured); ok {
		oldTree = objectTree(ou)
	}
	return append(errs, s.customCache(res).rules.Validate(tree, oldTree)...)
}

// scopeMetaErrors corrects what api.Validate says of a custom object's
// metadata for its scope: package api cannot tell a custom resource's
// scope from its object and judges it as a namespaced kind. For a
// cluster-scoped resource a missing namespace is right and a namespace is
// forbidden, as for built-in cluster-scoped kinds.
func scopeMetaErrors(res *api.Resource, u *api.Unstructured, errs api.FieldErrors) api.FieldErrors {
	if res.Namespaced {
		return errs
	}
	var out api.FieldErrors
	for _, e := range errs {
		if e.Field != "metadata.namespace" {
			out = append(out, e)
		}
	}
	if u.Namespace != "" {
		out = append(out, api.FieldForbidden("metadata.namespace", "not allowed on this type"))
	}
	return out
}

// statusOnly returns the part of a version's schema a status write is
// validated against: the root with its status property alone.
func statusOnly(sch *api.JSONSchemaProps) *api.JSONSchemaProps {
	out := &api.JSONSchemaProps{Type: "object", XPreserveUnknownFields: ptrTrue()}
	if st, ok := sch.Properties["status"]; ok {
		out.Properties = map[string]api.JSONSchemaProps{"status": st}
	}
	return out
}

func ptrTrue() *bool { t := true; return &t }

// blockingErrors reports whether errs hold a failure that makes CEL rules
// meaningless on the object: a value of the wrong type, a missing required
// one, one outside its enum, too long or too many — the failures after
// which Kubernetes skips the rules.
func blockingErrors(errs api.FieldErrors) bool {
	for _, e := range errs {
		switch e.Type {
		case api.ErrorTypeNotSupported, api.ErrorTypeRequired, api.ErrorTypeTooLong, api.ErrorTypeTooMany:
			return true
		case api.ErrorTypeInvalid:
			if strings.Contains(e.Detail, "must be of type") {
				return true
			}
		}
	}
	return false
}

// validateDefinition checks a CustomResourceDefinition being written
// (after defaulting): schema.ValidateDefinition, then every version's CEL
// rules, which must compile, reported under
// spec.versions[i].schema.openAPIV3Schema. old is nil on create.
func validateDefinition(crd, old *api.CustomResourceDefinition) api.FieldErrors {
	errs := schema.ValidateDefinition(crd, old)
	for i, v := range crd.Spec.Versions {
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		_, cerrs := cel.Compile(v.Schema.OpenAPIV3Schema, fmt.Sprintf("spec.versions[%d].schema.openAPIV3Schema", i))
		errs = append(errs, cerrs...)
	}
	return errs
}

// customEntry is what serving one version of one definition needs compiled:
// its CEL rules and the shape of its objects for server-side apply.
type customEntry struct {
	rules *cel.Rules
	shape *shape
}

// customEntries caches customEntry by definition uid, resourceVersion and
// version name, so that a definition's rules are compiled once per change
// of the definition, not once per request. It holds at most
// customEntriesSize entries and forgets the oldest first.
type customEntries struct {
	mu    sync.Mutex
	m     map[string]*customEntry
	order []string // keys, oldest first
}

const customEntriesSize = 256

// customCache returns the compiled rules and shape of res, a custom
// resource, compiling them on first use. A definition whose rules do not
// compile was refused when written; if one is met anyway (stored before
// the rules were checked), its version gets no rules rather than no
// service.
func (s *Server) customCache(res *api.Resource) *customEntry {
	d := res.Custom.Definition
	k := d.UID + "/" + d.ResourceVersion + "/" + res.Version
	c := &s.custom
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok {
		return e
	}
	if c.m == nil {
		c.m = map[string]*customEntry{}
	}
	sch := customSchema(res)
	e := &customEntry{shape: shapeOfSchema(sch)}
	if sch != nil {
		if rules, errs := cel.Compile(sch, "openAPIV3Schema"); len(errs) == 0 {
			e.rules = rules
		}
	}
	if len(c.order) >= customEntriesSize {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.m[k] = e
	c.order = append(c.order, k)
	return e
}

// checkCustomCreate refuses a new custom object while its definition is
// being deleted: the cleanup that follows would miss it. Kubernetes
// answers 403 Forbidden in these words.
func checkCustomCreate(res *api.Resource, name string) error {
	if res.Custom != nil && res.Custom.Definition.DeletionTimestamp != nil {
		return errForbidden(res, name, "create not allowed while custom resource definition is terminating")
	}
	return nil
}

// customDesiredStateEqual is desiredStateEqual for custom objects: every
// top-level field but metadata is desired state — status too, unless the
// version has a status subresource — as Kubernetes' custom resource
// strategy counts changes for metadata.generation.
func customDesiredStateEqual(res *api.Resource, a, b *api.Unstructured) (bool, error) {
	ca, cb := a.ShallowContent(), b.ShallowContent()
	if res.HasStatus {
		delete(ca, "status")
		delete(cb, "status")
	}
	ja, err := json.Marshal(ca)
	if err != nil {
		return false, err
	}
	jb, err := json.Marshal(cb)
	if err != nil {
		return false, err
	}
	return string(ja) == string(jb), nil
}

// desiredStateEqualFor is desiredStateEqual given the resource: custom
// objects compare by customDesiredStateEqual.
func desiredStateEqualFor(res *api.Resource, a, b api.Object) (bool, error) {
	ua, aok := a.(*api.Unstructured)
	ub, bok := b.(*api.Unstructured)
	if aok && bok {
		return customDesiredStateEqual(res, ua, ub)
	}
	return desiredStateEqual(a, b)
}
