package httpapi

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/rest"
)

// Handle is the transport-free API: (*apiserver.Server).Handle.
type Handle func(ctx context.Context, req *rest.Request) *rest.Response

// Handler serves h over HTTP. Pods' log and exec subresources, which need
// the pod's node, are relayed to that node's kubelet (see nodeProxy) over
// plain HTTP; HandlerWithKubeletTLS relays them over HTTPS.
func Handler(h Handle) http.Handler { return HandlerWithKubeletTLS(h, nil) }

// HandlerWithKubeletTLS is Handler reaching the kubelets as k says (nil:
// plain HTTP).
func HandlerWithKubeletTLS(h Handle, k *KubeletTLS) http.Handler {
	nodes := newNodeProxy(h, k)
	docs := &openAPIServer{version: "v1.0.0-tinykube"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if docs.serve(w, r) {
			return
		}
		if ns, name, sub, ok := podSubresource(r.URL.Path); ok {
			nodes.serve(w, r, ns, name, sub)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rest.MaxBodyBytes+1))
		if err != nil && len(body) <= rest.MaxBodyBytes {
			http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
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
		}
		res := pathResource(r.URL.Path)
		enc := negotiate(r.Header.Get("Accept"), res)
		resp := decodeRequest(req, res)
		if resp == nil {
			resp = h(r.Context(), req)
		}
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
	})
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
		t := time.NewTimer(time.Duration(v) * time.Second)
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
