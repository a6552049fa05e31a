package httpapi

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	coreaudit "github.com/tinykube/tinykube/core/audit"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
	realaudit "github.com/tinykube/tinykube/realnode/audit"
)

// The audit log at the edge. Every request gets an audit ID (returned in
// the Audit-ID header) and, once its user is known, the policy decides at
// which level it is recorded; the events go to Audit.Log at the stages
// Kubernetes writes them:
//
//	RequestReceived   after authentication, before anything is answered
//	ResponseStarted   long-running requests only (watch, exec, attach,
//	                  portforward, log): when the headers go out
//	ResponseComplete  when the handler returns
//	Panic             instead of ResponseComplete when it panics
//
// The user is the authenticated one and impersonatedUser whom it acted as
// (the policy matches the authenticated one, as Kubernetes'). The request
// and response bodies come from the API call itself (auditAPI), after
// protobuf was translated to JSON, so they are always JSON; failures the
// edge answers itself (401, a refused impersonation) are read from what
// was written.

// AuditLog receives the events: (*realnode/audit.Logger).Log.
type AuditLog interface {
	Log(ev *coreaudit.Event)
}

// Audit is Options.Audit: what the edge records and where.
type Audit struct {
	// Policy decides each request's level (nil records nothing).
	Policy *coreaudit.Policy
	Log    AuditLog
	// Now is the clock of the timestamps (nil: time.Now).
	Now func() time.Time
}

// maxAuditedBody bounds a body an event carries: a bigger one is left
// out and the event says so in an annotation. An audit log line is read
// by people and tools; megabytes of one object help neither.
const maxAuditedBody = 256 << 10

// annotationTruncated marks an event whose request or response body was
// left out for its size.
const annotationTruncated = "audit.tinykube.io/truncated"

// auditRecord is one request's audit state. The request's handler
// goroutine alone uses it.
type auditRecord struct {
	audit    *Audit
	r        *http.Request
	id       string
	received time.Time
	// user is the authenticated user, decided once it is known.
	user    *rest.UserInfo
	decided bool
	cfg     coreaudit.RequestConfig
	ev      *coreaudit.Event // nil: not recorded
	// longRunning requests get a ResponseStarted event.
	longRunning bool
	started     bool
	code        int
	// api holds the API call's request and response when there was one.
	apiReq  *rest.Request
	apiResp *rest.Response
	// written is the start of a failure the edge wrote itself (a Status).
	written []byte
	annot   map[string]string
}

type auditKey struct{}

// withAudit records every request h serves, as the comment above says.
// decideNow is for a handler without authentication: no user will be
// noted, so the policy is asked at once.
func withAudit(h http.Handler, a *Audit, decideNow bool) http.Handler {
	if a == nil || a.Log == nil || a.Policy == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &auditRecord{audit: a, r: r, id: auditID(r), received: a.now()}
		w.Header().Set(coreaudit.HeaderAuditID, rec.id)
		r = r.WithContext(context.WithValue(r.Context(), auditKey{}, rec))
		rec.r = r
		if decideNow {
			rec.decide(nil)
		}
		aw := &auditWriter{ResponseWriter: w, rec: rec}
		defer func() {
			if p := recover(); p != nil {
				rec.finish(coreaudit.StagePanic, p)
				panic(p)
			}
			rec.finish(coreaudit.StageResponseComplete, nil)
		}()
		h.ServeHTTP(aw, r)
	})
}

func (a *Audit) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// auditRecordOf returns r's record, nil when nothing is audited.
func auditRecordOf(r *http.Request) *auditRecord {
	rec, _ := r.Context().Value(auditKey{}).(*auditRecord)
	return rec
}

// auditUser notes the user r was authenticated as: the policy decides
// the request's level and its RequestReceived event is written.
func auditUser(r *http.Request, u *rest.UserInfo) {
	if rec := auditRecordOf(r); rec != nil {
		rec.decide(u)
	}
}

// auditImpersonation notes whom r acts as (nothing when u is the
// authenticated user itself).
func auditImpersonation(r *http.Request, u *rest.UserInfo) {
	if rec := auditRecordOf(r); rec != nil && rec.ev != nil && u != rec.user {
		rec.ev.SetImpersonated(u)
	}
}

// auditAPI notes the API call r became: its JSON request and its
// response (before encoding, so JSON too) with its audit annotations.
func auditAPI(r *http.Request, req *rest.Request, resp *rest.Response) {
	if rec := auditRecordOf(r); rec != nil {
		rec.apiReq, rec.apiResp = req, resp
		auditAnnotate(r, resp.AuditAnnotations)
	}
}

// auditAnnotate adds annotations to r's event.
func auditAnnotate(r *http.Request, annotations map[string]string) {
	rec := auditRecordOf(r)
	if rec == nil || len(annotations) == 0 {
		return
	}
	if rec.annot == nil {
		rec.annot = map[string]string{}
	}
	for k, v := range annotations {
		rec.annot[k] = v
	}
}

// decide asks the policy about the request as user u sends it and, when
// it is recorded, starts its event and writes RequestReceived. Only the
// first call decides.
func (rec *auditRecord) decide(u *rest.UserInfo) {
	if rec.decided {
		return
	}
	rec.decided, rec.user = true, u
	r := rec.r
	attrs := authorizer.AttributesFor(&rest.Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), User: u})
	rec.longRunning = longRunning(attrs)
	rec.cfg = rec.audit.Policy.Evaluate(attrs)
	if !rec.cfg.Level.AtLeast(coreaudit.LevelMetadata) {
		return
	}
	rec.ev = coreaudit.NewEvent(rec.cfg.Level, coreaudit.Request{
		AuditID: rec.id, Received: rec.received, URI: r.URL.RequestURI(),
		UserAgent: r.UserAgent(), SourceIPs: sourceIPs(r), Attributes: attrs,
	})
	rec.emit(coreaudit.StageRequestReceived)
}

// longRunning reports whether a request streams for as long as it lasts,
// as Kubernetes classifies them: watches and the pod subresources that
// relay a stream.
func longRunning(a authorizer.Attributes) bool {
	if a.Verb == "watch" {
		return true
	}
	switch a.Subresource {
	case "exec", "attach", "portforward", "log", "proxy":
		return true
	}
	return false
}

// emit writes the event at stage s, now, unless the policy omits s.
func (rec *auditRecord) emit(s coreaudit.Stage) {
	if rec.ev != nil && rec.cfg.Records(s) {
		rec.audit.Log.Log(rec.ev.At(s, rec.audit.now()))
	}
}

// responseStarted notes the code sent and, for a long-running request,
// writes ResponseStarted.
func (rec *auditRecord) responseStarted(code int) {
	if rec.code != 0 {
		return
	}
	rec.code = code
	if rec.longRunning && rec.ev != nil {
		rec.ev.SetResponse(code, nil, false)
		rec.started = true
		rec.emit(coreaudit.StageResponseStarted)
	}
}

// finish completes the event at stage s (ResponseComplete, or Panic with
// the panic's value).
func (rec *auditRecord) finish(s coreaudit.Stage, panicked any) {
	rec.decide(nil) // a request refused before authentication finished
	ev := rec.ev
	if ev == nil {
		return
	}
	omit := rec.cfg.OmitManagedFields
	if rec.apiReq != nil && len(rec.apiReq.Body) <= maxAuditedBody {
		ev.SetRequestObject(rec.apiReq.Body, omit)
	} else if rec.apiReq != nil {
		rec.annotate(annotationTruncated, "requestObject")
	}
	code := rec.code
	if code == 0 {
		// Nothing was written: the client went away first, as Kubernetes
		// records it.
		code = http.StatusOK
	}
	var body []byte
	switch {
	case rec.apiResp != nil && rec.apiResp.Stream == nil:
		body = rec.apiResp.Body
	case code >= 400:
		body = rec.written
	}
	if len(body) > maxAuditedBody {
		rec.annotate(annotationTruncated, "responseObject")
		body = nil
	}
	if s == coreaudit.StagePanic {
		ev.ResponseStatus = &coreaudit.ResponseStatus{Code: http.StatusInternalServerError, Status: "Failure",
			Reason: "InternalError", Message: fmt.Sprintf("APIServer panic'd: %v", panicked)}
	} else {
		ev.SetResponse(code, body, omit)
		if rec.longRunning && !rec.started {
			rec.emit(coreaudit.StageResponseStarted)
		}
	}
	ev.Annotate(rec.annot)
	rec.emit(s)
}

func (rec *auditRecord) annotate(k, v string) {
	if rec.annot == nil {
		rec.annot = map[string]string{}
	}
	if old, ok := rec.annot[k]; ok {
		v = old + "," + v
	}
	rec.annot[k] = v
}

// auditWriter notes the code of the answer and keeps the start of a
// failure's body. It passes Flush and Hijack through (watches flush,
// exec and attach hijack the connection).
type auditWriter struct {
	http.ResponseWriter
	rec *auditRecord
}

// maxWrittenStatus is how much of a failure written at the edge is kept
// to read its Status from.
const maxWrittenStatus = 16 << 10

func (w *auditWriter) WriteHeader(code int) {
	w.rec.responseStarted(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *auditWriter) Write(p []byte) (int, error) {
	w.rec.responseStarted(http.StatusOK)
	if w.rec.code >= 400 && len(w.rec.written) < maxWrittenStatus {
		w.rec.written = append(w.rec.written, p[:min(len(p), maxWrittenStatus-len(w.rec.written))]...)
	}
	return w.ResponseWriter.Write(p)
}

// Flush flushes the connection's writer when it can.
func (w *auditWriter) Flush() {
	w.rec.responseStarted(http.StatusOK)
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack hands the connection over (a protocol upgrade: 101).
func (w *auditWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.rec.responseStarted(http.StatusSwitchingProtocols)
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("the connection cannot be taken over (%T is no http.Hijacker)", w.ResponseWriter)
	}
	return h.Hijack()
}

// Unwrap is for http.ResponseController.
func (w *auditWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// auditID returns the request's audit ID: the client's Audit-ID when it
// sent a sensible one (Kubernetes takes any; this edge takes up to 64
// letters, digits, dashes, dots and underscores, so no header can bloat
// or break a log line), else a new random UUID.
func auditID(r *http.Request) string {
	if id := r.Header.Get(coreaudit.HeaderAuditID); id != "" && len(id) <= 64 && strings.Trim(id,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") == "" {
		return id
	}
	return realaudit.NewID()
}

// maxForwarded bounds the X-Forwarded-For addresses an event keeps.
const maxForwarded = 8

// sourceIPs returns where r came from, as Kubernetes lists it: the
// addresses of X-Forwarded-For (the first maxForwarded valid ones), then
// X-Real-Ip unless already listed, then the connection's own address,
// which is always last (unless it already is) and the only one a client
// cannot forge: the headers are whatever the client (or a proxy) wrote.
func sourceIPs(r *http.Request) []string {
	var ips []string
	has := func(ip string) bool {
		for _, have := range ips {
			if have == ip {
				return true
			}
		}
		return false
	}
	for _, part := range strings.Split(r.Header.Get("X-Forwarded-For"), ",") {
		if len(ips) == maxForwarded {
			break
		}
		if ip, err := netip.ParseAddr(strings.TrimSpace(part)); err == nil {
			ips = append(ips, ip.String())
		}
	}
	if ip, err := netip.ParseAddr(strings.TrimSpace(r.Header.Get("X-Real-Ip"))); err == nil && !has(ip.String()) {
		ips = append(ips, ip.String())
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if s := ip.Unmap().String(); len(ips) == 0 || ips[len(ips)-1] != s {
			ips = append(ips, s)
		}
	}
	return ips
}
