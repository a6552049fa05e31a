package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
	"sigs.k8s.io/yaml"
)

// Content negotiation happens here and only here. The API server in core/
// reads and writes JSON; at the edge a request body in another media type
// is translated to JSON on the way in (decodeRequest), and a JSON answer
// is re-encoded as the client's Accept header asks on the way out
// (negotiate, then encoding.body or encoding.events).

// encoding is one way of writing answers. JSON is the identity.
type encoding interface {
	contentType() string
	// body re-encodes a JSON object, list or Status. It returns
	// errNoProtobufType for a kind it cannot write, which then goes out
	// as JSON (encodeResponse).
	body(js []byte) ([]byte, error)
	// events returns a writer of watch events onto w.
	events(w io.Writer) eventWriter
}

// eventWriter writes one watch event of a stream.
type eventWriter interface {
	write(ev rest.WatchEvent) error
}

// mediaType is one row of the table of what the edge can answer.
type mediaType struct {
	name string // "type/subtype"
	// pick returns the encoding for an Accept entry naming this media type
	// with these parameters (q removed) on a request for res (nil outside
	// the resource paths), or false if it cannot answer it.
	pick func(params map[string]string, res *api.Resource) (encoding, bool)
}

// mediaTypes lists the answers the edge can give, in the order it prefers
// them when the client accepts several equally (`*/*` means JSON). A new
// media type (Table, YAML) is a new row.
var mediaTypes = []mediaType{
	{rest.ContentJSON, func(params map[string]string, _ *api.Resource) (encoding, bool) {
		return jsonEncoding{}, params["as"] == "" // as=Table and the like are other rows
	}},
	{ContentProtobuf, func(params map[string]string, res *api.Resource) (encoding, bool) {
		if params["as"] != "" {
			return nil, false
		}
		// A resource without a k8s.io/api type is JSON-only; outside
		// resource paths (discovery, Status) the body's kind decides.
		return protobufEncoding{}, res == nil || hasProtobuf(res)
	}},
}

// negotiate picks the encoding of the answer to a request with this
// Accept header for resource res. Entries are tried by falling q, then in
// the client's order; the first the table can answer wins. A missing
// header or one that names nothing the table has gets JSON: Kubernetes
// answers 406 there, but JSON is what every client reads, and paths
// outside the API (OpenAPI, health) are JSON-only today.
func negotiate(accept string, res *api.Resource) encoding {
	type entry struct {
		typ    string
		params map[string]string
		q      float64
	}
	var entries []entry
	for _, part := range strings.Split(accept, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		typ, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				q = f
			}
			delete(params, "q")
		}
		if q > 0 {
			entries = append(entries, entry{typ, params, q})
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].q > entries[j].q })
	for _, e := range entries {
		for _, mt := range mediaTypes {
			if !mediaMatches(e.typ, mt.name) {
				continue
			}
			if enc, ok := mt.pick(e.params, res); ok {
				return enc
			}
		}
	}
	return jsonEncoding{}
}

// mediaMatches reports whether the Accept range pattern ("*/*",
// "application/*", "application/json") covers the media type name.
func mediaMatches(pattern, name string) bool {
	if pattern == "*/*" || pattern == name {
		return true
	}
	typ, sub, ok := strings.Cut(pattern, "/")
	return ok && sub == "*" && strings.HasPrefix(name, typ+"/")
}

// encodeResponse re-encodes a JSON answer with enc. A kind enc cannot
// write goes out as JSON (a custom resource asked for as protobuf, as
// Kubernetes does); any other failure is a 500 Status.
func encodeResponse(resp *rest.Response, enc encoding) *rest.Response {
	if _, isJSON := enc.(jsonEncoding); isJSON || resp.Stream != nil || baseType(resp.ContentType) != rest.ContentJSON || len(resp.Body) == 0 {
		return resp
	}
	b, err := enc.body(resp.Body)
	if _, ok := err.(errNoProtobufType); ok {
		return resp
	}
	if err != nil {
		se := api.NewStatusError(http.StatusInternalServerError, api.ReasonInternalError, nil, "encoding the answer as %s: %v", enc.contentType(), err)
		js, _ := json.Marshal(se.Status)
		return &rest.Response{Code: http.StatusInternalServerError, ContentType: rest.ContentJSON, Body: js, Warnings: resp.Warnings}
	}
	out := *resp
	out.Body, out.ContentType = b, enc.contentType()
	return &out
}

// decodeRequest translates a protobuf or YAML request body to JSON in
// place. It returns the answer instead when there is nothing to hand the
// API server: a 400 Status for a body that does not decode, a 415 for a
// protobuf body sent to a custom resource, which has no protobuf encoding
// (Kubernetes answers the same). Protobuf bodies of built-in kinds without
// a k8s.io/api type and protobuf patches (Kubernetes has none) are left
// alone: the API server answers them 415.
func decodeRequest(req *rest.Request, res *api.Resource) *rest.Response {
	switch baseType(req.ContentType) {
	case rest.ContentApplyPatch:
		return applyAsJSON(req)
	case contentYAML:
		if req.Method != http.MethodPatch && len(bytes.TrimSpace(req.Body)) > 0 {
			return yamlAsJSON(req)
		}
		return nil
	case ContentProtobuf:
	default:
		return nil
	}
	if req.Method == http.MethodPatch {
		return nil
	}
	if res != nil && res.Custom != nil {
		return errorResponse(api.NewStatusError(http.StatusUnsupportedMediaType, api.ReasonUnsupportedMediaType, nil,
			"the body of the request was in an unknown format - accepted media types include: %s, %s", rest.ContentJSON, contentYAML))
	}
	if res != nil && !hasProtobuf(res) {
		return nil
	}
	js, err := jsonFromProtobuf(req.Body)
	if err != nil {
		return errorResponse(api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil, "the request body (%s) cannot be read: %v", ContentProtobuf, err))
	}
	req.Body, req.ContentType = js, rest.ContentJSON
	return nil
}

// contentYAML is the media type of YAML request bodies, which Kubernetes
// takes for every kind (kubectl does not send them, curl users do).
const contentYAML = "application/yaml"

// yamlAsJSON turns a YAML create or update body into the JSON the API
// server reads.
func yamlAsJSON(req *rest.Request) *rest.Response {
	js, err := yaml.YAMLToJSON(req.Body)
	if err != nil {
		return errorResponse(api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil, "the request body (%s) is not valid YAML: %v", contentYAML, err))
	}
	req.Body, req.ContentType = js, rest.ContentJSON
	return nil
}

// errorResponse is the JSON answer carrying a Status error.
func errorResponse(se *api.StatusError) *rest.Response {
	b, _ := json.Marshal(se.Status)
	return &rest.Response{Code: int(se.Status.Code), ContentType: rest.ContentJSON, Body: b}
}

// applyAsJSON turns the YAML of a server-side apply into JSON, which is
// what the API server reads (YAML is a wire format, like protobuf). A JSON
// body, which kubectl, client-go and Helm send, is YAML already and passes
// through unchanged.
func applyAsJSON(req *rest.Request) *rest.Response {
	if t := bytes.TrimSpace(req.Body); len(t) == 0 || t[0] == '{' {
		return nil
	}
	js, err := yaml.YAMLToJSON(req.Body)
	if err != nil {
		se := api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil, "the apply configuration is not valid YAML: %v", err)
		b, _ := json.Marshal(se.Status)
		return &rest.Response{Code: http.StatusBadRequest, ContentType: rest.ContentJSON, Body: b}
	}
	req.Body = js
	return nil
}

func baseType(ct string) string {
	t, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

// pathResource returns the resource of set a request path names
// ("/api/v1/namespaces/ns/pods/web" → pods, "/apis/stable.example.com/v1/
// crontabs" → the CronTab's v1), or nil for other paths.
func pathResource(path string, set *api.ResourceSet) *api.Resource {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var group, version string
	switch {
	case len(segs) >= 3 && segs[0] == "api":
		version, segs = segs[1], segs[2:]
	case len(segs) >= 4 && segs[0] == "apis":
		group, version, segs = segs[1], segs[2], segs[3:]
	default:
		return nil
	}
	if segs[0] == "watch" && len(segs) > 1 {
		segs = segs[1:]
	}
	if segs[0] == "namespaces" && len(segs) >= 3 {
		if res := set.ByGroupVersionPlural(group, version, segs[2]); res != nil {
			return res
		}
	}
	return set.ByGroupVersionPlural(group, version, segs[0])
}

// jsonEncoding answers in JSON, as the API server wrote it: watch events
// one JSON object per line.
type jsonEncoding struct{}

func (jsonEncoding) contentType() string { return rest.ContentJSON }

func (jsonEncoding) body(js []byte) ([]byte, error) { return js, nil }

func (jsonEncoding) events(w io.Writer) eventWriter { return jsonLines{json.NewEncoder(w)} }

type jsonLines struct{ enc *json.Encoder }

func (l jsonLines) write(ev rest.WatchEvent) error { return l.enc.Encode(ev) }
