package cel

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testSchema is a CronTab-like schema; rules is spliced into spec.
func testSchema(t testing.TB, specRules string) string {
	t.Helper()
	if specRules == "" {
		specRules = "[]"
	}
	return `{"type":"object","properties":{"spec":{"type":"object",
	"x-kubernetes-validations":` + specRules + `,
	"properties":{
		"minReplicas":{"type":"integer"},
		"maxReplicas":{"type":"integer"},
		"replicas":{"type":"integer"},
		"ratio":{"type":"number"},
		"image":{"type":"string"},
		"x-y":{"type":"integer"},
		"namespace":{"type":"string"},
		"start":{"type":"string","format":"date-time"},
		"end":{"type":"string","format":"date-time"},
		"timeout":{"type":"string","format":"duration"},
		"memory":{"type":"string"},
		"port":{"x-kubernetes-int-or-string":true},
		"nums":{"type":"array","items":{"type":"integer"}},
		"names":{"type":"array","items":{"type":"string"}},
		"labels":{"type":"object","additionalProperties":{"type":"string"}},
		"extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true}
	}}}}`
}

func TestValidateSpecRules(t *testing.T) {
	tests := []struct {
		name     string
		rules    string
		obj, old string
		want     []string
	}{
		{"true rule passes",
			`[{"rule":"self.minReplicas <= self.maxReplicas"}]`,
			`{"spec":{"minReplicas":1,"maxReplicas":3}}`, "", nil},
		{"false rule, default message",
			`[{"rule":"self.minReplicas <= self.maxReplicas"}]`,
			`{"spec":{"minReplicas":5,"maxReplicas":3}}`, "",
			[]string{"spec: Invalid value: failed rule: self.minReplicas <= self.maxReplicas"}},
		{"false rule, message",
			`[{"rule":"self.minReplicas <= self.maxReplicas","message":"minReplicas cannot be larger than maxReplicas"}]`,
			`{"spec":{"minReplicas":5,"maxReplicas":3}}`, "",
			[]string{"spec: Invalid value: minReplicas cannot be larger than maxReplicas"}},
		{"messageExpression",
			`[{"rule":"self.replicas < 10","message":"too many","messageExpression":"'replicas is ' + string(self.replicas) + ', at most 9'"}]`,
			`{"spec":{"replicas":12}}`, "",
			[]string{"spec: Invalid value: replicas is 12, at most 9"}},
		{"messageExpression that fails falls back to message",
			`[{"rule":"self.replicas < 10","message":"too many","messageExpression":"self.image"}]`,
			`{"spec":{"replicas":12}}`, "",
			[]string{"spec: Invalid value: too many"}},
		{"messageExpression that is empty falls back to the default",
			`[{"rule":"self.replicas < 10","messageExpression":"'  '"}]`,
			`{"spec":{"replicas":12}}`, "",
			[]string{"spec: Invalid value: failed rule: self.replicas < 10"}},
		{"fieldPath",
			`[{"rule":"self.replicas < 10","fieldPath":".replicas"}]`,
			`{"spec":{"replicas":12}}`, "",
			[]string{"spec.replicas: Invalid value: failed rule: self.replicas < 10"}},
		{"fieldPath into a map",
			`[{"rule":"!('bad' in self.labels)","fieldPath":".labels['bad']"}]`,
			`{"spec":{"labels":{"bad":"x"}}}`, "",
			[]string{"spec.labels[bad]: Invalid value: failed rule: !('bad' in self.labels)"}},
		{"reason Forbidden",
			`[{"rule":"!has(self.image)","message":"image may not be set","reason":"FieldValueForbidden"}]`,
			`{"spec":{"image":"x"}}`, "",
			[]string{"spec: Forbidden: image may not be set"}},
		{"reason Required",
			`[{"rule":"has(self.image)","message":"image is required","reason":"FieldValueRequired","fieldPath":".image"}]`,
			`{"spec":{}}`, "",
			[]string{"spec.image: Required value: image is required"}},
		{"reason Duplicate",
			`[{"rule":"self.names.size() == self.names.distinct().size()","reason":"FieldValueDuplicate"}]`,
			`{"spec":{"names":["a","a"]}}`, "",
			[]string{"spec: Duplicate value"}},
		{"several rules, each failure reported in order",
			`[{"rule":"self.replicas > 0","message":"one"},{"rule":"self.replicas < 5","message":"two"},{"rule":"self.replicas != 7","message":"three"}]`,
			`{"spec":{"replicas":7}}`, "",
			[]string{"spec: Invalid value: two", "spec: Invalid value: three"}},
		{"absent field is an evaluation error",
			`[{"rule":"self.image == 'x'"}]`,
			`{"spec":{"replicas":1}}`, "",
			[]string{`spec: Invalid value: "object": no such key: image evaluating rule: self.image == 'x'`}},
		{"has guards an optional field",
			`[{"rule":"!has(self.image) || self.image.startsWith('docker.io/')"}]`,
			`{"spec":{"replicas":1}}`, "", nil},
		{"absent spec skips the rule",
			`[{"rule":"false"}]`,
			`{"metadata":{"name":"a"}}`, "", nil},
		{"null spec skips the rule",
			`[{"rule":"false"}]`,
			`{"spec":null}`, "", nil},
		{"number is a double even when written whole",
			`[{"rule":"self.ratio > 0.5"}]`,
			`{"spec":{"ratio":1}}`, "", nil},
		{"integer overflow is an evaluation error",
			`[{"rule":"self.replicas * 2 > 0"}]`,
			`{"spec":{"replicas":9223372036854775807}}`, "",
			[]string{`spec: Invalid value: "object": integer overflow evaluating rule: self.replicas * 2 > 0`}},
		{"escaped property name",
			`[{"rule":"self.x__dash__y == 1 && self.__namespace__ == 'a'"}]`,
			`{"spec":{"x-y":1,"namespace":"a"}}`, "", nil},
		{"date-time is a timestamp",
			`[{"rule":"self.start < self.end && self.end - self.start == duration('1h')"}]`,
			`{"spec":{"start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z"}}`, "", nil},
		{"duration",
			`[{"rule":"self.timeout <= duration('30s')","message":"timeout too long"}]`,
			`{"spec":{"timeout":"1m"}}`, "",
			[]string{"spec: Invalid value: timeout too long"}},
		{"int-or-string as int",
			`[{"rule":"type(self.port) == int ? self.port < 1024 : self.port.endsWith('%')"}]`,
			`{"spec":{"port":80}}`, "", nil},
		{"int-or-string as string",
			`[{"rule":"type(self.port) == int ? self.port < 1024 : self.port.endsWith('%')"}]`,
			`{"spec":{"port":"50"}}`, "",
			[]string{"spec: Invalid value: failed rule: type(self.port) == int ? self.port < 1024 : self.port.endsWith('%')"}},
		{"int-or-string wrong operation at run time",
			`[{"rule":"self.port > 0"}]`,
			`{"spec":{"port":"http"}}`, "",
			[]string{`spec: Invalid value: "object": 'no such overload': call arguments did not match a supported operator, function or macro signature for rule: self.port > 0`}},
		{"additionalProperties map",
			`[{"rule":"self.labels.all(k, self.labels[k].size() < 4)"}]`,
			`{"spec":{"labels":{"a":"long!"}}}`, "",
			[]string{"spec: Invalid value: failed rule: self.labels.all(k, self.labels[k].size() < 4)"}},
		{"macros",
			`[{"rule":"self.nums.exists(n, n > 2) && self.nums.exists_one(n, n == 1) && self.nums.map(n, n * 2).filter(n, n > 2).size() == 2"}]`,
			`{"spec":{"nums":[1,2,3]}}`, "", nil},
		{"kubernetes list functions",
			`[{"rule":"self.nums.isSorted() && self.nums.sum() == 6 && self.nums.min() == 1 && self.nums.max() == 3 && [1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2 && self.nums.indexOf(9) == -1"}]`,
			`{"spec":{"nums":[1,2,3]}}`, "", nil},
		{"min of an empty list is an evaluation error",
			`[{"rule":"self.nums.min() > 0"}]`,
			`{"spec":{"nums":[]}}`, "",
			[]string{`spec: Invalid value: "object": min called on empty list evaluating rule: self.nums.min() > 0`}},
		{"regex find and findAll",
			`[{"rule":"self.image.find('[0-9]+') == '123' && self.image.findAll('[0-9]') == ['1', '2', '3'] && self.image.findAll('[0-9]', 2).size() == 2 && self.image.matches('^a')"}]`,
			`{"spec":{"image":"abc123"}}`, "", nil},
		{"quantity",
			`[{"rule":"isQuantity(self.memory) && quantity(self.memory).isLessThan(quantity('1Gi')) && quantity(self.memory).add(quantity('512Mi')) == quantity('1Gi') && quantity('1.5').isInteger() == false && quantity('2k').asInteger() == 2000 && quantity('-1').sign() == -1 && !isQuantity('1x')"}]`,
			`{"spec":{"memory":"512Mi"}}`, "", nil},
		{"strings and sets extensions",
			`[{"rule":"self.image.lowerAscii() == 'abc' && self.image.split('B') == ['a', 'c'] && sets.contains(self.nums, [1]) && sets.intersects(self.nums, [3, 4])"}]`,
			`{"spec":{"image":"aBc","nums":[1,2,3]}}`, "", nil},
		{"optional field access",
			`[{"rule":"self.?image.orValue('none') == 'none'"}]`,
			`{"spec":{}}`, "", nil},
		{"two-variable comprehension",
			`[{"rule":"self.names.all(i, n, n.size() > i)"}]`,
			`{"spec":{"names":["ab","cd"]}}`, "", nil},
		{"transition rule skipped on create",
			`[{"rule":"self.replicas >= oldSelf.replicas","message":"may not scale down"}]`,
			`{"spec":{"replicas":1}}`, "", nil},
		{"transition rule on update, fine",
			`[{"rule":"self.replicas >= oldSelf.replicas","message":"may not scale down"}]`,
			`{"spec":{"replicas":3}}`, `{"spec":{"replicas":2}}`, nil},
		{"transition rule on update, fails",
			`[{"rule":"self.replicas >= oldSelf.replicas","message":"may not scale down"}]`,
			`{"spec":{"replicas":1}}`, `{"spec":{"replicas":2}}`,
			[]string{"spec: Invalid value: may not scale down"}},
		{"transition rule skipped when the old object lacked the field",
			`[{"rule":"self == oldSelf"}]`,
			`{"spec":{"replicas":1}}`, `{"metadata":{"name":"a"}}`, nil},
		{"optionalOldSelf runs on create with oldSelf none",
			`[{"rule":"oldSelf.hasValue() || self.replicas == 1","optionalOldSelf":true,"message":"create with one replica"}]`,
			`{"spec":{"replicas":2}}`, "",
			[]string{"spec: Invalid value: create with one replica"}},
		{"optionalOldSelf on update sees the old value",
			`[{"rule":"!oldSelf.hasValue() || self.replicas >= oldSelf.value().replicas","optionalOldSelf":true,"message":"no scale down"}]`,
			`{"spec":{"replicas":1}}`, `{"spec":{"replicas":2}}`,
			[]string{"spec: Invalid value: no scale down"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, errs := Compile(mustSchema(t, testSchema(t, tt.rules)), "spec.versions[0].schema.openAPIV3Schema")
			if errs != nil {
				t.Fatalf("Compile(%s) = %v, want no errors", tt.rules, errs)
			}
			got := errorStrings(r.Validate(mustObj(t, tt.obj), mustObj(t, tt.old)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate(%s, old %s) with %s: errors differ (-want +got):\n%s", tt.obj, tt.old, tt.rules, diff)
			}
		})
	}
}

// errorStrings prints each error, nil for none.
func errorStrings[E interface{ Error() string }](errs []E) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestValidatePlaces(t *testing.T) {
	tests := []struct {
		name     string
		schema   string
		obj, old string
		want     []string
	}{
		{"root rule sees metadata.name, error at <nil>",
			`{"type":"object","x-kubernetes-validations":[{"rule":"self.metadata.name.startsWith('cron-')","message":"name must start with cron-"}],
			  "properties":{"spec":{"type":"object"}}}`,
			`{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"x","uid":"u"},"spec":{}}`, "",
			[]string{"<nil>: Invalid value: name must start with cron-"}},
		{"root rule with fieldPath",
			`{"type":"object","x-kubernetes-validations":[{"rule":"self.kind == 'CronTab' && has(self.spec.a)","fieldPath":".spec.a"}],
			  "properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}}}}}`,
			`{"kind":"CronTab","metadata":{"name":"x"},"spec":{}}`, "",
			[]string{"spec.a: Invalid value: failed rule: self.kind == 'CronTab' && has(self.spec.a)"}},
		{"scalar rule shows the value",
			`{"type":"object","properties":{"spec":{"type":"object","properties":{
				"image":{"type":"string","x-kubernetes-validations":[{"rule":"self.startsWith('docker.io/')"}]}}}}}`,
			`{"spec":{"image":"quay.io/x"}}`, "",
			[]string{`spec.image: Invalid value: "quay.io/x": failed rule: self.startsWith('docker.io/')`}},
		{"integer rule shows the number",
			`{"type":"object","properties":{"spec":{"type":"object","properties":{
				"n":{"type":"integer","x-kubernetes-validations":[{"rule":"self % 2 == 0","message":"must be even"}]}}}}}`,
			`{"spec":{"n":3}}`, "",
			[]string{`spec.n: Invalid value: 3: must be even`}},
		{"rule under items applies to every item",
			`{"type":"object","properties":{"spec":{"type":"object","properties":{
				"ports":{"type":"array","items":{"type":"object","properties":{"port":{"type":"integer"}},
				"x-kubernetes-validations":[{"rule":"self.port > 0","message":"port must be positive"}]}}}}}}`,
			`{"spec":{"ports":[{"port":1},{"port":0},{"port":-1}]}}`, "",
			[]string{"spec.ports[1]: Invalid value: port must be positive", "spec.ports[2]: Invalid value: port must be positive"}},
		{"rule under additionalProperties applies to every value",
			`{"type":"object","properties":{"spec":{"type":"object","properties":{
				"limits":{"type":"object","additionalProperties":{"type":"string","x-kubernetes-validations":[{"rule":"isQuantity(self)","message":"must be a quantity"}]}}}}}}`,
			`{"spec":{"limits":{"cpu":"1","mem":"lots","zz":"bad"}}}`, "",
			[]string{`spec.limits[mem]: Invalid value: "lots": must be a quantity`, `spec.limits[zz]: Invalid value: "bad": must be a quantity`}},
		{"nested lists of maps",
			`{"type":"object","properties":{"spec":{"type":"object","properties":{
				"groups":{"type":"array","items":{"type":"object","properties":{
					"rules":{"type":"array","items":{"type":"object","properties":{"expr":{"type":"string"}},
					"x-kubernetes-validations":[{"rule":"self.expr != ''","message":"expr must not be empty"}]}}}}}}}}}`,
			`{"spec":{"groups":[{"rules":[{"expr":"a"}]},{"rules":[{"expr":"b"},{"expr":""}]}]}}`, "",
			[]string{"spec.groups[1].rules[1]: Invalid value: expr must not be empty"}},
		{"map list items matched by key for oldSelf",
			`{"type":"object","properties":{"spec":{"type":"object","properties":{
				"ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
				"items":{"type":"object","properties":{"name":{"type":"string"},"port":{"type":"integer"}},
				"x-kubernetes-validations":[{"rule":"self.port == oldSelf.port","message":"port is immutable"}]}}}}}}`,
			`{"spec":{"ports":[{"name":"new","port":9},{"name":"b","port":2},{"name":"a","port":5}]}}`,
			`{"spec":{"ports":[{"name":"a","port":1},{"name":"b","port":2}]}}`,
			[]string{"spec.ports[2]: Invalid value: port is immutable"}},
		{"property transition rule matched by key",
			`{"type":"object","properties":{"spec":{"type":"object","properties":{
				"image":{"type":"string","x-kubernetes-validations":[{"rule":"self == oldSelf","message":"Value is immutable"}]}}}}}`,
			`{"spec":{"image":"b"}}`, `{"spec":{"image":"a"}}`,
			[]string{`spec.image: Invalid value: "b": Value is immutable`}},
		{"embedded resource declares apiVersion, kind, metadata",
			`{"type":"object","properties":{"spec":{"type":"object","properties":{
				"template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true,
				"x-kubernetes-validations":[{"rule":"self.kind == 'Pod' && self.metadata.name != ''"}]}}}}}`,
			`{"spec":{"template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}}}`, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, errs := Compile(mustSchema(t, tt.schema), "spec.versions[0].schema.openAPIV3Schema")
			if errs != nil {
				t.Fatalf("Compile = %v, want no errors", errs)
			}
			got := errorStrings(r.Validate(mustObj(t, tt.obj), mustObj(t, tt.old)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate(%s, old %s): errors differ (-want +got):\n%s", tt.obj, tt.old, diff)
			}
		})
	}
}

func TestNoRules(t *testing.T) {
	var nilRules *Rules
	if errs := nilRules.Validate(map[string]any{"spec": map[string]any{}}, nil); errs != nil {
		t.Errorf("(*Rules)(nil).Validate = %v, want nil", errs)
	}
	r, errs := Compile(nil, "x")
	if errs != nil || r.Validate(map[string]any{}, nil) != nil {
		t.Errorf("Compile(nil) = %v, %v; want no rules and no errors", r, errs)
	}
	r, errs = Compile(mustSchema(t, testSchema(t, "")), "x")
	if errs != nil || r.root != nil {
		t.Errorf("Compile(schema without rules) = root %v, errors %v; want no root, no errors", r.root, errs)
	}
}

func TestCompileErrors(t *testing.T) {
	const base = "spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0]"
	tests := []struct {
		name   string
		schema string // "" uses testSchema with rules
		rules  string
		field  string
		detail string // a substring of the error
	}{
		{"unknown field", "", `[{"rule":"self.replicsa > 0"}]`,
			base + ".rule", "compilation failed: ERROR: <input>:1:5: undefined field 'replicsa'"},
		{"not a bool", "", `[{"rule":"self.replicas"}]`,
			base + ".rule", "cel expression must evaluate to a bool"},
		{"syntax error", "", `[{"rule":"self.replicas >"}]`,
			base + ".rule", "compilation failed: ERROR: <input>:1:16: Syntax error: mismatched input '<EOF>'"},
		{"type mismatch", "", `[{"rule":"self.image > 1"}]`,
			base + ".rule", "found no matching overload for '_>_' applied to '(string, int)'"},
		{"list function on the wrong element type", "", `[{"rule":"self.names.sum() == ''"}]`,
			base + ".rule", "found no matching overload for 'sum'"},
		{"bad regex literal", "", `[{"rule":"self.image.matches('[')"}]`,
			base + ".rule", "invalid matches argument"},
		{"empty rule", "", `[{"rule":"  "}]`,
			base + ".rule", "Required value: rule is not specified"},
		{"messageExpression not a string", "", `[{"rule":"true","messageExpression":"1"}]`,
			base + ".messageExpression", "messageExpression must evaluate to a string"},
		{"messageExpression does not compile", "", `[{"rule":"true","messageExpression":"self.nope"}]`,
			base + ".messageExpression", "messageExpression compilation failed: ERROR: <input>:1:5: undefined field 'nope'"},
		{"optionalOldSelf without oldSelf", "", `[{"rule":"true","optionalOldSelf":true}]`,
			base + ".optionalOldSelf", "Invalid value: true: may not be set if oldSelf is not used in rule"},
		{"invalid fieldPath", "", `[{"rule":"true","fieldPath":".nope"}]`,
			base + ".fieldPath", `Invalid value: ".nope": must be a valid path`},
		{"unsupported reason", "", `[{"rule":"true","reason":"Whatever"}]`,
			base + ".reason", `Unsupported value: "Whatever": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`},
		{"oldSelf in set list items",
			`{"type":"object","properties":{"spec":{"type":"object","properties":{
				"tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string",
				"x-kubernetes-validations":[{"rule":"self == oldSelf"}]}}}}}}`, "",
			"spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[tags].items.x-kubernetes-validations[0].rule",
			"oldSelf cannot be used on the uncorrelatable portion of the schema within spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[tags]"},
		{"preserved unknown fields are not visible", "", `[{"rule":"has(self.extra.a)"}]`,
			base + ".rule", "undefined field 'a'"},
		{"metadata beyond name is not visible",
			`{"type":"object","x-kubernetes-validations":[{"rule":"self.metadata.uid != ''"}]}`, "",
			"spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0].rule", "undefined field 'uid'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.schema
			if s == "" {
				s = testSchema(t, tt.rules)
			}
			_, errs := Compile(mustSchema(t, s), "spec.versions[0].schema.openAPIV3Schema")
			if len(errs) != 1 {
				t.Fatalf("Compile = %v, want one error at %s", errs, tt.field)
			}
			if errs[0].Field != tt.field || !strings.Contains(errs[0].Error(), tt.detail) {
				t.Errorf("Compile error = %q, want at %s containing %q", errs[0].Error(), tt.field, tt.detail)
			}
		})
	}
}

// TestCompileErrorShowsTheRule pins the whole message of a compile error,
// bad value included, to Kubernetes'.
func TestCompileErrorShowsTheRule(t *testing.T) {
	_, errs := Compile(mustSchema(t, testSchema(t, `[{"rule":"self.replicas","message":"m","reason":"FieldValueForbidden"}]`)), "spec.validation.openAPIV3Schema")
	want := `spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: ` +
		`{"Rule":"self.replicas","Message":"m","MessageExpression":"","Reason":"FieldValueForbidden","FieldPath":"","OptionalOldSelf":null}: ` +
		`cel expression must evaluate to a bool`
	if got := errs.Error(); got != want {
		t.Errorf("Compile error = %s, want %s", got, want)
	}
}
