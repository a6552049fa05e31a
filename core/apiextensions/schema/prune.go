package schema

import (
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/tinykube/tinykube/core/api"
)

// Pruning follows Kubernetes: a field the schema does not declare is
// dropped, unless x-kubernetes-preserve-unknown-fields keeps the unknown
// fields of its object (declared properties below it are still pruned).
// The object itself and every x-kubernetes-embedded-resource object keep
// apiVersion, kind and metadata whatever the schema says; the metadata of
// an embedded resource keeps only ObjectMeta's fields. An
// x-kubernetes-int-or-string value is a leaf.

// pruner removes unknown fields and remembers their paths.
type pruner struct {
	removed []string
}

// record notes the removal of field k of the object at path.
func (p *pruner) record(path, k string) {
	if path == "" {
		p.removed = append(p.removed, k)
	} else {
		p.removed = append(p.removed, path+"."+k)
	}
}

// prune prunes x against s. A nil s means x is unknown: every field of an
// object below is dropped. embedded is true for an object whose
// apiVersion, kind and metadata are kept.
func (p *pruner) prune(s *api.JSONSchemaProps, x any, path string, embedded bool) {
	if s != nil && s.XIntOrString {
		return
	}
	if preserves(s) {
		p.skip(s, x, path, embedded)
		return
	}
	switch x := x.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if embedded && isMetaField(k) {
				if k == "metadata" && path != "" {
					p.pruneObjectMeta(x[k], path+".metadata")
				}
				continue
			}
			sub := path + "." + k
			if path == "" {
				sub = k
			}
			if s == nil {
				p.record(path, k)
				delete(x, k)
				continue
			}
			if prop, ok := s.Properties[k]; ok {
				p.prune(&prop, x[k], sub, prop.XEmbeddedResource)
			} else if s.AdditionalProperties != nil {
				// Kubernetes keeps the key whatever additionalProperties
				// says (false is left to validation) and prunes the value
				// against its schema: without one, the value's own fields
				// are unknown.
				ap := s.AdditionalProperties.Schema
				p.prune(ap, x[k], sub, ap != nil && ap.XEmbeddedResource)
			} else {
				p.record(path, k)
				delete(x, k)
			}
		}
	case []any:
		items := Items(s)
		for i := range x {
			p.prune(items, x[i], indexPath(path, i), items != nil && items.XEmbeddedResource)
		}
	}
}

// skip walks an object that keeps its unknown fields, pruning only inside
// the fields it declares.
func (p *pruner) skip(s *api.JSONSchemaProps, x any, path string, embedded bool) {
	switch x := x.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if embedded && isMetaField(k) {
				if k == "metadata" && path != "" {
					p.pruneObjectMeta(x[k], path+".metadata")
				}
				continue
			}
			sub := path + "." + k
			if path == "" {
				sub = k
			}
			if prop, ok := s.Properties[k]; ok {
				p.prune(&prop, x[k], sub, prop.XEmbeddedResource)
			} else if ap := s.AdditionalProperties; ap != nil && ap.Schema != nil {
				p.prune(ap.Schema, x[k], sub, ap.Schema.XEmbeddedResource)
			}
		}
	case []any:
		items := Items(s)
		if items == nil {
			return
		}
		// As in Kubernetes, the items of an array in a preserving object
		// keep their unknown fields too.
		for i := range x {
			p.skip(items, x[i], indexPath(path, i), items.XEmbeddedResource)
		}
	}
}

// pruneObjectMeta drops from an embedded resource's metadata the fields
// ObjectMeta does not have, as Kubernetes drops them when it decodes it.
func (p *pruner) pruneObjectMeta(x any, path string) {
	m, ok := x.(map[string]any)
	if !ok {
		return
	}
	known := objectMetaFields()
	for _, k := range sortedKeys(m) {
		if !known[k] {
			p.record(path, k)
			delete(m, k)
		}
	}
}

func indexPath(path string, i int) string {
	return string(fieldPath(path).index(i))
}

func isMetaField(k string) bool { return k == "apiVersion" || k == "kind" || k == "metadata" }

// objectMetaFields returns the JSON names of api.ObjectMeta's fields.
var objectMetaFields = sync.OnceValue(func() map[string]bool {
	names := map[string]bool{}
	t := reflect.TypeFor[api.ObjectMeta]()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names[name] = true
		}
	}
	return names
})

// sortPaths sorts pruned paths as Kubernetes reports them.
func sortPaths(paths []string) []string {
	sort.Strings(paths)
	return paths
}
