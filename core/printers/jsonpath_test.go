package printers

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
)

// jsonpathDoc is a pod-like object with a list, a map with dotted keys,
// numbers of both kinds and a null.
const jsonpathDoc = `{
  "kind": "Pod",
  "metadata": {"name": "web", "labels": {"app": "web", "app.kubernetes.io/name": "shop"}},
  "spec": {"replicas": 3, "ratio": 1.5, "paused": false, "nothing": null,
    "containers": [{"name": "a", "image": "busybox", "port": 80}, {"name": "b", "image": "nginx", "port": 8080}]},
  "status": {"conditions": [
    {"type": "Ready", "status": "True", "count": 2},
    {"type": "Scheduled", "status": "False", "count": 10}]}
}`

func decodeDoc(t testing.TB, s string) any {
	t.Helper()
	v, err := api.DecodeJSONValue([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestJSONPathExecute(t *testing.T) {
	doc := decodeDoc(t, jsonpathDoc)
	for _, tc := range []struct{ tmpl, want string }{
		{"{.metadata.name}", "web"},
		{"name={.metadata.name}!", "name=web!"},
		{"{.kind}/{.metadata.name}", "Pod/web"},
		{"{.metadata.labels['app.kubernetes.io/name']}", "shop"},
		{`{.metadata.labels["app"]}`, "web"},
		{`{.metadata.labels.app\.kubernetes\.io/name}`, "shop"},
		{"{.spec.containers[0].image}", "busybox"},
		{"{.spec.containers[-1].name}", "b"},
		{"{.spec.containers[*].name}", "a b"},
		{"{.spec.containers[0:1].name}", "a"},
		{"{.spec.containers[1:].name}", "b"},
		{"{.spec.containers[::2].name}", "a"},
		{"{.spec.containers[0,1].port}", "80 8080"},
		{"{.spec.containers[*]['name','port']}", "a b 80 8080"},
		{"{..image}", "busybox nginx"},
		{"{.spec..port}", "80 8080"},
		{`{.status.conditions[?(@.type=="Ready")].status}`, "True"},
		{`{.status.conditions[?(@.type!='Ready')].type}`, "Scheduled"},
		{"{.status.conditions[?(@.count>2)].type}", "Scheduled"},
		{"{.status.conditions[?(@.count<=2)].type}", "Ready"},
		{"{.status.conditions[?(@.count>=2)].type}", "Ready Scheduled"},
		{"{.status.conditions[?(@.count<10.5)].type}", "Ready Scheduled"},
		{`{.status.conditions[?(@.type<"S")].type}`, "Ready"},
		{"{.spec.containers[?(@.port)].name}", "a b"},
		{"{.spec.containers[?(@.missing)].name}", ""},
		{"{.spec.replicas}", "3"},
		{"{.spec.ratio}", "1.5"},
		{"{.spec.paused}", "false"},
		{"{.spec.nothing}", "null"},
		{"{.spec.missing}", ""},
		{"{.missing.deeper[0]}", ""},
		{`{.metadata.labels}`, `{"app":"web","app.kubernetes.io/name":"shop"}`},
		{`{.spec.containers[0]}`, `{"image":"busybox","name":"a","port":80}`},
		{`{range .spec.containers[*]}{.name}:{.port}{"\n"}{end}`, "a:80\nb:8080\n"},
		{`{range .spec.containers[*]}[{.name}]{end} done`, "[a][b] done"},
		{`{range .status.conditions[*]}{range .type}<{@}>{end}{end}`, "<Ready><Scheduled>"},
		{`{range .spec.missing[*]}x{end}`, ""},
		{"{.spec.containers[*].name} {.spec.replicas}", "a b 3"},
		{"{'\\t'}x", "\tx"},
		{"no actions", "no actions"},
		{"{$.kind}", "Pod"},
		{"{.}", ""}, // the whole object, checked for non-emptiness below
	} {
		j, err := ParseJSONPath(tc.tmpl)
		if err != nil {
			t.Errorf("ParseJSONPath(%q) = %v, want no error", tc.tmpl, err)
			continue
		}
		var b strings.Builder
		if err := j.Execute(&b, doc); err != nil {
			t.Errorf("Execute(%q) = %v, want no error", tc.tmpl, err)
			continue
		}
		if tc.tmpl == "{.}" {
			if !strings.HasPrefix(b.String(), `{"kind":"Pod"`) {
				t.Errorf("Execute(%q) = %q, want the whole object", tc.tmpl, b.String())
			}
			continue
		}
		if b.String() != tc.want {
			t.Errorf("Execute(%q) = %q, want %q", tc.tmpl, b.String(), tc.want)
		}
	}
}

func TestJSONPathErrors(t *testing.T) {
	doc := decodeDoc(t, jsonpathDoc)
	for _, tc := range []struct{ tmpl, parseErr, execErr string }{
		{tmpl: "{.metadata.name", parseErr: "not closed"},
		{tmpl: "{range .items[*]}{.x}", parseErr: "no {end}"},
		{tmpl: "{end}", parseErr: "closes no {range}"},
		{tmpl: "{.a[}", parseErr: "unterminated"},
		{tmpl: "{.a[x]}", parseErr: "not a number"},
		{tmpl: "{.a[?(@.b==1]}", parseErr: "unterminated filter"},
		{tmpl: "{metadata}", parseErr: "leading dot"},
		{tmpl: `{"abc}`, parseErr: "not closed"},
		{tmpl: "{.spec.containers[5]}", execErr: "out of bounds"},
		{tmpl: "{.spec.containers[0:9]}", execErr: "out of bounds"},
		{tmpl: "{.spec.containers[::0]}", execErr: "step must be > 0"},
		{tmpl: "{.metadata[0]}", execErr: "not an array"},
		{tmpl: "{.metadata[?(@.x)]}", execErr: "cannot be filtered"},
		{tmpl: "{.status.conditions[?(@.count=='2')]}", execErr: "incompatible types"},
		{tmpl: "{.status.conditions[?(@.status>true)]}", execErr: "incompatible types"},
	} {
		j, err := ParseJSONPath(tc.tmpl)
		if tc.parseErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.parseErr) {
				t.Errorf("ParseJSONPath(%q) = %v, want an error containing %q", tc.tmpl, err, tc.parseErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseJSONPath(%q) = %v, want no error", tc.tmpl, err)
			continue
		}
		err = j.Execute(&strings.Builder{}, doc)
		if err == nil || !strings.Contains(err.Error(), tc.execErr) {
			t.Errorf("Execute(%q) = %v, want an error containing %q", tc.tmpl, err, tc.execErr)
		}
	}
}

// FuzzJSONPath checks that no template over no document panics, and that
// evaluation is deterministic.
func FuzzJSONPath(f *testing.F) {
	for _, s := range []string{"{.metadata.name}", "{..image}", `{.a[?(@.b=="x")].c}`, "{range .items[*]}{.x}{end}",
		"{.a[-1:]}", "{.a['b.c']}", "{.a[0,1]['x','y']}", "{.a[?(@.n>=1.5)]}", "{.a[?(@.b)]}", `{"\n"}{'x'}`, "{.a[::2]}", "{..[0]}", "{..*}"} {
		f.Add(s, jsonpathDoc)
	}
	f.Add("{.a}", `{"a":[1,"x",null,{"b":[]}]}`)
	f.Fuzz(func(t *testing.T, tmpl, doc string) {
		j, err := ParseJSONPath(tmpl)
		if err != nil {
			return
		}
		v, err := api.DecodeJSONValue([]byte(doc))
		if err != nil {
			v = doc // a plain string is data too
		}
		var a, b strings.Builder
		errA := j.Execute(&a, v)
		errB := j.Execute(&b, v)
		if a.String() != b.String() || (errA == nil) != (errB == nil) {
			t.Errorf("Execute(%q) differs between two runs: %q, %q", tmpl, a.String(), b.String())
		}
	})
}
