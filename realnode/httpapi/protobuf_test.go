package httpapi

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/randfill"

	"github.com/tinykube/tinykube/core/api"
)

// filler fills k8s.io/api objects with random values in the shapes their
// JSON can carry (the library's own types need help: a Quantity's inner
// fields, a Time at second precision, FieldsV1 holding JSON).
func filler(seed int64) *randfill.Filler {
	return randfill.NewWithSeed(seed).NilChance(0.2).NumElements(0, 2).MaxDepth(8).Funcs(
		func(q *resource.Quantity, c randfill.Continue) {
			*q = *resource.NewMilliQuantity(c.Int63n(1e7), resource.DecimalSI)
		},
		func(t *metav1.Time, c randfill.Continue) {
			*t = metav1.NewTime(time.Unix(1e9+c.Int63n(1e9), 0).UTC())
		},
		func(t *metav1.MicroTime, c randfill.Continue) {
			*t = metav1.NewMicroTime(time.Unix(1e9+c.Int63n(1e9), 0).UTC())
		},
		func(v *intstr.IntOrString, c randfill.Continue) {
			if c.Bool() {
				*v = intstr.FromInt32(c.Int31n(1000))
			} else {
				*v = intstr.FromString(c.String(8))
			}
		},
		func(f *metav1.FieldsV1, c randfill.Continue) { f.Raw = []byte(`{"f:metadata":{}}`) },
		func(r *runtime.RawExtension, c randfill.Continue) {},
		// Nested objects (a StatefulSet's volumeClaimTemplates) carry
		// no apiVersion and kind in protobuf; the top level's is set
		// by the test.
		func(tm *metav1.TypeMeta, c randfill.Continue) {},
		// Protobuf cannot tell nil bytes from empty ones (nor can
		// Kubernetes); keep the test to what the wire can carry.
		func(b *[]byte, c randfill.Continue) { *b = []byte("x" + c.String(4)) },
	)
}

// gvkOf returns the group, version and kind of res.
func gvkOf(res *api.Resource) schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: res.Group, Version: res.Version, Kind: res.Kind}
}

// asMap decodes JSON for comparison (tinykube's types and the library's
// both have unexported fields that cmp cannot look into). Fields that are
// null, [] or {} are dropped: protobuf has no way to tell an empty list or
// map from an absent one, in tinykube as in Kubernetes.
func asMap(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // int64 fields must compare exactly
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	dropEmpty(m)
	return m
}

// dropEmpty removes null, [] and {} fields, innermost first.
func dropEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		for k, e := range x {
			if dropEmpty(e) {
				delete(x, k)
			}
		}
		return len(x) == 0
	case []any:
		for _, e := range x {
			dropEmpty(e)
		}
		return len(x) == 0
	}
	return false
}

// TestProtobufTranslationKeepsEveryField fills every kind tinykube serves
// with random values in its real k8s.io/api type and checks, field by
// field, that the protobuf edge hands tinykube what the same object sent
// as JSON would give it, and that tinykube's answer encodes back to the
// same typed object.
func TestProtobufTranslationKeepsEveryField(t *testing.T) {
	for _, res := range api.Resources() {
		t.Run(res.Kind, func(t *testing.T) {
			gvk := gvkOf(res)
			decoded := 0
			for seed := int64(0); seed < 30; seed++ {
				obj, err := protoScheme.New(gvk)
				if err != nil {
					t.Fatalf("%v has no k8s.io/api type in protoScheme: %v", gvk, err)
				}
				filler(seed).Fill(obj)
				obj.GetObjectKind().SetGroupVersionKind(gvk)

				// What tinykube keeps of the object when it comes as JSON.
				js, err := json.Marshal(obj)
				if err != nil {
					t.Fatalf("seed %d: json.Marshal: %v", seed, err)
				}
				viaJSON := res.New()
				if err := json.Unmarshal(js, viaJSON); err != nil {
					continue // random values tinykube's own decoder refuses; nothing to compare
				}
				decoded++

				// The same object as protobuf, through the edge.
				var pb bytes.Buffer
				if err := protoSerializer.Encode(obj, &pb); err != nil {
					t.Fatalf("seed %d: protobuf encode: %v", seed, err)
				}
				in, err := jsonFromProtobuf(pb.Bytes())
				if err != nil {
					t.Fatalf("seed %d: jsonFromProtobuf: %v", seed, err)
				}
				viaProto := res.New()
				if err := json.Unmarshal(in, viaProto); err != nil {
					t.Fatalf("seed %d: tinykube cannot decode the translated body: %v\n%s", seed, err, in)
				}
				if diff := cmp.Diff(asMap(t, viaJSON), asMap(t, viaProto)); diff != "" {
					t.Errorf("seed %d: tinykube's object from protobuf differs from the one from JSON (-json +protobuf):\n%s", seed, diff)
				}

				// And back: tinykube's JSON answer as protobuf.
				out, err := json.Marshal(viaProto)
				if err != nil {
					t.Fatal(err)
				}
				pbOut, err := protobufFromJSON(out)
				if err != nil {
					t.Fatalf("seed %d: protobufFromJSON: %v", seed, err)
				}
				back, _, err := protoSerializer.Decode(pbOut, nil, nil)
				if err != nil {
					t.Fatalf("seed %d: the answer does not decode as protobuf: %v", seed, err)
				}
				wantJS, _ := json.Marshal(viaJSON)
				want, _ := protoScheme.New(gvk)
				if err := json.Unmarshal(wantJS, want); err != nil {
					t.Fatal(err)
				}
				want.GetObjectKind().SetGroupVersionKind(gvk)
				if diff := cmp.Diff(asMap(t, want), asMap(t, back)); diff != "" {
					t.Errorf("seed %d: the protobuf answer differs from tinykube's object (-want +got):\n%s", seed, diff)
				}
			}
			if decoded < 10 {
				t.Errorf("only %d of 30 random %s objects decoded in tinykube; the test compares too little", decoded, res.Kind)
			}
		})
	}
}

// TestProtobufBodyPrunesOnlyZeroUnknownFields: fields a typed object
// emits although nobody set them must not reach tinykube as unknown
// fields (each would be a warning on every create), while fields tinykube
// has keep even their empty values.
func TestProtobufBodyPrunesOnlyZeroUnknownFields(t *testing.T) {
	res := api.ResourceFor("v1", "Pod")
	tests := []struct {
		name, in, want string
	}{
		{"null timestamp", `{"metadata":{"name":"a","creationTimestamp":null}}`, `{"metadata":{"name":"a"}}`},
		{"empty unknown struct", `{"metadata":{"name":"a"},"spec":{"bogus":{"x":""},"containers":[{"name":"c","nope":0}]}}`,
			`{"metadata":{"name":"a"},"spec":{"containers":[{"name":"c"}]}}`},
		{"empty known struct kept", `{"spec":{"volumes":[{"name":"v","emptyDir":{}}]}}`, `{"spec":{"volumes":[{"emptyDir":{},"name":"v"}]}}`},
		{"unknown field with a value kept", `{"spec":{"bogus":"x"}}`, `{"spec":{"bogus":"x"}}`},
		{"map keys with dots", `{"metadata":{"labels":{"a.b/c":"d"}}}`, `{"metadata":{"labels":{"a.b/c":"d"}}}`},
	}
	for _, tt := range tests {
		got, err := pruneZeroUnknown([]byte(tt.in), res)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, string(got)); diff != "" {
			t.Errorf("%s: pruneZeroUnknown(%s) (-want +got):\n%s", tt.name, tt.in, diff)
		}
	}
}

// FuzzProtobufBody: whatever bytes arrive as a protobuf body, the
// translation returns JSON or an error, never a panic.
func FuzzProtobufBody(f *testing.F) {
	var pb bytes.Buffer
	pod, _ := protoScheme.New(schema.GroupVersionKind{Version: "v1", Kind: "Pod"})
	filler(1).Fill(pod)
	pod.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{Version: "v1", Kind: "Pod"})
	if err := protoSerializer.Encode(pod, &pb); err != nil {
		f.Fatal(err)
	}
	f.Add(pb.Bytes())
	f.Add([]byte("k8s\x00"))
	f.Add([]byte("k8s\x00\x0a\x02\x0a\x00"))
	f.Add([]byte(`{"kind":"Pod"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		js, err := jsonFromProtobuf(b)
		if err == nil && !json.Valid(js) {
			t.Errorf("jsonFromProtobuf(%q) = %s, not JSON", b, js)
		}
	})
}

func TestNegotiate(t *testing.T) {
	pods := api.ResourceFor("v1", "Pod")
	tests := []struct {
		accept string
		res    *api.Resource
		want   string
	}{
		{"", pods, "application/json"},
		{"*/*", pods, "application/json"},
		{"application/vnd.kubernetes.protobuf, */*", pods, ContentProtobuf},
		{"application/vnd.kubernetes.protobuf,application/json", pods, ContentProtobuf},
		{"application/json;q=0.5, application/vnd.kubernetes.protobuf", pods, ContentProtobuf},
		{"application/json, application/vnd.kubernetes.protobuf;q=0.9", pods, "application/json"},
		{"application/vnd.kubernetes.protobuf", nil, ContentProtobuf},
		{"application/json;as=Table;v=v1;g=meta.k8s.io, application/json", pods, "application/json"},
		{"application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json", pods, "application/json"},
		{"text/html", pods, "application/json"},
		{"application/*", pods, "application/json"},
	}
	for _, tt := range tests {
		if got := negotiate(tt.accept, tt.res).contentType(); got != tt.want {
			t.Errorf("negotiate(%q) = %s, want %s", tt.accept, got, tt.want)
		}
	}
}

func TestPathResource(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/api/v1/namespaces/default/pods/web", "pods"},
		{"/api/v1/pods", "pods"},
		{"/api/v1/namespaces/default", "namespaces"},
		{"/api/v1/namespaces/default/status", "namespaces"},
		{"/apis/apps/v1/namespaces/x/deployments/d/status", "deployments.apps"},
		{"/api/v1/watch/namespaces/x/configmaps", "configmaps"},
		{"/apis/apps/v1", ""},
		{"/version", ""},
		{"/api", ""},
	}
	for _, tt := range tests {
		got := ""
		if res := pathResource(tt.path, api.BuiltinResources()); res != nil {
			got = res.GroupResource()
		}
		if got != tt.want {
			t.Errorf("pathResource(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
