package cel

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzRule compiles random rules against the test schema and runs those
// that compile on random objects, as new and as old: nothing may panic,
// and each error must name a field.
func FuzzRule(f *testing.F) {
	seeds := []struct{ rule, obj string }{
		{"self.replicas > 0", `{"spec":{"replicas":1}}`},
		{"self.nums.all(x, x > 0) && self.nums.sum() < 10", `{"spec":{"nums":[1,2,"x"]}}`},
		{"self.port == oldSelf.port", `{"spec":{"port":"a"}}`},
		{"quantity(self.memory).isLessThan(quantity('1Gi'))", `{"spec":{"memory":"1x"}}`},
		{"self.start < self.end", `{"spec":{"start":"nope","end":7}}`},
		{"self.image.find('(') == ''", `{"spec":{"image":"a"}}`},
		{"self.labels.exists(k, k.matches(self.labels[k]))", `{"spec":{"labels":{"a":"[","b":"b"}}}`},
		{"lists.range(100000).size() > 0", `{"spec":{}}`},
		{"self.ratio / 0.0 > 1.0 && self.replicas / 0 > 1", `{"spec":{"ratio":1,"replicas":1}}`},
		{"self.timeout > duration('1s')", `{"spec":{"timeout":"forever"}}`},
	}
	for _, s := range seeds {
		f.Add(s.rule, s.obj)
	}
	f.Fuzz(func(t *testing.T, rule, obj string) {
		b, err := json.Marshal([]map[string]string{{"rule": rule}})
		if err != nil {
			return
		}
		r, errs := Compile(mustSchema(t, testSchema(t, string(b))), "s")
		for _, e := range errs {
			if e.Field == "" {
				t.Errorf("Compile(%q) error without a field: %v", rule, e)
			}
		}
		d := json.NewDecoder(bytes.NewReader([]byte(obj)))
		d.UseNumber()
		var o map[string]any
		if d.Decode(&o) != nil {
			return
		}
		for _, old := range []map[string]any{nil, o} {
			for _, e := range r.Validate(o, old) {
				if e.Field == "" {
					t.Errorf("Validate(%s) with %q: error without a field: %v", obj, rule, e)
				}
			}
		}
	})
}
