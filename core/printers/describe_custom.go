package printers

import (
	"github.com/tinykube/tinykube/core/api"
)

// customResource describes an object of a custom resource as kubectl
// describes one: the generic header (name, namespace, labels,
// annotations), API Version and Kind, then a "Metadata:" section with the
// rest of the metadata (creation time, generation, resource version, uid,
// owner references, finalizers; not the managed fields), then every other
// top-level field ("Spec:", "Status:") spelled out.
func (d *describer) customResource(u *api.Unstructured) {
	m := &u.ObjectMeta
	d.nameAndNamespace(m)
	d.labels("Labels", m.Labels)
	d.annotations("Annotations", m.Annotations)
	fields := map[string]any{}
	for k, v := range u.Content {
		fields[k] = v
	}
	fields["apiVersion"], fields["kind"] = u.APIVersion, u.Kind
	meta, err := genericJSON(m)
	if mm, ok := meta.(map[string]any); err == nil && ok {
		for _, k := range []string{"name", "namespace", "labels", "annotations", "managedFields"} {
			delete(mm, k)
		}
		if len(mm) > 0 {
			fields["metadata"] = mm
		}
	}
	// kubectl orders API Version and Kind before Metadata and the rest;
	// fields sorts, so write those two first.
	d.line(0, "%s:\t%v\n", smartLabel("apiVersion"), u.APIVersion)
	d.line(0, "%s:\t%v\n", smartLabel("kind"), u.Kind)
	delete(fields, "apiVersion")
	delete(fields, "kind")
	d.fields(0, fields)
}
