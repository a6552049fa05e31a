package cel

import "testing"

func TestFieldPath(t *testing.T) {
	s := mustSchema(t, testSchema(t, ""))
	spec := s.Properties["spec"]
	tests := []struct {
		in, want, err string
	}{
		{".replicas", "replicas", ""},
		{"['replicas']", "replicas", ""},
		{".labels['app.kubernetes.io/name']", "labels[app.kubernetes.io/name]", ""},
		{".labels.app", "labels[app]", ""},
		{`['x-y']`, "x-y", ""},
		{".nope", "", "does not refer to a valid field"},
		{".replicas.x", "", "does not refer to a valid field"},
		{"replicas", "", "expected [ or . but got: replicas"},
		{".", "", "unexpected end of JSON path"},
		{"[0]", "", "expected single quoted string but got 0]"},
		{"['replicas'", "", `expected ] after "replicas"`},
		{`['a\q']`, "", `invalid string literal: invalid escape in 'a\q']`},
	}
	for _, tt := range tests {
		got, err := fieldPath(tt.in, &spec)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.err {
			t.Errorf("fieldPath(%q) = %q, %q; want %q, %q", tt.in, got, gotErr, tt.want, tt.err)
		}
	}
}
