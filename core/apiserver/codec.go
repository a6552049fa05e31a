package apiserver

import (
	"bytes"
	"encoding/json"
	"fmt"
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

// jsonErrorText words a JSON decoding error with the field it is about.
func jsonErrorText(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
		return fmt.Sprintf("field %s: cannot use a JSON %s as %s", te.Field, te.Value, te.Type)
	}
	return err.Error()
}

// decodeKV decodes a stored object and stamps it with the revision that
// last changed it, which is its resourceVersion.
func decodeKV(res *api.Resource, kv store.KeyValue) (api.Object, error) {
	obj := res.New()
	if err := json.Unmarshal(kv.Value, obj); err != nil {
		return nil, fmt.Errorf("stored %s at %s does not decode: %v", res.Kind, kv.Key, err)
	}
	api.SetTypeMeta(obj)
	obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(kv.ModRevision, 10)
	return obj, nil
}

// encodeForStore encodes obj as it is kept in the store: without its
// resourceVersion, which the store's revision supplies on every read.
func encodeForStore(obj api.Object) ([]byte, error) {
	meta := obj.GetObjectMeta()
	rv := meta.ResourceVersion
	meta.ResourceVersion = ""
	b, err := json.Marshal(obj)
	meta.ResourceVersion = rv
	return b, err
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

// sections splits an encoded object into its top-level fields, to compare
// or move whole sections (spec, status) between versions of an object
// without knowing its kind.
func sections(obj api.Object) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	err = json.Unmarshal(b, &m)
	return m, err
}

// desiredStateEqual reports whether two versions of an object agree on
// everything but metadata and status: the desired state whose changes bump
// metadata.generation (spec for most kinds; data for ConfigMaps …).
func desiredStateEqual(a, b api.Object) (bool, error) {
	ma, err := sections(a)
	if err != nil {
		return false, err
	}
	mb, err := sections(b)
	if err != nil {
		return false, err
	}
	for _, m := range []map[string]json.RawMessage{ma, mb} {
		delete(m, "metadata")
		delete(m, "status")
		delete(m, "apiVersion")
		delete(m, "kind")
	}
	if len(ma) != len(mb) {
		return false, nil
	}
	for k, v := range ma {
		if !bytes.Equal(v, mb[k]) {
			return false, nil
		}
	}
	return true, nil
}

// withSection returns a copy of dst whose top-level field name (such as
// "status") is taken from src.
func withSection(dst, src api.Object, name string) (api.Object, error) {
	ms, err := sections(src)
	if err != nil {
		return nil, err
	}
	md, err := sections(dst)
	if err != nil {
		return nil, err
	}
	if v, ok := ms[name]; ok {
		md[name] = v
	} else {
		delete(md, name)
	}
	b, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	out := api.ResourceOf(dst).New()
	if err := json.Unmarshal(b, out); err != nil {
		return nil, err
	}
	return out, nil
}

// mediaType returns a Content-Type without its parameters, lowercased.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}
