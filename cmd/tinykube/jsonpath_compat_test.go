package main

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/printers"
	"k8s.io/client-go/util/jsonpath"
)

// compatDoc is decoded as kubectl decodes objects (whole numbers as int64).
const compatDoc = `{"kind":"Pod","metadata":{"name":"web","labels":{"app":"web"}},
 "spec":{"replicas":3,"ratio":1.5,"paused":false,"containers":[{"name":"a","image":"busybox","port":80},{"name":"b","image":"nginx","port":8080}]},
 "status":{"conditions":[{"type":"Ready","status":"True","count":2},{"type":"Scheduled","status":"False","count":10}]}}`

// TestJSONPathMatchesClientGo runs templates through tinykube's JSONPath
// (core/printers) and kubectl's (client-go) and wants the same text, or an
// error from both. The templates avoid the two places where tinykube's is
// deliberately plainer (see core/printers/jsonpath.go).
func TestJSONPathMatchesClientGo(t *testing.T) {
	var data any
	if err := decodeNumbers([]byte(compatDoc), &data); err != nil {
		t.Fatal(err)
	}
	data, err := toGeneric(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, tmpl := range []string{
		"{.metadata.name}", "x={.metadata.name}!", "{.kind}/{.metadata.name}", "{.metadata.labels}",
		"{.spec.containers[0].image}", "{.spec.containers[-1].name}", "{.spec.containers[*].name}",
		"{.spec.containers[0:1].name}", "{.spec.containers[1:].name}", "{.spec.containers[::2].name}",
		"{.spec.containers[0,1].port}", "{..image}", "{.spec..port}", "{.spec.containers[0]}",
		`{.status.conditions[?(@.type=="Ready")].status}`, `{.status.conditions[?(@.type!='Ready')].type}`,
		"{.status.conditions[?(@.count>2)].type}", "{.status.conditions[?(@.count<=2)].type}",
		"{.spec.containers[?(@.port)].name}", "{.spec.replicas}", "{.spec.ratio}", "{.spec.paused}",
		"{.spec.missing}", "{.missing.deeper[0]}", `{range .spec.containers[*]}{.name}:{.port}{"\n"}{end}`,
		`{range .spec.containers[*]}[{.name}]{end} done`, "{.spec.containers[5]}", "{.metadata[0]}",
		"{.spec.containers[*].name} {.spec.replicas}", "{$.kind}", "{.spec.containers[0:9]}",
	} {
		mine, err := printers.ParseJSONPath(tmpl)
		if err != nil {
			t.Errorf("printers.ParseJSONPath(%q) = %v", tmpl, err)
			continue
		}
		theirs := jsonpath.New("t").AllowMissingKeys(true)
		if err := theirs.Parse(tmpl); err != nil {
			t.Fatalf("client-go cannot parse %q: %v", tmpl, err)
		}
		var a, b strings.Builder
		errA, errB := mine.Execute(&a, data), theirs.Execute(&b, data)
		if (errA == nil) != (errB == nil) {
			t.Errorf("%q: tinykube error %v, client-go error %v", tmpl, errA, errB)
			continue
		}
		if errA == nil && a.String() != b.String() {
			t.Errorf("%q: tinykube printed %q, client-go %q", tmpl, a.String(), b.String())
		}
	}
}
