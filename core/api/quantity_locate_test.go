package api

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestQuantityErrors(t *testing.T) {
	format := ErrQuantityFormat.Error()
	tests := []struct {
		name string
		obj  any
		doc  string
		want []string
	}{
		{"container limit", (*Pod)(nil),
			`{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"abc","memory":"1Gi"}}}]}}`,
			[]string{`spec.containers[0].resources.limits[cpu]: Invalid value: "abc": ` + format}},
		{"several, in the order of the type's fields", (*Pod)(nil),
			`{"spec":{"initContainers":[{"resources":{"requests":{"memory":"NaN"}}}],"containers":[{},{"resources":{"requests":{"cpu":"Inf","memory":1e300}}}],
			  "volumes":[{"name":"v","emptyDir":{"sizeLimit":"1 Gi"}}]}}`,
			[]string{
				`spec.volumes[0].emptyDir.sizeLimit: Invalid value: "1 Gi": ` + format,
				`spec.initContainers[0].resources.requests[memory]: Invalid value: "NaN": ` + format,
				`spec.containers[1].resources.requests[cpu]: Invalid value: "Inf": ` + format,
				`spec.containers[1].resources.requests[memory]: Invalid value: "1e300": ` + ErrQuantityTooLarge.Error(),
			}},
		{"spaces are refused as the decoder refuses them", (*Pod)(nil),
			`{"spec":{"containers":[{"resources":{"limits":{"cpu":"  1"}}}]}}`,
			[]string{`spec.containers[0].resources.limits[cpu]: Invalid value: "  1": ` + format}},
		{"node capacity", (*Node)(nil),
			`{"status":{"capacity":{"pods":"1iK"}}}`,
			[]string{`status.capacity[pods]: Invalid value: "1iK": unable to parse quantity's suffix`}},
		{"claim request", (*PersistentVolumeClaim)(nil),
			`{"spec":{"resources":{"requests":{"storage":"ten"}}}}`,
			[]string{`spec.resources.requests[storage]: Invalid value: "ten": ` + format}},
		{"workload template", (*Deployment)(nil),
			`{"spec":{"template":{"spec":{"containers":[{"resources":{"limits":{"cpu":"-"}}}]}}}}`,
			[]string{`spec.template.spec.containers[0].resources.limits[cpu]: Invalid value: "-": ` + format}},
		{"not JSON", (*Pod)(nil), `{"spec":`, nil},
		{"wrong shapes are the decoder's business", (*Pod)(nil), `{"spec":{"containers":{"x":1}}}`, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range QuantityErrors(tt.obj, []byte(tt.doc)) {
			got = append(got, e.Error())
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: QuantityErrors(%s) mismatch (-want +got):\n%s", tt.name, tt.doc, diff)
		}
	}
}

// TestQuantityErrorsAgreeWithDecoder: whenever decoding fails on a
// quantity, QuantityErrors finds at least one; when decoding succeeds it
// finds none.
func TestQuantityErrorsAgreeWithDecoder(t *testing.T) {
	for _, doc := range []string{
		`{"spec":{"containers":[{"resources":{"limits":{"cpu":"abc"}}}]}}`,
		`{"spec":{"containers":[{"resources":{"limits":{"cpu":"500m"}}}]}}`,
		`{"spec":{"overhead":{"cpu":"x"}}}`,
		`{"spec":{"containers":[{"env":[{"name":"A","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"1q"}}}]}]}}`,
	} {
		var p Pod
		err := json.Unmarshal([]byte(doc), &p)
		found := QuantityErrors(&p, []byte(doc))
		if IsQuantityError(err) != (len(found) > 0) {
			t.Errorf("json.Unmarshal(%s) = %v but QuantityErrors = %v", doc, err, found)
		}
	}
}
