package cel

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/tinykube/tinykube/core/api"
)

// mustSchema decodes a schema written as JSON.
func mustSchema(t testing.TB, s string) *api.JSONSchemaProps {
	t.Helper()
	var out api.JSONSchemaProps
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("schema %s: %v", s, err)
	}
	return &out
}

// mustObj decodes an object as the API server does: numbers as json.Number.
func mustObj(t testing.TB, s string) map[string]any {
	t.Helper()
	if s == "" {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var out map[string]any
	if err := d.Decode(&out); err != nil {
		t.Fatalf("object %s: %v", s, err)
	}
	return out
}
