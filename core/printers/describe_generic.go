package printers

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/tinykube/tinykube/core/api"
)

// namespace writes kubectl's describe of a namespace, without the quota
// and limit-range sections, which are other objects.
func (d *describer) namespace(ns *api.Namespace) {
	d.nameAndNamespace(&ns.ObjectMeta)
	d.labels("Labels", ns.Labels)
	d.annotations("Annotations", ns.Annotations)
	d.line(0, "Status:\t%s\n", ns.Status.Phase)
	d.line(0, "\n")
}

// configMap writes each data key with its value under a "----" rule, and
// the size of each binary key.
func (d *describer) configMap(c *api.ConfigMap) {
	d.nameAndNamespace(&c.ObjectMeta)
	d.labels("Labels", c.Labels)
	d.annotations("Annotations", c.Annotations)
	d.line(0, "\nData\n====\n")
	for _, k := range slices.Sorted(maps.Keys(c.Data)) {
		d.line(0, "%s:\n----\n%s\n\n", k, c.Data[k])
	}
	d.line(0, "\nBinaryData\n====\n")
	for _, k := range slices.Sorted(maps.Keys(c.BinaryData)) {
		d.line(0, "%s: %d bytes\n", k, len(c.BinaryData[k]))
	}
	d.line(0, "\n")
}

// secret writes the type and the size of each key, never a value.
func (d *describer) secret(s *api.Secret) {
	d.nameAndNamespace(&s.ObjectMeta)
	d.labels("Labels", s.Labels)
	d.annotations("Annotations", s.Annotations)
	d.line(0, "\nType:\t%s\n", s.Type)
	d.line(0, "\nData\n====\n")
	for _, k := range slices.Sorted(maps.Keys(s.Data)) {
		d.line(0, "%s:\t%d bytes\n", k, len(s.Data[k]))
	}
	d.line(0, "\n")
}

// generic writes any other object as kubectl describes a custom resource:
// the metadata header, then every other top-level field of its JSON form,
// nested maps indented, field names spelled out ("holderIdentity" becomes
// "Holder Identity"). Adding a kind needs nothing here.
func (d *describer) generic(obj api.Object) {
	m := obj.GetObjectMeta()
	d.nameAndNamespace(m)
	d.labels("Labels", m.Labels)
	d.annotations("Annotations", m.Annotations)
	if c := controlledBy(m); c != "" {
		d.line(0, "Controlled By:\t%s\n", c)
	}
	var fields map[string]any
	b, err := json.Marshal(obj)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber() // keep integers as written
		err = dec.Decode(&fields)
	}
	if err != nil {
		d.line(0, "<cannot render %T: %v>\n", obj, err)
		return
	}
	delete(fields, "metadata")
	// Objects read through typed clients often have no apiVersion and kind
	// set; the Go type says what they are.
	if r := api.ResourceOf(obj); r != nil {
		fields["apiVersion"], fields["kind"] = r.APIVersion(), r.Kind
	}
	d.fields(0, fields)
}

// fields writes a JSON object's fields, sorted, at the given level.
func (d *describer) fields(level int, m map[string]any) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch v := m[k].(type) {
		case map[string]any:
			d.line(level, "%s:\n", smartLabel(k))
			d.fields(level+1, v)
		case []any:
			d.line(level, "%s:\n", smartLabel(k))
			for _, item := range v {
				if child, ok := item.(map[string]any); ok {
					d.fields(level+1, child)
				} else {
					d.line(level+1, "%v\n", item)
				}
			}
		default:
			d.line(level, "%s:\t%v\n", smartLabel(k), v)
		}
	}
}

// smartLabel spells out a camelCase field name as kubectl does for custom
// resources: "leaseDurationSeconds" is "Lease Duration Seconds", "apiVersion"
// is "API Version" (tinykube also keeps "IP" upper case, kubectl writes
// "Ip"). A name with anything but letters and '-' (a ConfigMap
// key, a label) is kept as it is.
func smartLabel(field string) string {
	if strings.IndexFunc(field, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) >= 0 {
		return field
	}
	var words []string
	start := 0
	rs := []rune(field)
	for i := 1; i <= len(rs); i++ {
		// A word ends before a capital that follows a lower-case letter, and
		// before the last capital of a run that starts a lower-case word
		// ("HTTPGet" is "HTTP Get"), unless that word is a plural "s"
		// ("podIPs" is "Pod IPs").
		if i == len(rs) || unicode.IsUpper(rs[i]) && (unicode.IsLower(rs[i-1]) || unicode.IsUpper(rs[i-1]) && startsWord(rs[i+1:])) {
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	for i, w := range words {
		switch up := strings.ToUpper(w); up {
		case "API", "URL", "UID", "OSB", "GUID", "IP", "IPS":
			if up == "IPS" {
				up = "IPs"
			}
			words[i] = up
		default:
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// startsWord reports whether rs begins with a lower-case word other than a
// lone plural "s".
func startsWord(rs []rune) bool {
	if len(rs) == 0 || !unicode.IsLower(rs[0]) {
		return false
	}
	return rs[0] != 's' || len(rs) > 1 && unicode.IsLower(rs[1])
}
