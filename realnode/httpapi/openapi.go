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
// core/openapi derives from tinykube's types, built once on first use.
// The documents are served here rather than by core/apiserver because all
// that is left to do with them is HTTP: choosing JSON or protobuf by the
// Accept header, ETags, and the caching headers that make a hashed v3 URL
// immutable. The simulator's clients never ask for them.
type openAPIServer struct {
	version string
	once    sync.Once
	docs    *openapi.Documents
	v2pb    []byte
	err     error
}

func (o *openAPIServer) build() {
	o.docs, o.err = openapi.Build(o.version, nil)
	if o.err != nil {
		return
	}
	// gnostic parses the JSON document into its protobuf model: the same
	// document, in the encoding client-go's discovery asks for.
	doc, err := openapi_v2.ParseDocument(o.docs.V2)
	if err != nil {
		o.err = err
		return
	}
	o.v2pb, o.err = proto.Marshal(doc)
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
	o.once.Do(o.build)
	if o.err != nil {
		writeStatus(w, fmt.Errorf("building the OpenAPI documents: %v", o.err))
		return true
	}
	accept := r.Header.Get("Accept")
	switch {
	case path == "/openapi/v2":
		switch {
		case accepts(accept, mimeV2Proto) || accepts(accept, mimeV2ProtoV1):
			// Answered under the name without '@', which is a valid media
			// type: client-go parses the response's Content-Type.
			serveDoc(w, r, mimeV2ProtoV1, o.v2pb, openapi.Hash(o.v2pb))
		case accepts(accept, mimeJSON):
			serveDoc(w, r, mimeJSON, o.docs.V2, openapi.Hash(o.docs.V2))
		default:
			notAcceptable(w, accept, mimeJSON, mimeV2Proto)
		}
	case path == "/openapi/v3":
		if !accepts(accept, mimeJSON) {
			notAcceptable(w, accept, mimeJSON)
			return true
		}
		serveDoc(w, r, mimeJSON, o.docs.V3Index, openapi.Hash(o.docs.V3Index))
	default:
		gv := strings.TrimPrefix(path, "/openapi/v3/")
		doc, ok := o.docs.V3[gv]
		if !ok {
			writeStatus(w, api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil, "the server serves no OpenAPI v3 document for %q: /openapi/v3 lists those it has", gv))
			return true
		}
		if !accepts(accept, mimeJSON) {
			notAcceptable(w, accept, mimeJSON)
			return true
		}
		hash := o.docs.V3Hash[gv]
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
