package apiserver

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
)

// The constructors below word their messages as Kubernetes does, so that
// people and tools that know Kubernetes recognise them.

func details(res *api.Resource, name string) *api.StatusDetails {
	return &api.StatusDetails{Name: name, Group: res.Group, Kind: res.Plural}
}

func errNotFound(res *api.Resource, name string) error {
	return api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, details(res, name),
		"%s %q not found", res.GroupResource(), name)
}

func errNotFoundPath(path string) error {
	return api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil,
		"the server could not find the requested resource (%s)", path)
}

func errAlreadyExists(res *api.Resource, name string) error {
	return api.NewStatusError(http.StatusConflict, api.ReasonAlreadyExists, details(res, name),
		"%s %q already exists", res.GroupResource(), name)
}

func errConflict(res *api.Resource, name, why string) error {
	return api.NewStatusError(http.StatusConflict, api.ReasonConflict, details(res, name),
		"Operation cannot be fulfilled on %s %q: %s", res.GroupResource(), name, why)
}

const modifiedSince = "the object has been modified; please apply your changes to the latest version and try again"

func errBadRequest(format string, args ...any) error {
	return api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil, format, args...)
}

func errMethodNotAllowed(method, path string) error {
	return api.NewStatusError(http.StatusMethodNotAllowed, api.ReasonMethodNotAllowed, nil,
		"the server does not allow this method on the requested resource (%s %s)", method, path)
}

func errForbidden(res *api.Resource, name, why string) error {
	return api.NewStatusError(http.StatusForbidden, api.ReasonForbidden, details(res, name),
		"%s %q is forbidden: %s", res.GroupResource(), name, why)
}

func errExpired(format string, args ...any) error {
	return api.NewStatusError(http.StatusGone, api.ReasonExpired, nil, format, args...)
}

// errTooLarge refuses a request body of n bytes, over maxBody, in
// Kubernetes' words ("Request entity too large: limit is 3145728").
func errTooLarge(n int) error {
	return api.NewStatusError(http.StatusRequestEntityTooLarge, api.ReasonRequestEntityTooLarge, nil,
		"Request entity too large: limit is %d (the body has %d bytes)", maxBody, n)
}

// errObjectTooLarge refuses a write whose object, encoded, is larger than
// the store keeps (store.MaxValueBytes, etcd's --max-request-bytes).
func errObjectTooLarge(e *store.TooLargeError) error {
	limit := "the etcd server's --max-request-bytes"
	if e.Limit > 0 {
		limit = fmt.Sprintf("limit is %d", e.Limit)
	}
	return api.NewStatusError(http.StatusRequestEntityTooLarge, api.ReasonRequestEntityTooLarge, nil,
		"Request entity too large: the object is %d bytes once encoded, and the store's %s: keep large data out of API objects (in a volume or an image), or split it", e.Size, limit)
}

func errUnsupportedMediaType(ct string) error {
	return api.NewStatusError(http.StatusUnsupportedMediaType, api.ReasonUnsupportedMediaType, nil,
		"the body of the request was in an unknown format %q: accepted media types include application/json, application/merge-patch+json, application/json-patch+json and application/strategic-merge-patch+json", ct)
}

func errTimeout(format string, args ...any) error {
	return api.NewStatusError(http.StatusGatewayTimeout, api.ReasonTimeout, nil, format, args...)
}

func errInternal(err error) error {
	return api.NewStatusError(http.StatusInternalServerError, api.ReasonInternalError, nil,
		"Internal error occurred: %v", err)
}

// errInvalid reports validation failures, one cause per field, worded
// `Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: ...]`.
func errInvalid(res *api.Resource, name string, errs api.FieldErrors) error {
	d := details(res, name)
	d.Kind = res.Kind
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
		d.Causes = append(d.Causes, api.StatusCause{Type: string(e.Type), Message: e.ErrorBody(), Field: e.Field})
	}
	joined := msgs[0]
	if len(msgs) > 1 {
		joined = "[" + strings.Join(msgs, ", ") + "]"
	}
	kind := res.Kind
	if res.Group != "" {
		kind += "." + res.Group
	}
	return api.NewStatusError(http.StatusUnprocessableEntity, api.ReasonInvalid, d,
		"%s %q is invalid: %s", kind, name, joined)
}

// errStrict reports what strict field validation refuses (as
// api.FieldReport.Refused words it), all in one message as Kubernetes
// does: `strict decoding error: unknown field "spec.foo", duplicate field
// "spec.replicas"`.
func errStrict(refused []string) error {
	return api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil,
		"strict decoding error: %s", strings.Join(refused, ", "))
}

// errNoNodes answers pods/log and pods/exec, which need the pod's node:
// realnode/httpapi relays them to the node's kubelet before they get here.
func errNoNodes(sub string) error {
	return api.NewStatusError(http.StatusServiceUnavailable, api.ReasonServiceUnavailable, nil,
		"pods/%s is relayed to the pod's node by the HTTP API server; this in-process API server reaches no nodes", sub)
}
