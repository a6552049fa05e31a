package apiserver

import (
	"fmt"

	"github.com/tinykube/tinykube/core/api"
)

// Field selectors on custom resources offer what Kubernetes offers:
// metadata.name, metadata.namespace for namespaced resources, and the
// version's selectableFields, each named by its JSON path without the
// leading dot ("spec.color") and valued as the field's JSON scalar printed
// bare ("blue", "3", "true"), or "" when the object does not have it.

// objectFields returns the fields a field selector may test on obj, an
// object of res, with their values (api.ObjectFields for built-in kinds).
// res may be nil for a built-in kind.
func objectFields(res *api.Resource, obj api.Object) map[string]string {
	if res == nil || res.Custom == nil {
		return api.ObjectFields(obj)
	}
	m := obj.GetObjectMeta()
	out := map[string]string{"metadata.name": m.Name}
	if res.Namespaced {
		out["metadata.namespace"] = m.Namespace
	}
	u, _ := obj.(*api.Unstructured)
	for _, sf := range res.Custom.Version.SelectableFields {
		name := trimDot(sf.JSONPath)
		out[name] = ""
		if u == nil {
			continue
		}
		if v, ok := u.Field(jsonPathFields(sf.JSONPath)...); ok && v != nil {
			out[name] = fmt.Sprint(v)
		}
	}
	return out
}

// validateFieldSelector checks that sel tests only fields res offers (see
// objectFields), in Kubernetes' words: "field label not supported:
// spec.foo".
func validateFieldSelector(res *api.Resource, sel api.FieldSelector) error {
	if res.Custom == nil {
		return api.ValidateFieldSelector(res, sel)
	}
	supported := objectFields(res, res.New())
	for _, f := range sel.Fields() {
		if _, ok := supported[f]; !ok {
			return fmt.Errorf("field label not supported: %s", f)
		}
	}
	return nil
}

func trimDot(p string) string {
	if len(p) > 0 && p[0] == '.' {
		return p[1:]
	}
	return p
}
