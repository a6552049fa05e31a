package httpapi

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// Protobuf is spoken only here, at the HTTP edge, by translation: a
// protobuf body is decoded into the real k8s.io/api type of its kind,
// encoded as JSON and handed to the API server; a JSON answer is decoded
// into the same typed object and encoded as protobuf. tinykube's JSON is
// Kubernetes' JSON, so for every field tinykube has the trip is lossless,
// and the field numbers, the `k8s\0` envelope and the framing come from
// the library Kubernetes itself uses (k8s.io/apimachinery) rather than
// from a second codec kept in step with tinykube's types by hand. The cost
// is a JSON decode and encode more per protobuf request, and the
// k8s.io/api types as a dependency of the binary; core/ sees only JSON.
//
// A custom resource has no Go type at all: its objects travel as JSON
// only, as in Kubernetes (negotiate and decodeRequest ask the server's
// ResourceSet which paths name one).

// ContentProtobuf is Kubernetes' protobuf media type.
const ContentProtobuf = "application/vnd.kubernetes.protobuf"

// protoScheme knows the k8s.io/api types of the API groups tinykube
// serves (see core/api/registry.go), the apiextensions types of
// k8s.io/apiextensions-apiserver, plus the meta types every group
// carries (Status, DeleteOptions, WatchEvent, the discovery lists).
var protoScheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, coordinationv1.AddToScheme, policyv1.AddToScheme, storagev1.AddToScheme,
		autoscalingv1.AddToScheme, autoscalingv2.AddToScheme,
		rbacv1.AddToScheme, authenticationv1.AddToScheme, authorizationv1.AddToScheme, certificatesv1.AddToScheme, metav1.AddMetaToScheme,
		// CustomResourceDefinition: client-go's apiextensions clientset
		// sends and asks for protobuf, like every generated clientset.
		apiextensionsv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	// client-go sends DeleteOptions as meta.k8s.io/v1 and as the
	// resource's own group version; both must decode.
	metav1.AddToGroupVersion(s, metav1.SchemeGroupVersion)
	return s
}()

var protoSerializer = protobuf.NewSerializer(protoScheme, protoScheme)

// hasProtobuf reports whether res has a k8s.io/api type, so that its
// objects can travel as protobuf.
func hasProtobuf(res *api.Resource) bool {
	return res != nil && protoScheme.Recognizes(schema.GroupVersionKind{Group: res.Group, Version: res.Version, Kind: res.Kind})
}

// errNoProtobufType says a JSON body's kind has no k8s.io/api type; the
// caller answers in JSON instead.
type errNoProtobufType struct{ apiVersion, kind string }

func (e errNoProtobufType) Error() string {
	return fmt.Sprintf("%s %s has no protobuf encoding", e.apiVersion, e.kind)
}

// protobufFromJSON encodes a JSON object, list or Status (anything with an
// apiVersion and kind protoScheme knows) as an enveloped protobuf message.
// It returns errNoProtobufType for a kind without a k8s.io/api type.
func protobufFromJSON(js []byte) ([]byte, error) {
	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := json.Unmarshal(js, &tm); err != nil {
		return nil, err
	}
	gvk := schema.FromAPIVersionAndKind(tm.APIVersion, tm.Kind)
	obj, err := protoScheme.New(gvk)
	if err != nil {
		return nil, errNoProtobufType{tm.APIVersion, tm.Kind}
	}
	if err := json.Unmarshal(js, obj); err != nil {
		return nil, fmt.Errorf("%s %s does not fit its k8s.io/api type: %v", tm.APIVersion, tm.Kind, err)
	}
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	var buf bytes.Buffer
	if err := protoSerializer.Encode(obj, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// jsonFromProtobuf decodes an enveloped protobuf body into its typed
// object and returns that object as the JSON tinykube reads. The error
// says what is wrong with the body, for a 400.
//
// A typed object emits fields the sender never set: null timestamps,
// empty structs ("resources": {}), zero numbers of fields without
// omitempty. Protobuf cannot tell those from absent ones, so they are
// pruned where tinykube's type lacks the field (pruneZeroUnknown);
// otherwise every create would warn about fields nobody sent.
func jsonFromProtobuf(body []byte) ([]byte, error) {
	if err := checkProtobufShape(body); err != nil {
		return nil, err
	}
	obj, gvk, err := protoSerializer.Decode(body, nil, nil)
	if err != nil {
		if runtime.IsNotRegisteredError(err) && gvk != nil {
			return nil, fmt.Errorf("kind %q of apiVersion %q has no protobuf encoding in tinykube: send it as JSON", gvk.Kind, gvk.GroupVersion().String())
		}
		return nil, fmt.Errorf("it is not a valid protobuf-encoded object: %v", err)
	}
	js, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("it decodes as %s, which does not encode as JSON: %v", gvk.Kind, err)
	}
	var res *api.Resource
	if gvk != nil {
		res = api.ResourceFor(gvk.GroupVersion().String(), gvk.Kind)
	}
	return pruneZeroUnknown(js, res)
}

// pruneZeroUnknown removes from js every null and every field that res's
// tinykube type does not have and whose value is a zero value (null, "",
// 0, false, or an object or array of nothing else). Fields tinykube has
// are kept as they are ("emptyDir": {} means something), and so are
// unknown fields with a value, which the API server warns about.
func pruneZeroUnknown(js []byte, res *api.Resource) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	v = dropNulls(v)
	if res != nil {
		pruned, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		paths, err := api.UnknownFields(pruned, res.New())
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			removeIfZero(v, p)
		}
	}
	return json.Marshal(v)
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
			} else {
				x[k] = dropNulls(e)
			}
		}
	case []any:
		for i, e := range x {
			x[i] = dropNulls(e)
		}
	}
	return v
}

func isZeroJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case json.Number:
		f, err := x.Float64()
		return err == nil && f == 0
	case map[string]any:
		for _, e := range x {
			if !isZeroJSON(e) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range x {
			if !isZeroJSON(e) {
				return false
			}
		}
		return true
	}
	return false
}

// removeIfZero deletes the field at path p ("spec.containers[0].foo", as
// api.UnknownFields writes paths; the last segment is always a field name)
// from the decoded JSON v when its value is zero.
func removeIfZero(v any, p string) {
	segs := splitPath(p)
	cur := v
	for _, s := range segs[:len(segs)-1] {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[s]
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(x) {
				return
			}
			cur = x[i]
		default:
			return
		}
	}
	last := segs[len(segs)-1]
	if m, ok := cur.(map[string]any); ok && isZeroJSON(m[last]) {
		delete(m, last)
	}
}

// splitPath splits "a.b[0][k.x].c" into a, b, 0, k.x, c.
func splitPath(p string) []string {
	var out []string
	var cur strings.Builder
	depth := 0
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '[':
			if depth == 0 {
				flush()
			} else {
				cur.WriteByte(c)
			}
			depth++
		case c == ']':
			depth--
			if depth == 0 {
				out = append(out, cur.String())
				cur.Reset()
			} else {
				cur.WriteByte(c)
			}
		case c == '.' && depth == 0:
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

// protobufEncoding answers in protobuf: objects, lists and Status as one
// enveloped message; watch events as Kubernetes frames them (protobufFrames).
type protobufEncoding struct{}

func (protobufEncoding) contentType() string { return ContentProtobuf }

func (protobufEncoding) body(js []byte) ([]byte, error) { return protobufFromJSON(js) }

func (protobufEncoding) events(w io.Writer) eventWriter { return protobufFrames{w} }

// protobufFrames writes watch events as Kubernetes' protobuf stream does:
// each frame is a 4-byte big-endian length and then a metav1.WatchEvent
// encoded bare (no envelope: the stream's type is known), whose object is
// raw bytes holding the event's object as an enveloped message, as in
// k8s.io/apimachinery's protobuf RawSerializer and LengthDelimitedFramer.
type protobufFrames struct{ w io.Writer }

func (f protobufFrames) write(ev rest.WatchEvent) error {
	obj, err := protobufFromJSON(ev.Object)
	if err != nil {
		return err
	}
	we := metav1.WatchEvent{Type: ev.Type, Object: runtime.RawExtension{Raw: obj}}
	b, err := we.Marshal()
	if err != nil {
		return err
	}
	frame := make([]byte, 4, 4+len(b))
	binary.BigEndian.PutUint32(frame, uint32(len(b)))
	_, err = f.w.Write(append(frame, b...))
	return err
}
