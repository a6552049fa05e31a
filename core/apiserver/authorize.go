package apiserver

import (
	"context"
	"fmt"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
)

// authorize asks the server's authorizer whether req's user may do what
// req asks, and returns the 403 to answer when not (nil when allowed).
// A request without a user comes from inside the process and is not
// asked about; the edge gives every outside request one.
func (s *Server) authorize(ctx context.Context, req *rest.Request) *rest.Response {
	if s.authorizer == nil || req.User == nil {
		return nil
	}
	return s.AuthorizeAttributes(ctx, authorizer.AttributesFor(req))
}

// AuthorizeAttributes asks the server's authorizer about a, and returns
// the answer to give when it is not allowed (nil when it is, or when the
// server authorizes nothing). The edge asks it directly about what is not
// a request path: impersonating a user or a group.
func (s *Server) AuthorizeAttributes(ctx context.Context, a authorizer.Attributes) *rest.Response {
	if s.authorizer == nil || a.User == nil {
		return nil
	}
	d, reason, err := s.authorizer.Authorize(ctx, a)
	if d == authorizer.Allow {
		return nil
	}
	if err != nil {
		// Nobody allowed it and an authorizer could not decide (its
		// rules were unreadable): that is the server's trouble, not a
		// verdict on the user, so the client is told to retry.
		return errorResponse(api.NewStatusError(http.StatusServiceUnavailable, api.ReasonServiceUnavailable, nil,
			"the request could not be authorized now: %v; retry", err))
	}
	return errorResponse(errForbiddenRequest(a, reason))
}

// errForbiddenRequest words a denial as Kubernetes does:
//
//	pods "web" is forbidden: User "jane" cannot get resource "pods" in API group "" in the namespace "dev"
//	forbidden: User "system:anonymous" cannot get path "/metrics"
func errForbiddenRequest(a authorizer.Attributes, reason string) error {
	name := "<none>"
	if a.User != nil {
		name = a.User.Name
	}
	var msg string
	var details *api.StatusDetails
	if !a.ResourceRequest {
		msg = fmt.Sprintf("forbidden: User %q cannot %s path %q", name, a.Verb, a.Path)
	} else {
		subject := a.Resource
		if a.APIGroup != "" {
			subject += "." + a.APIGroup
		}
		if a.Name != "" {
			subject += fmt.Sprintf(" %q", a.Name)
		}
		scope := "at the cluster scope"
		if a.Namespace != "" {
			scope = fmt.Sprintf("in the namespace %q", a.Namespace)
		}
		msg = fmt.Sprintf("%s is forbidden: User %q cannot %s resource %q in API group %q %s",
			subject, name, a.Verb, a.ResourceString(), a.APIGroup, scope)
		details = &api.StatusDetails{Name: a.Name, Group: a.APIGroup, Kind: a.Resource}
	}
	if reason != "" {
		msg += ": " + reason
	}
	return api.NewStatusError(http.StatusForbidden, api.ReasonForbidden, details, "%s", msg)
}

// Authorize is authorize for the HTTP edge: requests that never reach
// Handle (the pod subresources relayed to kubelets: log, exec, attach,
// portforward) are authorized here before they are relayed. It returns
// nil when req's user may, else the 403 to answer.
func (s *Server) Authorize(ctx context.Context, req *rest.Request) *rest.Response {
	return s.authorize(ctx, req)
}
