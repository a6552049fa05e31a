package apiserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
)

// decodeBody decodes a request body into a new object of res. apiVersion
// and kind may be omitted; when present they must name res.
func decodeBody(res *api.Resource, body []byte) (api.Object, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errBadRequest("the request body is empty: send the %s as JSON", res.Kind)
	}
	obj := res.New()
	if err := json.Unmarshal(body, obj); err != nil {
		if api.IsQuantityError(err) {
			return nil, quantityDecodeError(res, obj, body, err)
		}
		return nil, errBadRequest("the request body is not a valid %s: %v", res.Kind, jsonErrorText(err))
	}
	tm := obj.GetTypeMeta()
	if (tm.APIVersion != "" && tm.APIVersion != res.APIVersion()) || (tm.Kind != "" && tm.Kind != res.Kind) {
		return nil, errBadRequest("the object's apiVersion and kind (%s, %s) do not match the request's resource (%s, %s)",
			tm.APIVersion, tm.Kind, res.APIVersion(), res.Kind)
	}
	api.SetTypeMeta(obj)
	return obj, nil
}

// quantityDecodeError answers a body whose decoding failed on a quantity
// (err). Kubernetes answers 400 with the bare parse error; this answers 400
// too, but names the object and every bad quantity's field, so that
// "cpu: abc" in a long manifest is found at once:
//
//	the request body is not a valid Pod "web": spec.containers[0].resources.limits[cpu]: Invalid value: "abc": quantities must match …
func quantityDecodeError(res *api.Resource, obj api.Object, body []byte, err error) error {
	what := res.Kind
	var head struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if json.Unmarshal(body, &head) == nil && head.Metadata.Name != "" {
		what += " " + strconv.Quote(head.Metadata.Name)
	}
	detail := err.Error()
	if errs := api.QuantityErrors(obj, body); len(errs) > 0 {
		detail = errs.Error()
	}
	return errBadRequest("the request body is not a valid %s: %s", what, detail)
}

// jsonErrorText words a JSON decoding error with the field it is about.
func jsonErrorText(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
		return fmt.Sprintf("field %s: cannot use a JSON %s as %s", te.Field, te.Value, te.Type)
	}
	return err.Error()
}

// decodeKV decodes a stored object and stamps it with the revision that
// last changed it, which is its resourceVersion.
// A kind served at a second version by conversion (res.Storage set) is
// decoded as stored and converted to res's version.
func decodeKV(res *api.Resource, kv store.KeyValue) (api.Object, error) {
	as := res
	if res.Storage != nil {
		as = res.Storage
	}
	obj := as.New()
	if err := json.Unmarshal(kv.Value, obj); err != nil {
		return nil, fmt.Errorf("stored %s at %s does not decode: %v", res.Kind, kv.Key, err)
	}
	api.SetTypeMeta(obj)
	if res.Storage != nil {
		obj = res.FromStorage(obj)
	}
	if u, ok := obj.(*api.Unstructured); ok {
		// Every version of a custom resource shares one storage
		// (conversion None): an object read through a version is of
		// that version.
		u.APIVersion, u.Kind = res.APIVersion(), res.Kind
	}
	obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(kv.ModRevision, 10)
	return obj, nil
}

// encodeForStore encodes obj as it is kept in the store: without its
// resourceVersion, which the store's revision supplies on every read, and
// converted to the storage version when its kind is served at a second
// version (see api.Resource.Storage).
func encodeForStore(obj api.Object) ([]byte, error) {
	if r := api.ResourceOf(obj); r != nil && r.Storage != nil {
		obj = r.ToStorage(obj)
	}
	meta := obj.GetObjectMeta()
	rv := meta.ResourceVersion
	meta.ResourceVersion = ""
	b, err := json.Marshal(obj)
	meta.ResourceVersion = rv
	return b, err
}

// stored answers a successful write: obj was stored as value at revision
// rev under key. The answer is value with the resourceVersion spliced into
// its metadata — no second encoding — and the decode cache learns the
// object, so the watchers the write reaches need not decode it either.
// obj must not be modified afterwards.
//
// An object of a version served by conversion is answered in its own
// version, not as stored.
func (s *Server) stored(key string, obj api.Object, value []byte, rev int64) ([]byte, error) {
	if r := api.ResourceOf(obj); r != nil && r.Storage != nil {
		b, err := encodeWithRevision(obj, rev)
		if err == nil {
			s.decoded.put(key, rev, obj, b)
		}
		return b, err
	}
	b := withRevision(value, rev)
	if b == nil {
		return encodeWithRevision(obj, rev)
	}
	obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(rev, 10)
	s.decoded.put(key, rev, obj, b)
	return b, nil
}

// withRevision inserts "resourceVersion" into the metadata of an object
// encoded without one, or returns nil if the encoding has no metadata
// where every encoding of a served kind has it (right after apiVersion and
// kind). JSON objects are unordered, so where the field lands is only a
// matter of looks.
func withRevision(value []byte, rev int64) []byte {
	const meta = `"metadata":{`
	i := bytes.Index(value, []byte(meta))
	if i < 0 {
		return nil
	}
	at := i + len(meta)
	field := `"resourceVersion":"` + strconv.FormatInt(rev, 10) + `"`
	if at < len(value) && value[at] != '}' {
		field += ","
	}
	out := make([]byte, 0, len(value)+len(field))
	out = append(append(append(out, value[:at]...), field...), value[at:]...)
	return out
}

// encodeWithRevision encodes obj for a response, with its resourceVersion.
func encodeWithRevision(obj api.Object, rev int64) ([]byte, error) {
	obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(rev, 10)
	return json.Marshal(obj)
}

// parseResourceVersion reads a resourceVersion sent by a client. Empty
// means "none given" and returns 0.
func parseResourceVersion(rv string) (int64, error) {
	if rv == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(rv, 10, 64)
	if err != nil || n < 0 {
		return 0, errBadRequest("invalid resourceVersion %q: it must be a resourceVersion the server returned", rv)
	}
	return n, nil
}

// The helpers below treat every kind alike through reflection on its Go
// struct: the top-level fields are TypeMeta, ObjectMeta, and then the
// object's content (Spec and Status for most kinds; Data for ConfigMaps …).

// isMetaField reports whether a top-level field is type or object metadata.
func isMetaField(name string) bool { return name == "TypeMeta" || name == "ObjectMeta" }

// desiredStateEqual reports whether two versions of an object agree on
// everything but metadata and status: the desired state whose changes bump
// metadata.generation (spec for most kinds; data for ConfigMaps …). Fields
// are compared by their JSON encoding, so nil and empty agree as they do on
// the wire.
//
// A kind served by conversion compares as stored: what its version has no
// field for (autoscaling/v1's metrics annotation) is desired state too.
func desiredStateEqual(a, b api.Object) (bool, error) {
	if r := api.ResourceOf(a); r != nil && r.Storage != nil {
		a, b = r.ToStorage(a), r.ToStorage(b)
	}
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := 0; i < va.NumField(); i++ {
		name := va.Type().Field(i).Name
		if isMetaField(name) || name == "Status" {
			continue
		}
		ja, err := json.Marshal(va.Field(i).Interface())
		if err != nil {
			return false, err
		}
		jb, err := json.Marshal(vb.Field(i).Interface())
		if err != nil {
			return false, err
		}
		if !bytes.Equal(ja, jb) {
			return false, nil
		}
	}
	return true, nil
}

// setStatus sets dst's Status field to src's. Both must be the same kind
// with a status; dst then shares src's status values, so src must be a
// private copy that is not used again.
func setStatus(dst, src api.Object) {
	if u, ok := dst.(*api.Unstructured); ok {
		setField(u, "status", src.(*api.Unstructured).Content["status"])
		return
	}
	reflect.ValueOf(dst).Elem().FieldByName("Status").Set(reflect.ValueOf(src).Elem().FieldByName("Status"))
}

// clearStatus zeroes dst's Status field.
func clearStatus(dst api.Object) {
	if u, ok := dst.(*api.Unstructured); ok {
		delete(u.Content, "status")
		return
	}
	f := reflect.ValueOf(dst).Elem().FieldByName("Status")
	f.Set(reflect.Zero(f.Type()))
}

// setAllButStatus sets every field of dst except Status (and TypeMeta) to
// src's; dst then shares src's values, so src must be a private copy.
func setAllButStatus(dst, src api.Object) {
	if u, ok := dst.(*api.Unstructured); ok {
		su := src.(*api.Unstructured)
		status, has := u.Content["status"]
		u.ObjectMeta, u.Content = su.ObjectMeta, su.ShallowContent()
		setField(u, "status", status)
		if !has {
			delete(u.Content, "status")
		}
		return
	}
	vd, vs := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	for i := 0; i < vd.NumField(); i++ {
		name := vd.Type().Field(i).Name
		if name == "Status" || name == "TypeMeta" {
			continue
		}
		vd.Field(i).Set(vs.Field(i))
	}
}

// mediaType returns a Content-Type without its parameters, lowercased.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// setField sets or, for nil, removes one top-level field of a custom
// object.
func setField(u *api.Unstructured, name string, v any) {
	if u.Content == nil {
		u.Content = map[string]any{}
	}
	if v == nil {
		delete(u.Content, name)
		return
	}
	u.Content[name] = v
}
