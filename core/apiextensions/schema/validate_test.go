package schema

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
)

// object decodes a JSON object as api.Unstructured keeps it.
func object(t testing.TB, s string) map[string]any {
	t.Helper()
	v, err := api.DecodeJSONValue([]byte(s))
	if err != nil {
		t.Fatalf("decoding %s: %v", s, err)
	}
	return v.(map[string]any)
}

func errorStrings(errs api.FieldErrors) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestValidate(t *testing.T) {
	cronTab := root(loadCRD(t, "crontab.json"))
	cert := root(loadCRD(t, "certificate.json"))
	smon := root(loadCRD(t, "servicemonitor.json"))
	tests := []struct {
		name   string
		schema *api.JSONSchemaProps
		obj    string
		want   []string
	}{
		{"valid crontab", cronTab, `{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"a"},"spec":{"cronSpec":"* * * * */5","replicas":3}}`, nil},
		{"integer written 3.0", cronTab, `{"spec":{"cronSpec":"* * * * *","replicas":3.0}}`, nil},
		{"wrong type", cronTab, `{"spec":{"cronSpec":"* * * * *","replicas":"two"}}`,
			[]string{`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`}},
		{"fraction for integer", cronTab, `{"spec":{"cronSpec":"* * * * *","replicas":2.5}}`,
			[]string{`spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"`}},
		{"null for non-nullable", cronTab, `{"spec":{"cronSpec":"* * * * *","image":null}}`,
			[]string{`spec.image: Invalid value: "null": spec.image in body must be of type string: "null"`}},
		{"required", cronTab, `{"spec":{"image":"x"}}`, []string{`spec.cronSpec: Required value`}},
		{"maximum", cronTab, `{"spec":{"cronSpec":"* * * * *","replicas":20}}`,
			[]string{`spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10`}},
		{"minimum", cronTab, `{"spec":{"cronSpec":"* * * * *","replicas":0}}`,
			[]string{`spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1`}},
		{"pattern", cronTab, `{"spec":{"cronSpec":"often"}}`,
			[]string{`spec.cronSpec: Invalid value: "often": spec.cronSpec in body should match '^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$'`}},
		{"enum", cert, `{"spec":{"issuerRef":{"name":"ca"},"secretName":"s","privateKey":{"algorithm":"DSA"}}}`,
			[]string{`spec.privateKey.algorithm: Unsupported value: "DSA": supported values: "RSA", "ECDSA", "Ed25519"`}},
		{"enum in array items", cert, `{"spec":{"issuerRef":{"name":"ca"},"secretName":"s","usages":["signing","mining"]}}`,
			[]string{`spec.usages[1]: Unsupported value: "mining": supported values: "signing", "digital signature", "key encipherment", "server auth", "client auth"`}},
		{"maxLength", cert, `{"spec":{"issuerRef":{"name":"ca"},"secretName":"s","commonName":"` + strings.Repeat("é", 65) + `"}}`,
			[]string{`spec.commonName: Too long: may not be more than 64 bytes`}},
		{"maxLength counts characters", cert, `{"spec":{"issuerRef":{"name":"ca"},"secretName":"s","commonName":"` + strings.Repeat("é", 64) + `"}}`, nil},
		{"int-or-string", cert, `{"spec":{"issuerRef":{"name":"ca"},"secretName":"s","targetPort":true}}`,
			[]string{`spec.targetPort: Invalid value: "boolean": spec.targetPort in body must be of type integer,string: "boolean"`}},
		{"int-or-string accepts both", cert, `{"spec":{"issuerRef":{"name":"ca"},"secretName":"s","targetPort":"https"}}`, nil},
		{"additionalProperties values", cert, `{"spec":{"issuerRef":{"name":"ca"},"secretName":"s","secretTemplate":{"labels":{"a":1}}}}`,
			[]string{`spec.secretTemplate.labels.a: Invalid value: "integer": spec.secretTemplate.labels.a in body must be of type string: "integer"`}},
		{"format date-time", cert, `{"spec":{"issuerRef":{"name":"ca"},"secretName":"s"},"status":{"notAfter":"tomorrow"}}`,
			[]string{`status.notAfter: Invalid value: "tomorrow": status.notAfter in body must be of type date-time: "tomorrow"`}},
		{"list-map duplicate", cert, `{"spec":{"issuerRef":{"name":"ca"},"secretName":"s"},"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Ready","status":"False"}]}}`,
			[]string{`status.conditions[1]: Duplicate value: map[string]interface {}{"type":"Ready"}`}},
		{"embedded resource needs kind", smon, `{"spec":{"endpoints":[],"podTemplate":{"apiVersion":"v1","metadata":{"name":"p"}}}}`,
			[]string{`spec.podTemplate.kind: Required value`}},
		{"embedded metadata an object", smon, `{"spec":{"endpoints":[],"extraConfig":{"apiVersion":"v1","kind":"ConfigMap","metadata":"x"}}}`,
			[]string{`spec.extraConfig.metadata: Invalid value: "x": must be an object`}},
		{"root metadata name", mustSchema(t, `{"type":"object","properties":{"metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":3}}}}}`),
			`{"metadata":{"name":"toolong","labels":{"a":"b"}}}`, []string{`metadata.name: Too long: may not be more than 3 bytes`}},
		{"set duplicate", mustSchema(t, `{"type":"object","properties":{"tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}}`),
			`{"tags":["a","b","a","a"]}`, []string{`tags[2]: Duplicate value: "a"`}},
		{"minItems and maxItems", mustSchema(t, `{"type":"object","properties":{"a":{"type":"array","minItems":2,"items":{"type":"integer"}},"b":{"type":"array","maxItems":1,"items":{"type":"integer"}}}}`),
			`{"a":[1],"b":[1,2]}`, []string{`a: Invalid value: 1: a in body should have at least 2 items`, `b: Too many: 2: must have at most 1 item`}},
		{"multipleOf", mustSchema(t, `{"type":"object","properties":{"n":{"type":"integer","multipleOf":5}}}`),
			`{"n":12}`, []string{`n: Invalid value: 12: n in body should be a multiple of 5`}},
		{"nullable", mustSchema(t, `{"type":"object","properties":{"n":{"type":"integer","nullable":true}}}`), `{"n":null}`, nil},
		{"anyOf", mustSchema(t, `{"type":"object","properties":{"n":{"type":"string","anyOf":[{"pattern":"^a"},{"pattern":"^b"}]}}}`),
			`{"n":"c"}`, []string{`n: Invalid value: "": "n" must validate at least one schema (anyOf)`, `n: Invalid value: "c": n in body should match '^a'`}},
		{"not", mustSchema(t, `{"type":"object","properties":{"n":{"type":"string","not":{"enum":["x"]}}}}`),
			`{"n":"x"}`, []string{`n: Invalid value: "": "n" must not validate the schema (not)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := errorStrings(Validate(tt.schema, object(t, tt.obj)))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Validate(%s) =\n%q\nwant\n%q", tt.obj, got, tt.want)
			}
		})
	}
}
