package httpapi

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// Handle is the transport-free API: (*apiserver.Server).Handle.
type Handle func(ctx context.Context, req *rest.Request) *rest.Response

// Options are a Handler's: who may ask what, and what it serves beside
// the API.
type Options struct {
	// Authenticator, when set, decides who every request comes from (see
	// Authenticator) and refuses, 401, those that prove nothing. nil
	// serves every request without a user, which the API server does not
	// authorize: only for tests and servers on a private loopback.
	Authenticator *Authenticator
	// Authorize asks the API server whether a request's user may do what
	// it asks (nil when allowed, else the answer to give); the relayed
	// pod subresources (log, exec, attach, portforward), which never reach
	// the API server, ask it here. nil allows them.
	Authorize Handle
	// CACert, when set, is served to anyone at GET /cacerts (the PEM a
	// joining machine checks against its join token's hash).
	CACert []byte
	// AuthorizeAttributes decides whether an authenticated user may
	// impersonate the user and groups its request names
	// (impersonate.go); nil refuses impersonation.
	AuthorizeAttributes AuthorizeAttributes
	// KubeletTLS is how the relay reaches kubelets: over HTTPS with the
	// API server's kubelet-client certificate, checking that the kubelet
	// holds its node's certificate (kubelettls.go). nil: plain HTTP.
	KubeletTLS *KubeletTLS
	// Audit, when set, records every request in the audit log (audit.go).
	Audit *Audit
	// Resources returns what the API server serves now: the built-in
	// kinds and the custom resources of its established definitions
	// ((*apiserver.Server).Resources). The edge asks it, on every request,
	// which kind a path names (custom resources travel as JSON only) and
	// which kinds the OpenAPI documents describe. nil: the built-in kinds.
	Resources func() *api.ResourceSet
	// BodyTimeout is how long a client has to send a request body
	// (readBody); 0 is DefaultBodyTimeout.
	BodyTimeout time.Duration
	// Metrics, when set, answers GET /metrics for the users the API
	// server authorizes to (metrics.go): the process' Prometheus metrics.
	Metrics http.Handler
}

// Handler serves h over HTTP. Pods' log and exec subresources, which need
// the pod's node, are relayed to that node's kubelet (see nodeProxy). Every
// request is authenticated first when opts has an Authenticator, and
// recorded in the audit log when opts has an Audit (audit.go).
func Handler(h Handle, opts Options) http.Handler {
	nodes := newNodeProxy(h, opts.KubeletTLS)
	resources := opts.Resources
	if resources == nil {
		resources = api.BuiltinResources
	}
	docs := &openAPIServer{version: "v1.0.0-tinykube", resources: resources}
	return withAudit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var user *rest.UserInfo
		if opts.Authenticator != nil {
			u, err := opts.Authenticator.Authenticate(r)
			if err != nil {
				writeStatus(w, err)
				return
			}
			auditUser(r, u)
			u, refused, err := impersonate(r, u, opts.AuthorizeAttributes)
			if err != nil {
				writeStatus(w, err)
				return
			}
			if refused != nil {
				writeResponse(w, refused)
				return
			}
			auditImpersonation(r, u)
			user = u
		}
		if r.URL.Path == "/cacerts" && opts.CACert != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			w.Header().Set("Content-Type", "application/x-pem-file")
			w.Write(opts.CACert)
			return
		}
		if docs.serve(w, r) || serveMetrics(w, r, user, opts) {
			return
		}
		if ns, name, sub, ok := podSubresource(r.URL.Path); ok {
			if resp := authorizeRelay(r, user, sub, opts.Authorize); resp != nil {
				writeResponse(w, resp)
				return
			}
			nodes.serve(w, r, ns, name, sub)
			return
		}
		body, err := readBody(w, r, opts.BodyTimeout)
		if err != nil {
			writeStatus(w, err)
			return
		}
		req := &rest.Request{
			Method:      r.Method,
			Path:        r.URL.Path,
			Query:       r.URL.Query(),
			ContentType: r.Header.Get("Content-Type"),
			Accept:      r.Header.Get("Accept"),
			UserAgent:   r.UserAgent(),
			Body:        body,
			User:        user,
		}
		res := pathResource(r.URL.Path, resources())
		enc := negotiate(r.Header.Get("Accept"), res)
		resp := decodeRequest(req, res)
		if resp == nil {
			resp = h(r.Context(), req)
		}
		auditAPI(r, req, resp)
		resp = encodeResponse(resp, enc)
		for _, warn := range resp.Warnings {
			w.Header().Add("Warning", `299 - `+strconv.Quote(warn))
		}
		if resp.Stream != nil {
			serveStream(w, r, resp.Stream, enc)
			return
		}
		if resp.ContentType != "" {
			w.Header().Set("Content-Type", resp.ContentType)
		}
		w.WriteHeader(resp.Code)
		w.Write(resp.Body)
	}), opts.Audit, opts.Authenticator == nil)
}

// authorizeRelay asks authorize whether user may use pod subresource sub
// as r asks: pods/log is read (get), exec, attach and portforward run
// something on the node and are create, whatever the HTTP method of the
// upgrade (as Kubernetes authorizes them). It returns the refusal, or nil;
// the decision's audit annotations go to r's audit event either way (an
// allowed answer is a Response without a Code carrying only them).
func authorizeRelay(r *http.Request, user *rest.UserInfo, sub string, authorize Handle) *rest.Response {
	if authorize == nil || user == nil {
		return nil
	}
	method := http.MethodPost
	if sub == "log" {
		method = http.MethodGet
	}
	resp := authorize(r.Context(), &rest.Request{Method: method, Path: r.URL.Path, Query: r.URL.Query(), User: user, UserAgent: r.UserAgent()})
	if resp == nil {
		return nil
	}
	auditAnnotate(r, resp.AuditAnnotations)
	if resp.Code == 0 {
		return nil
	}
	return resp
}

// writeResponse writes a whole (not streamed) response.
func writeResponse(w http.ResponseWriter, resp *rest.Response) {
	if resp.ContentType != "" {
		w.Header().Set("Content-Type", resp.ContentType)
	}
	w.WriteHeader(resp.Code)
	w.Write(resp.Body)
}

// serveStream writes watch events as enc frames them (one JSON object per
// line for JSON), flushing each, until the stream ends, the client goes
// away, or timeoutSeconds passes.
func serveStream(w http.ResponseWriter, r *http.Request, s rest.Stream, enc encoding) {
	defer s.Stop()
	w.Header().Set("Content-Type", enc.contentType())
	w.WriteHeader(http.StatusOK)
	// Send the headers now: the client's Watch call returns on them, and
	// the first event may be long in coming.
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	var timeout <-chan time.Time
	if v, err := strconv.Atoi(r.URL.Query().Get("timeoutSeconds")); err == nil && v > 0 {
		// A timeout of more seconds than a Duration holds is no timeout.
		t := time.NewTimer(time.Duration(min(v, math.MaxInt64/int(time.Second))) * time.Second)
		defer t.Stop()
		timeout = t.C
	}
	events := enc.events(w)
	for {
		wrote := false
		for {
			ev, ok := s.Next()
			if !ok {
				break
			}
			if err := events.write(ev); err != nil {
				return
			}
			wrote = true
		}
		if wrote && flusher != nil {
			flusher.Flush()
		}
		if s.Done() {
			return
		}
		select {
		case <-s.Ready():
		case <-r.Context().Done():
			return
		case <-timeout:
			return
		}
	}
}

// warningText extracts the text of a "299 - \"text\"" Warning header.
func warningText(h string) string {
	h = strings.TrimSpace(h)
	if i := strings.Index(h, `"`); i >= 0 {
		if s, err := strconv.Unquote(h[i:]); err == nil {
			return s
		}
	}
	return h
}
