package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	"google.golang.org/protobuf/proto"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/openapi"
)

// The media types of OpenAPI documents. client-go asks for v2 only as
// protobuf (gnostic's encoding); kubectl explain asks for v3 as JSON.
const (
	mimeJSON      = "application/json"
	mimeV2Proto   = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
	mimeV2ProtoV1 = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
)

// openAPIServer serves /openapi/v2 and /openapi/v3/... from the documents
// core/openapi derives from tinykube's types and from the custom resources
// the API server serves. The documents are served here rather than by
// core/apiserver because all that is left to do with them is HTTP:
// choosing JSON or protobuf by the Accept header, ETags, and the caching
// headers that make a hashed v3 URL immutable. The simulator's clients
// never ask for them.
//
// The documents are built on first use and again whenever the API
// server's ResourceSet is another one: the set is immutable and replaced
// when a CustomResourceDefinition changes, so its identity is a cheap key.
// A rebuilt group-version document whose content is the same keeps its
// hash, so clients' cached copies stay good.
type openAPIServer struct {
	version   string
	resources func() *api.ResourceSet

	mu  sync.Mutex
	cur *openAPIDocs
}

// openAPIDocs are the documents of one ResourceSet, encoded.
type openAPIDocs struct {
	set  *api.ResourceSet
	docs *openapi.Documents
	v2pb []byte
	// The ETags of v2 as JSON and as protobuf.
	v2Hash, v2pbHash string
	err              error
}

// current returns the documents of the server's current ResourceSet,
// building them if the set changed since the last build.
func (o *openAPIServer) current() *openAPIDocs {
	set := o.resources()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cur == nil || o.cur.set != set {
		o.cur = buildOpenAPI(o.version, set)
	}
	return o.cur
}

// buildOpenAPI encodes every document of set: JSON from core/openapi, and
// v2 once more as protobuf.
func buildOpenAPI(version string, set *api.ResourceSet) *openAPIDocs {
	d := &openAPIDocs{set: set}
	d.docs, d.err = openapi.Build(version, set)
	if d.err != nil {
		return d
	}
	// gnostic parses the JSON document into its protobuf model: the same
	// document, in the encoding client-go's discovery asks for.
	doc, err := openapi_v2.ParseDocument(d.docs.V2)
	if err != nil {
		d.err = err
		return d
	}
	d.v2pb, d.err = proto.Marshal(doc)
	d.v2Hash, d.v2pbHash = openapi.Hash(d.docs.V2), openapi.Hash(d.v2pb)
	return d
}

// serve answers r if it asks for an OpenAPI document and reports whether it
// did.
func (o *openAPIServer) serve(w http.ResponseWriter, r *http.Request) bool {
	path := strings.TrimSuffix(r.URL.Path, "/")
	if path != "/openapi/v2" && path != "/openapi/v3" && !strings.HasPrefix(path, "/openapi/v3/") {
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeStatus(w, api.NewStatusError(http.StatusMethodNotAllowed, api.ReasonMethodNotAllowed, nil, "the server does not allow %s on %s", r.Method, r.URL.Path))
		return true
	}
	cur := o.current()
	if cur.err != nil {
		writeStatus(w, fmt.Errorf("building the OpenAPI documents: %v", cur.err))
		return true
	}
	docs := cur.docs
	accept := r.Header.Get("Accept")
	switch {
	case path == "/openapi/v2":
		switch {
		case accepts(accept, mimeV2Proto) || accepts(accept, mimeV2ProtoV1):
			// Answered under the name without '@', which is a valid media
			// type: client-go parses the response's Content-Type.
			serveDoc(w, r, mimeV2ProtoV1, cur.v2pb, cur.v2pbHash)
		case accepts(accept, mimeJSON):
			serveDoc(w, r, mimeJSON, docs.V2, cur.v2Hash)
		default:
			notAcceptable(w, accept, mimeJSON, mimeV2Proto)
		}
	case path == "/openapi/v3":
		if !accepts(accept, mimeJSON) {
			notAcceptable(w, accept, mimeJSON)
			return true
		}
		serveDoc(w, r, mimeJSON, docs.V3Index, openapi.Hash(docs.V3Index))
	default:
		gv := strings.TrimPrefix(path, "/openapi/v3/")
		doc, ok := docs.V3[gv]
		if !ok {
			writeStatus(w, api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil, "the server serves no OpenAPI v3 document for %q: /openapi/v3 lists those it has", gv))
			return true
		}
		if !accepts(accept, mimeJSON) {
			notAcceptable(w, accept, mimeJSON)
			return true
		}
		hash := docs.V3Hash[gv]
		if h := r.URL.Query().Get("hash"); h != "" {
			if h != hash {
				// A stale hash: send the client to the current document.
				http.Redirect(w, r, "/openapi/v3/"+gv+"?hash="+hash, http.StatusMovedPermanently)
				return true
			}
			// A URL with the content's hash never changes meaning.
			w.Header().Set("Cache-Control", "public, immutable")
			w.Header().Set("Expires", time.Now().AddDate(1, 0, 0).UTC().Format(http.TimeFormat))
		}
		serveDoc(w, r, mimeJSON, doc, hash)
	}
	return true
}

// serveDoc writes a document with its ETag, answering a matching
// If-None-Match with 304 Not Modified.
func serveDoc(w http.ResponseWriter, r *http.Request, contentType string, body []byte, hash string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("ETag", `"`+hash+`"`)
	w.Header().Set("Vary", "Accept")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// accepts reports whether an Accept header admits media type want: it
// lists it (parameters aside), a wildcard that covers it, or is empty.
func accepts(accept, want string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	wantType, _, _ := strings.Cut(want, "/")
	for _, part := range strings.Split(accept, ",") {
		// Not mime.ParseMediaType: gnostic's type has an '@', which is not
		// a token character.
		mt, params, _ := strings.Cut(part, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok && strings.Trim(q, "0.") == "" {
			continue // q=0: explicitly not acceptable
		}
		if mt == want || mt == "*/*" || mt == wantType+"/*" {
			return true
		}
	}
	return false
}

// notAcceptable answers 406, which client-go takes as "try another way".
func notAcceptable(w http.ResponseWriter, accept string, offered ...string) {
	writeStatus(w, api.NewStatusError(http.StatusNotAcceptable, api.ReasonNotAcceptable, nil,
		"only the following media types are accepted: %s (the request asked for %s)", strings.Join(offered, ", "), accept))
}
