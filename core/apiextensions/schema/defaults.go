package schema

import "github.com/tinykube/tinykube/core/api"

// A default is written into every object that leaves the field out, so
// the definition must not carry one the API server would then refuse or
// silently change: each default must validate against its own schema and
// must survive pruning unchanged ("must not have unknown fields").

// defaultErrors checks every default of the root schema s at p, through
// properties and array items (as Kubernetes does; a default in an
// additionalProperties schema is checked where it is applied).
func defaultErrors(s *api.JSONSchemaProps, p fieldPath) api.FieldErrors {
	return checkDefaults(s, p, true, false)
}

// checkDefaults checks the default of s and below. embedded is true at an
// object whose apiVersion, kind and metadata are kept (the root, an
// x-kubernetes-embedded-resource); insideMeta below those three fields.
func checkDefaults(s *api.JSONSchemaProps, p fieldPath, embedded, insideMeta bool) api.FieldErrors {
	if s == nil {
		return nil
	}
	if s.XEmbeddedResource {
		embedded, insideMeta = true, false
	}
	var errs api.FieldErrors
	if d, ok := decodeRaw(s.Default); ok {
		if !insideMeta {
			pruned := deepCopy(d)
			(&pruner{}).prune(s, pruned, "", s.XEmbeddedResource)
			if !jsonEqual(pruned, d) {
				errs = append(errs, api.FieldInvalid(p.child("default").String(), badValue(d), "must not have unknown fields"))
			}
		}
		v := &validator{base: p.child("default")}
		v.validateValue(s, d, "", false)
		errs = append(errs, v.errs...)
	} else if len(s.Default) > 0 {
		errs = append(errs, api.FieldInvalid(p.child("default").String(), string(s.Default), "must be a JSON value"))
	}
	if items := Items(s); items != nil {
		errs = append(errs, checkDefaults(items, p.child("items"), false, insideMeta)...)
	}
	for _, k := range sortedKeys(s.Properties) {
		prop := s.Properties[k]
		errs = append(errs, checkDefaults(&prop, p.child("properties").key(k), false, insideMeta || (embedded && isMetaField(k)))...)
	}
	return errs
}
