package schema

import "github.com/tinykube/tinykube/core/api"

// Defaulting follows Kubernetes' algorithm: top-down, so a default that
// creates an object is itself defaulted below (its properties' defaults
// apply to it); a property that is missing, or null where the schema is
// not nullable, takes the default; array items and additionalProperties
// values that are such nulls take the default of their schema.

// defaultValue fills in the defaults s declares below x, in place.
func defaultValue(s *api.JSONSchemaProps, x any, root bool) {
	if s == nil {
		return
	}
	switch x := x.(type) {
	case map[string]any:
		for _, k := range sortedKeys(s.Properties) {
			if root && k == "metadata" {
				continue
			}
			p := s.Properties[k]
			if v, found := x[k]; !found || (v == nil && !p.Nullable) {
				if d, ok := decodeRaw(p.Default); ok {
					x[k] = d
				}
			}
		}
		for _, k := range sortedKeys(x) {
			if root && k == "metadata" {
				continue
			}
			if p, declared := s.Properties[k]; declared {
				defaultValue(&p, x[k], false)
			} else if ap := s.AdditionalProperties; ap != nil && ap.Schema != nil {
				if x[k] == nil && !ap.Schema.Nullable {
					if d, ok := decodeRaw(ap.Schema.Default); ok {
						x[k] = d
					}
				}
				defaultValue(ap.Schema, x[k], false)
			}
		}
	case []any:
		items := Items(s)
		if items == nil {
			return
		}
		for i := range x {
			if x[i] == nil && !items.Nullable {
				if d, ok := decodeRaw(items.Default); ok {
					x[i] = d
				}
			}
			defaultValue(items, x[i], false)
		}
	}
}
