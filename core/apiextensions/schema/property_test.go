package schema

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"pgregory.net/rapid"
)

// genSchema draws a random structural schema of at most depth levels,
// every default conforming to its schema.
func genSchema(t *rapid.T, depth int, label string) api.JSONSchemaProps {
	kinds := []string{"string", "integer", "boolean", "int-or-string"}
	if depth > 0 {
		kinds = append(kinds, "object", "object", "array", "map")
	}
	switch k := rapid.SampledFrom(kinds).Draw(t, label+".kind"); k {
	case "string":
		s := api.JSONSchemaProps{Type: "string"}
		if rapid.Bool().Draw(t, label+".enum") {
			s.Enum = []json.RawMessage{json.RawMessage(`"a"`), json.RawMessage(`"b"`)}
		}
		if rapid.Bool().Draw(t, label+".default") {
			s.Default = json.RawMessage(`"a"`)
		}
		return s
	case "integer":
		s := api.JSONSchemaProps{Type: "integer", Minimum: ptr(0.0), Maximum: ptr(100.0)}
		if rapid.Bool().Draw(t, label+".default") {
			s.Default = json.RawMessage(fmt.Sprint(rapid.IntRange(0, 100).Draw(t, label+".dv")))
		}
		return s
	case "boolean":
		return api.JSONSchemaProps{Type: "boolean"}
	case "int-or-string":
		return api.JSONSchemaProps{XIntOrString: true, AnyOf: []api.JSONSchemaProps{{Type: "integer"}, {Type: "string"}}}
	case "array":
		items := genSchema(t, depth-1, label+".items")
		return api.JSONSchemaProps{Type: "array", Items: &api.JSONSchemaPropsOrArray{Schema: &items}}
	case "map":
		v := genSchema(t, depth-1, label+".values")
		return api.JSONSchemaProps{Type: "object", AdditionalProperties: &api.JSONSchemaPropsOrBool{Allows: true, Schema: &v}}
	default:
		s := api.JSONSchemaProps{Type: "object", Properties: map[string]api.JSONSchemaProps{}}
		for _, name := range rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"a", "b", "c", "d"}), 1, 3, rapid.ID[string]).Draw(t, label+".props") {
			s.Properties[name] = genSchema(t, depth-1, label+"."+name)
		}
		if rapid.IntRange(0, 4).Draw(t, label+".preserve") == 0 {
			s.XPreserveUnknownFields = ptr(true)
		}
		if rapid.Bool().Draw(t, label+".objdefault") {
			s.Default = json.RawMessage(`{}`)
		}
		return s
	}
}

// genValue draws a value conforming to s. Into objects that prune, it adds
// unknown fields and records their paths in unknown.
func genValue(t *rapid.T, s *api.JSONSchemaProps, path string, unknown *[]string) any {
	label := "v" + path
	switch {
	case s.XIntOrString:
		if rapid.Bool().Draw(t, label) {
			return json.Number(fmt.Sprint(rapid.IntRange(-5, 5).Draw(t, label+"i")))
		}
		return rapid.StringMatching(`[a-z]{0,4}`).Draw(t, label+"s")
	case s.Type == "string":
		if len(s.Enum) > 0 {
			return rapid.SampledFrom([]string{"a", "b"}).Draw(t, label)
		}
		return rapid.StringMatching(`[a-z]{0,4}`).Draw(t, label)
	case s.Type == "integer":
		return json.Number(fmt.Sprint(rapid.IntRange(0, 100).Draw(t, label)))
	case s.Type == "boolean":
		return rapid.Bool().Draw(t, label)
	case s.Type == "array":
		n := rapid.IntRange(0, 2).Draw(t, label+"n")
		l := make([]any, n)
		for i := range l {
			l[i] = genValue(t, s.Items.Schema, fmt.Sprintf("%s[%d]", path, i), unknown)
		}
		return l
	}
	m := map[string]any{}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	if ap := s.AdditionalProperties; ap != nil {
		for _, k := range rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"k1", "k2"}), 0, 2, rapid.ID[string]).Draw(t, label+"keys") {
			m[k] = genValue(t, ap.Schema, join(k), unknown)
		}
		return m
	}
	for _, k := range sortedKeys(s.Properties) {
		if rapid.Bool().Draw(t, label+k) {
			p := s.Properties[k]
			m[k] = genValue(t, &p, join(k), unknown)
		}
	}
	if !preserves(s) {
		for _, k := range rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"x1", "x2"}), 0, 2, rapid.ID[string]).Draw(t, label+"unknown") {
			m[k] = "junk"
			*unknown = append(*unknown, join(k))
		}
	}
	return m
}

// TestDefaultPruneValidateProperties checks, for random structural schemas
// and objects: Prune removes exactly the unknown fields it is given;
// Prune and Default are idempotent; what Default and Prune make of a
// conforming object validates; and the schema passes the structural check.
func TestDefaultPruneValidateProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genSchema(t, 3, "root")
		if s.Type != "object" || s.AdditionalProperties != nil {
			s = api.JSONSchemaProps{Type: "object", Properties: map[string]api.JSONSchemaProps{"spec": s}}
		}
		if errs := structuralErrors(&s, "root"); len(errs) > 0 {
			t.Fatalf("structuralErrors(generated) = %v, want none", errs)
		}
		if errs := defaultErrors(&s, "root"); len(errs) > 0 {
			t.Fatalf("defaultErrors(generated) = %v, want none", errs)
		}
		var unknown []string
		obj := genValue(t, &s, "", &unknown).(map[string]any)
		sort.Strings(unknown)

		removed := Prune(&s, obj)
		if diff := cmp.Diff(unknown, removed); diff != "" {
			t.Fatalf("Prune removed (-want +got):\n%s", diff)
		}
		if again := Prune(&s, obj); len(again) != 0 {
			t.Fatalf("Prune twice removed %v, want nothing", again)
		}
		Default(&s, obj)
		once := deepCopy(obj)
		Default(&s, obj)
		if diff := cmp.Diff(once, any(obj)); diff != "" {
			t.Fatalf("Default twice changed the object (-once +twice):\n%s", diff)
		}
		if removed := Prune(&s, obj); len(removed) != 0 {
			t.Fatalf("Prune after Default removed %v, want nothing", removed)
		}
		if errs := Validate(&s, obj); len(errs) > 0 {
			t.Fatalf("Validate(Default(Prune(obj))) = %v, want no errors", errs)
		}
	})
}
