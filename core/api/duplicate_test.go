package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDuplicateFields(t *testing.T) {
	for _, tt := range []struct {
		name string
		obj  Object
		raw  string
		want []string
	}{
		{"none", &Pod{}, `{"metadata":{"name":"a"}}`, nil},
		{"top level", &Pod{}, `{"kind":"Pod","kind":"Pod"}`, []string{"kind"}},
		{"in a list item", &Pod{}, `{"spec":{"containers":[{"name":"a"},{"name":"b","name":"c"}]}}`, []string{"spec.containers[1].name"}},
		{"map key", &Pod{}, `{"metadata":{"labels":{"a":"1","b":"2","a":"3"}}}`, []string{"metadata.labels[a]"}},
		{"inside a map value", &Deployment{}, `{"spec":{"template":{"spec":{"nodeSelector":{"x":"1"},"containers":[{"resources":{"limits":{"cpu":"1","cpu":"2"}}}]}}}}`,
			[]string{"spec.template.spec.containers[0].resources.limits[cpu]"}},
		{"inside an unknown field", &Pod{}, `{"spec":{"extra":{"q":1,"q":2}}}`, []string{"spec.extra.q"}},
		{"same key in sibling objects", &Pod{}, `{"spec":{"containers":[{"name":"a"},{"name":"a"}]}}`, nil},
		{"thrice", &ConfigMap{}, `{"data":{"k":"1","k":"2","k":"3"}}`, []string{"data[k]", "data[k]"}},
		{"not JSON", &Pod{}, `{"metadata":`, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, DuplicateFields([]byte(tt.raw), tt.obj)); diff != "" {
				t.Errorf("DuplicateFields(%s) (-want +got):\n%s", tt.raw, diff)
			}
		})
	}
}
