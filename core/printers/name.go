package printers

import (
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// QualifiedKind is the lower-case kind kubectl puts before a name in -o name
// and --show-kind output: "pod" for the core group, "deployment.apps" or
// "lease.coordination.k8s.io" otherwise.
func QualifiedKind(r *api.Resource) string {
	return qualify(r.Group, r.Kind)
}

// Name is obj's -o name form: "pod/web-1", "deployment.apps/web". The kind
// comes from the object's Go type when tinykube serves it, otherwise from
// its apiVersion and kind fields.
func Name(obj api.Object) string {
	name := obj.GetObjectMeta().Name
	if r := api.ResourceOf(obj); r != nil {
		return QualifiedKind(r) + "/" + name
	}
	tm := obj.GetTypeMeta()
	group, _, found := strings.Cut(tm.APIVersion, "/")
	if !found {
		group = "" // "v1" is the core group
	}
	return qualify(group, tm.Kind) + "/" + name
}

func qualify(group, kind string) string {
	if group == "" {
		return strings.ToLower(kind)
	}
	return strings.ToLower(kind + "." + group)
}
