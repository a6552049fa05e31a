package api

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// errStrings turns field errors into their messages for comparison.
func errStrings(errs FieldErrors) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestFieldErrorFormat(t *testing.T) {
	tests := []struct {
		err  *FieldError
		want string
	}{
		{FieldInvalid("metadata.name", "Foo_Bar", IsDNS1123Subdomain("Foo_Bar")[0]),
			`metadata.name: Invalid value: "Foo_Bar": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`},
		{FieldRequired("spec.containers", ""), "spec.containers: Required value"},
		{FieldRequired("metadata.name", "name or generateName is required"), "metadata.name: Required value: name or generateName is required"},
		{FieldNotSupported("spec.restartPolicy", RestartPolicy("Sometimes"), restartPolicies),
			`spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"`},
		{FieldInvalid("spec.replicas", int32(-1), "must be greater than or equal to 0"), "spec.replicas: Invalid value: -1: must be greater than or equal to 0"},
		{FieldDuplicate("spec.containers[1].name", "web"), `spec.containers[1].name: Duplicate value: "web"`},
		{FieldNotFound("spec.containers[0].volumeMounts[0].name", "data"), `spec.containers[0].volumeMounts[0].name: Not found: "data"`},
		{FieldForbidden("spec", "pod updates may not change fields"), "spec: Forbidden: pod updates may not change fields"},
		{FieldTooLong("metadata.annotations", 262144), "metadata.annotations: Too long: must have at most 262144 bytes"},
		{FieldTooMany("spec.x", 5, 3), "spec.x: Too many: 5: must have at most 3 items"},
		{FieldInvalid("spec.x", nil, "d"), "spec.x: Invalid value: null: d"},
		{FieldInvalid("spec.x", (*int64)(nil), "d"), "spec.x: Invalid value: null: d"},
		{FieldInvalid("spec.x", ptrTo[int64](5), "d"), "spec.x: Invalid value: 5: d"},
		{FieldInvalid("spec.x", FromString("120%"), "d"), "spec.x: Invalid value: 120%: d"},
		{FieldInvalid("spec.x", map[string]string{"b": "2", "a": "1"}, "d"), `spec.x: Invalid value: map[string]string{"a":"1", "b":"2"}: d`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q\nwant      %q", got, tt.want)
		}
	}
	two := FieldErrors{FieldRequired("a", ""), FieldRequired("b", ""), FieldRequired("a", "")}
	if got, want := two.Error(), "[a: Required value, b: Required value]"; got != want {
		t.Errorf("FieldErrors.Error() = %q, want %q", got, want)
	}
	if got, want := two[:1].Error(), "a: Required value"; got != want {
		t.Errorf("FieldErrors.Error() of one = %q, want %q", got, want)
	}
	if FieldErrors(nil).Err() != nil {
		t.Errorf("FieldErrors(nil).Err() != nil")
	}
}

func TestNameChecks(t *testing.T) {
	tests := []struct {
		fn   func(string) []string
		name string
		in   string
		ok   bool
	}{
		{IsDNS1123Label, "label", "my-name", true},
		{IsDNS1123Label, "label", "123-abc", true},
		{IsDNS1123Label, "label", "My-name", false},
		{IsDNS1123Label, "label", "a.b", false},
		{IsDNS1123Label, "label", "-a", false},
		{IsDNS1123Label, "label", strings.Repeat("a", 63), true},
		{IsDNS1123Label, "label", strings.Repeat("a", 64), false},
		{IsDNS1123Subdomain, "subdomain", "example.com", true},
		{IsDNS1123Subdomain, "subdomain", "a..b", false},
		{IsDNS1123Subdomain, "subdomain", strings.Repeat("a", 253), true},
		{IsDNS1123Subdomain, "subdomain", strings.Repeat("a", 254), false},
		{IsDNS1035Label, "dns1035", "web", true},
		{IsDNS1035Label, "dns1035", "1web", false},
		{IsQualifiedName, "qualified", "app", true},
		{IsQualifiedName, "qualified", "example.com/App_1.x", true},
		{IsQualifiedName, "qualified", "/app", false},
		{IsQualifiedName, "qualified", "a/b/c", false},
		{IsQualifiedName, "qualified", "app-", false},
		{IsQualifiedName, "qualified", "", false},
		{IsValidLabelValue, "label value", "", true},
		{IsValidLabelValue, "label value", "v1.2_x", true},
		{IsValidLabelValue, "label value", "a b", false},
		{IsValidLabelValue, "label value", strings.Repeat("v", 64), false},
		{IsValidPortName, "port name", "http", true},
		{IsValidPortName, "port name", "http-2", true},
		{IsValidPortName, "port name", "8080", false},
		{IsValidPortName, "port name", "a--b", false},
		{IsValidPortName, "port name", "-http", false},
		{IsValidPortName, "port name", "HTTP", false},
		{IsValidPortName, "port name", "abcdefghijklmnop", false},
		{IsEnvVarName, "env", "MY_ENV.NAME", true},
		{IsEnvVarName, "env", "-x", true},
		{IsEnvVarName, "env", "1X", false},
		{IsEnvVarName, "env", "..x", false},
		{IsConfigMapKey, "config key", "key.name", true},
		{IsConfigMapKey, "config key", "a/b", false},
		{IsConfigMapKey, "config key", "..", false},
	}
	for _, tt := range tests {
		msgs := tt.fn(tt.in)
		if ok := len(msgs) == 0; ok != tt.ok {
			t.Errorf("%s check of %q = %v, want ok=%v", tt.name, tt.in, msgs, tt.ok)
		}
	}
	ips := map[string]bool{
		"10.9.8.7": true, "0.0.0.0": true, "255.255.255.255": true, "2001:db8::ffff": true, "::": true, "::1": true,
		"1:2:3:4:5:6:7:8": true, "::ffff:1.2.3.4": true, "fe80::1:2": true,
		"": false, "256.1.1.1": false, "1.2.3": false, "01.2.3.4": false, "1.2.3.4.5": false, "1:2:3:4:5:6:7:8:9": false,
		"1::2::3": false, "fe80::1%eth0": false, "g::1": false, "None": false, "1:2:3:4:5:6:7::8": false, "+1.2.3.4": false,
	}
	for ip, want := range ips {
		if got := IsValidIP(ip); got != want {
			t.Errorf("IsValidIP(%q) = %v, want %v", ip, got, want)
		}
	}
}

func TestValidateObjectMeta(t *testing.T) {
	ctl := ptrTo(true)
	tests := []struct {
		name string
		obj  Object
		want []string
	}{
		{"valid configmap", &ConfigMap{ObjectMeta: ObjectMeta{Name: "cfg", Namespace: "default"}}, nil},
		{"missing name", &ConfigMap{ObjectMeta: ObjectMeta{Namespace: "default"}},
			[]string{"metadata.name: Required value: name or generateName is required"}},
		{"generateName", &ConfigMap{ObjectMeta: ObjectMeta{GenerateName: "cfg-", Namespace: "default"}}, nil},
		{"bad generateName", &ConfigMap{ObjectMeta: ObjectMeta{GenerateName: "Cfg-", Namespace: "default"}},
			[]string{`metadata.generateName: Invalid value: "Cfg-": ` + IsDNS1123Subdomain("C")[0]}},
		{"bad name", &ConfigMap{ObjectMeta: ObjectMeta{Name: "Foo_Bar", Namespace: "default"}},
			[]string{`metadata.name: Invalid value: "Foo_Bar": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`}},
		{"missing namespace", &ConfigMap{ObjectMeta: ObjectMeta{Name: "cfg"}}, []string{"metadata.namespace: Required value"}},
		{"namespace on cluster-scoped kind", &Node{ObjectMeta: ObjectMeta{Name: "n1", Namespace: "default"}},
			[]string{"metadata.namespace: Forbidden: not allowed on this type"}},
		{"namespace name is a label", &Namespace{ObjectMeta: ObjectMeta{Name: "a.b"}},
			[]string{`metadata.name: Invalid value: "a.b": ` + IsDNS1123Label("a.b")[0]}},
		{"service name is a DNS-1035 label", &Service{ObjectMeta: ObjectMeta{Name: "1web", Namespace: "default"}, Spec: ServiceSpec{ClusterIP: "None"}},
			[]string{`metadata.name: Invalid value: "1web": ` + IsDNS1035Label("1web")[0]}},
		{"node names are subdomains", &Node{ObjectMeta: ObjectMeta{Name: "node-1.example.com"}}, nil},
		{"labels", &ConfigMap{ObjectMeta: ObjectMeta{Name: "c", Namespace: "d", Labels: map[string]string{"ok": "v", "bad key": "v", "k": "bad value"}}},
			[]string{
				`metadata.labels: Invalid value: "bad key": ` + IsQualifiedName("bad key")[0],
				`metadata.labels: Invalid value: "bad value": ` + IsValidLabelValue("bad value")[0],
			}},
		{"annotations too big", &ConfigMap{ObjectMeta: ObjectMeta{Name: "c", Namespace: "d", Annotations: map[string]string{"a": strings.Repeat("x", 256*1024)}}},
			[]string{"metadata.annotations: Too long: must have at most 262144 bytes"}},
		{"annotation keys ignore case", &ConfigMap{ObjectMeta: ObjectMeta{Name: "c", Namespace: "d", Annotations: map[string]string{"Example.COM/Key": "x"}}}, nil},
		{"owner references", &ConfigMap{ObjectMeta: ObjectMeta{Name: "c", Namespace: "d", OwnerReferences: []OwnerReference{
			{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "a", UID: "1", Controller: ctl},
			{Kind: "ReplicaSet", Name: "b", Controller: ctl},
		}}}, []string{
			`metadata.ownerReferences[1].apiVersion: Invalid value: "": version must not be empty`,
			`metadata.ownerReferences[1].uid: Invalid value: "": uid must not be empty`,
			`metadata.ownerReferences: Invalid value: []string{"ReplicaSet/a", "ReplicaSet/b"}: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b`,
		}},
		{"finalizers", &ConfigMap{ObjectMeta: ObjectMeta{Name: "c", Namespace: "d", Finalizers: []string{"example.com/x", "bad finalizer"}}},
			[]string{`metadata.finalizers[1]: Invalid value: "bad finalizer": ` + IsQualifiedName("bad finalizer")[0]}},
	}
	for _, tt := range tests {
		got := errStrings(Validate(tt.obj))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Validate(%T) (-want +got):\n%s", tt.name, tt.obj, diff)
		}
	}
}
