package rest

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/tinykube/tinykube/core/api"
)

// Content types the API speaks.
const (
	ContentJSON           = "application/json"
	ContentMergePatch     = "application/merge-patch+json"
	ContentJSONPatch      = "application/json-patch+json"
	ContentStrategicPatch = "application/strategic-merge-patch+json"
	ContentApplyPatch     = "application/apply-patch+yaml"
	ContentText           = "text/plain; charset=utf-8"
)

// MaxBodyBytes caps a request body, as Kubernetes does (3 MiB).
const MaxBodyBytes = 3 << 20

// Request is one API call.
type Request struct {
	Method      string // GET, POST, PUT, PATCH, DELETE
	Path        string // "/api/v1/namespaces/default/pods/web"
	Query       url.Values
	ContentType string // of Body; decides the patch format for PATCH
	// Accept is the client's Accept header. The API server reads it to
	// answer a get, list or watch as a Table, and /api and /apis as the
	// aggregated discovery document; the body's encoding is the HTTP
	// edge's business.
	Accept string
	// UserAgent names the client program ("kubectl/v1.32.4 …"). A write
	// that names no fieldManager is recorded in managedFields under the
	// part before the first "/".
	UserAgent string
	// User is who sent the request, as the edge authenticated them (a
	// client certificate, a bearer token) or as the simulator names its
	// processes. nil means the request comes from inside the process
	// (a test, the server's own bootstrap) and is not authorized at all;
	// a request from outside always carries a user, system:anonymous
	// when it proved nothing.
	User *UserInfo
	Body []byte
}

// UserInfo is an authenticated user: a name, a uid, the groups it is in
// and extra attributes (a ServiceAccount token's pod, for one). Roles are
// granted to names and groups.
type UserInfo struct {
	Name   string
	UID    string
	Groups []string
	Extra  map[string][]string
}

// InGroup reports whether u is in group g.
func (u *UserInfo) InGroup(g string) bool {
	for _, have := range u.Groups {
		if have == g {
			return true
		}
	}
	return false
}

// Response is the API server's answer. For a watch, Stream is set and Body
// is empty: the events follow on the stream.
type Response struct {
	Code        int
	ContentType string
	Body        []byte
	// Warnings are shown to the user (HTTP "Warning: 299 - ..." headers).
	Warnings []string
	// AuditAnnotations are what the request's handling wants written in
	// its audit event (the edge's audit log, realnode/audit), keyed as
	// Kubernetes keys them: "pod-security.kubernetes.io/audit-violations",
	// "authorization.k8s.io/decision" … Never shown to the client.
	AuditAnnotations map[string]string
	Stream           Stream
}

// WatchEvent is one event of a watch, in Kubernetes' wire format:
// {"type":"ADDED","object":{...}}. Type is ADDED, MODIFIED, DELETED, BOOKMARK
// or ERROR (then Object is a Status).
//
// Decoded, when set, is Object already decoded — exactly what decoding
// Object as the watched kind gives — by an API server that shares decoded
// objects with in-process receivers (apiserver.Config.ShareDecoded: the
// simulator). Every receiver of the event gets the same object, so it is
// immutable: read it, DeepCopy it before changing anything. It never
// crosses a real network (no JSON name).
type WatchEvent struct {
	Type    string          `json:"type"`
	Object  json.RawMessage `json:"object"`
	Decoded api.Object      `json:"-"`
}

// The watch event types.
const (
	Added    = "ADDED"
	Modified = "MODIFIED"
	Deleted  = "DELETED"
	Bookmark = "BOOKMARK"
	Error    = "ERROR"
)

// Stream is an ordered sequence of watch events. Like store.Watcher it can
// be drained without blocking (the simulator) or waited on (goroutines).
type Stream interface {
	// Next returns the next event, or ok=false when none is ready now.
	Next() (ev WatchEvent, ok bool)
	// Ready is signalled when events arrive or the stream ends.
	Ready() <-chan struct{}
	// Done reports that the stream has ended and every event was returned.
	Done() bool
	// Stop ends the stream; safe to call twice.
	Stop()
}

type userKey struct{}

// WithUser returns ctx carrying u, so that admission and the handlers
// below the API server's entry know who asks.
func WithUser(ctx context.Context, u *UserInfo) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the user ctx carries, or nil (an in-process caller).
func UserFrom(ctx context.Context) *UserInfo {
	u, _ := ctx.Value(userKey{}).(*UserInfo)
	return u
}
