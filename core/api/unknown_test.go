package api

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnknownFields(t *testing.T) {
	tests := []struct {
		name string
		obj  Object
		raw  string
		want []string
	}{
		{"none", &Pod{}, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}`, nil},
		{"top level and nested", &Pod{}, `{"kind":"Pod","foo":1,"metadata":{"name":"p","bar":true},"spec":{"containers":[{"name":"c"},{"name":"d","baz":{}}]}}`,
			[]string{"foo", "metadata.bar", "spec.containers[1].baz"}},
		{"names are case-sensitive", &Pod{}, `{"Spec":{}}`, []string{"Spec"}},
		{"inline structs", &Pod{}, `{"spec":{"volumes":[{"name":"v","emptyDir":{},"nfs":{}}],"containers":[{"livenessProbe":{"exec":{"command":["x"]},"grpc":{}}}]}}`,
			[]string{"spec.containers[0].livenessProbe.grpc", "spec.volumes[0].nfs"}},
		{"leaves are not walked", &Pod{}, `{"metadata":{"creationTimestamp":"2024-01-01T00:00:00Z"},"spec":{"containers":[{"resources":{"limits":{"cpu":"1"}},"livenessProbe":{"httpGet":{"port":"http"}}}]}}`, nil},
		{"deployment template", &Deployment{}, `{"spec":{"template":{"spec":{"containers":[{"name":"c","foo":1}]}},"paused":true,"minReadySecs":3}}`,
			[]string{"spec.minReadySecs", "spec.template.spec.containers[0].foo"}},
		{"bytes and maps", &Secret{}, `{"data":{"a":"YQ=="},"stringData":{"b":"c"},"extra":{}}`, []string{"extra"}},
		{"type mismatches are left to the decoder", &Pod{}, `{"spec":"x","metadata":[1]}`, nil},
		{"owner references and probes", &Pod{}, `{"metadata":{"ownerReferences":[{"uid":"1","oops":1}]},"spec":{"containers":[{"readinessProbe":{"tcpSocket":{"port":80,"x":1}}}]}}`,
			[]string{"metadata.ownerReferences[0].oops", "spec.containers[0].readinessProbe.tcpSocket.x"}},
		{"null", &Pod{}, `{"spec":null,"status":{"phase":null,"x":null}}`, []string{"status.x"}},
		// What client-go's event recorder (controller-runtime's leader
		// election) posts: eventTime is a field of core/v1 Event.
		{"event time", &Event{}, `{"kind":"Event","involvedObject":{"kind":"Lease"},"count":1,"eventTime":null}`, nil},
		{"event time set", &Event{}, `{"eventTime":"2026-12-07T09:51:05.123456Z","series":null}`, []string{"series"}},
	}
	for _, tt := range tests {
		got, err := UnknownFields([]byte(tt.raw), tt.obj)
		if err != nil {
			t.Errorf("%s: UnknownFields error: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: UnknownFields(%s) (-want +got):\n%s", tt.name, tt.raw, diff)
		}
	}
	for _, bad := range []string{``, `[]`, `"x"`, `{`, `{"a":}`} {
		if got, err := UnknownFields([]byte(bad), &Pod{}); err == nil {
			t.Errorf("UnknownFields(%q) = %v, want error", bad, got)
		}
	}
}

func TestNotImplemented(t *testing.T) {
	raw := `{"spec":{"replicas":2,"template":{"spec":{
		"dnsPolicy":"ClusterFirst","hostNetwork":false,"securityContext":{},"priority":0,"automountServiceAccountToken":true,
		"containers":[{"name":"a","imagePullPolicy":"Always"},{"name":"b","startupProbe":{"exec":{"command":["x"]}},"terminationMessagePath":"/x"}],
		"affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":1,"preference":{}}]}}}}}}`
	got, err := NotImplemented([]byte(raw), &Deployment{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution",
		"spec.template.spec.containers[1].startupProbe",
		"spec.template.spec.containers[1].terminationMessagePath",
		"spec.template.spec.priority",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NotImplemented(deployment) (-want +got):\n%s", diff)
	}
	for _, p := range got {
		if NotImplementedReason(&Deployment{}, p) == "" {
			t.Errorf("NotImplementedReason(deployment, %q) = \"\", want a reason", p)
		}
	}
	svc := `{"spec":{"type":"LoadBalancer","externalTrafficPolicy":"Local","loadBalancerIP":"1.2.3.4","externalIPs":["5.6.7.8"],"internalTrafficPolicy":"Cluster","ports":[{"port":80}]}}`
	got, err = NotImplemented([]byte(svc), &Service{})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"spec.externalTrafficPolicy", "spec.internalTrafficPolicy"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NotImplemented(service) (-want +got):\n%s", diff)
	}
	// Helm's starter chart writes a ServiceAccount with this field,
	// which the ServiceAccount admission plugin honours.
	got, err = NotImplemented([]byte(`{"metadata":{"name":"a"},"automountServiceAccountToken":true}`), &ServiceAccount{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string(nil), got); diff != "" {
		t.Errorf("NotImplemented(serviceaccount) (-want +got):\n%s", diff)
	}
	warns, err := NotImplementedWarnings([]byte(`{"spec":{"containers":[{"imagePullPolicy":"Never","startupProbe":{"tcpSocket":{"port":80}}}]}}`), &Pod{})
	if err != nil {
		t.Fatal(err)
	}
	wantWarn := []string{`field "spec.containers[0].startupProbe" is accepted but not implemented by tinykube: only liveness and readiness probes run`}
	if diff := cmp.Diff(wantWarn, warns); diff != "" {
		t.Errorf("NotImplementedWarnings (-want +got):\n%s", diff)
	}
	if r := NotImplementedReason(&Pod{}, "spec.containers[3].image"); r != "" {
		t.Errorf("NotImplementedReason(spec.containers[3].image) = %q, want \"\"", r)
	}
	if r := NotImplementedReason(&Pod{}, "spec.nope.x"); r != "" {
		t.Errorf("NotImplementedReason(spec.nope.x) = %q, want \"\"", r)
	}
}

// TestNotImplementedFieldsExist checks that every table entry names a real
// field of a real type, so a rename cannot silently retire a warning.
func TestNotImplementedFieldsExist(t *testing.T) {
	types := map[string]any{
		"Container": Container{}, "PodSpec": PodSpec{}, "NodeAffinity": NodeAffinity{}, "ServiceSpec": ServiceSpec{},
		"ServiceAccount": ServiceAccount{}, "PodSecurityContext": PodSecurityContext{}, "SecurityContext": SecurityContext{},
	}
	for key := range NotImplementedFields {
		typ, field, _ := strings.Cut(key, ".")
		v, ok := types[typ]
		if !ok {
			t.Errorf("NotImplementedFields[%q]: type %s not known to this test", key, typ)
			continue
		}
		found := false
		for name := range jsonFieldSet(reflect.TypeOf(v)) {
			if name == field {
				found = true
			}
		}
		if !found {
			t.Errorf("NotImplementedFields[%q]: %s has no JSON field %q", key, typ, field)
		}
	}
}

// CheckFields must agree with the three functions it stands in for.
func TestCheckFieldsAgreesWithParts(t *testing.T) {
	raw := []byte(`{"metadata":{"name":"p","zap":1},"spec":{"priority":5,"containers":[{"name":"c","image":"i","imagePullPolicy":"Always","terminationMessagePath":"/x","frob":true}]}}`)
	pod := &Pod{}
	r, err := CheckFields(raw, pod)
	if err != nil {
		t.Fatal(err)
	}
	unknown, _ := UnknownFields(raw, pod)
	notImpl, _ := NotImplemented(raw, pod)
	warnImpl, _ := NotImplementedWarnings(raw, pod)
	if diff := cmp.Diff(unknown, r.Unknown); diff != "" {
		t.Errorf("Unknown (-UnknownFields +CheckFields):\n%s", diff)
	}
	if diff := cmp.Diff(notImpl, r.NotImplemented); diff != "" {
		t.Errorf("NotImplemented (-NotImplemented +CheckFields):\n%s", diff)
	}
	if len(r.Warnings) != len(unknown)+len(warnImpl) || len(unknown) != 2 || len(notImpl) != 2 {
		t.Errorf("CheckFields = %+v; want 2 unknown, 2 not implemented, 4 warnings", r)
	}
}
