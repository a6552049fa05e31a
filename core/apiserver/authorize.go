package apiserver

import (
	"context"
	"fmt"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
)

// Kubernetes' keys and values of the authorization annotations an audit
// event carries.
const (
	auditDecisionKey = "authorization.k8s.io/decision"
	auditReasonKey   = "authorization.k8s.io/reason"
	auditAllow       = "allow"
	auditForbid      = "forbid"
	auditReasonError = "internal error"
)

// authorize asks the server's authorizer whether req's user may do what
// req asks. It returns the 403 to answer when not (nil when allowed), and
// the decision as audit annotations (authorization.k8s.io/decision: allow
// or forbid, authorization.k8s.io/reason: which binding allowed it, or
// why not); the refusal carries them too. A request without a user comes
// from inside the process and is not asked about (no annotations); the
// edge gives every outside request one.
func (s *Server) authorize(ctx context.Context, req *rest.Request) (refused *rest.Response, annotations map[string]string) {
	if s.authorizer == nil || req.User == nil {
		return nil, nil
	}
	return s.authorizeAttributes(ctx, authorizer.AttributesFor(req))
}

// AuthorizeAttributes asks the server's authorizer about a, and returns
// the answer to give when it is not allowed (nil when it is, or when the
// server authorizes nothing). The edge asks it directly about what is not
// a request path: impersonating a user or a group. A refusal carries the
// decision in its AuditAnnotations.
func (s *Server) AuthorizeAttributes(ctx context.Context, a authorizer.Attributes) *rest.Response {
	refused, _ := s.authorizeAttributes(ctx, a)
	return refused
}

// authorizeAttributes is AuthorizeAttributes with the decision's audit
// annotations, for an allowed request as well as a refused one.
func (s *Server) authorizeAttributes(ctx context.Context, a authorizer.Attributes) (refused *rest.Response, annotations map[string]string) {
	if s.authorizer == nil || a.User == nil {
		return nil, nil
	}
	d, reason, err := s.authorizer.Authorize(ctx, a)
	if d == authorizer.Allow {
		return nil, map[string]string{auditDecisionKey: auditAllow, auditReasonKey: reason}
	}
	if err != nil {
		// Nobody allowed it and an authorizer could not decide (its
		// rules were unreadable): that is the server's trouble, not a
		// verdict on the user, so the client is told to retry.
		annotations = map[string]string{auditReasonKey: auditReasonError}
		refused = errorResponse(api.NewStatusError(http.StatusServiceUnavailable, api.ReasonServiceUnavailable, nil,
			"the request could not be authorized now: %v; retry", err))
	} else {
		annotations = map[string]string{auditDecisionKey: auditForbid, auditReasonKey: reason}
		refused = errorResponse(errForbiddenRequest(a, reason))
	}
	refused.AuditAnnotations = annotations
	return refused, annotations
}

// withAuditAnnotations returns resp with annotations added to its
// AuditAnnotations (a key resp already has keeps its value). resp is
// copied, not changed: a response may be shared.
func withAuditAnnotations(resp *rest.Response, annotations map[string]string) *rest.Response {
	if resp == nil || len(annotations) == 0 {
		return resp
	}
	merged := make(map[string]string, len(resp.AuditAnnotations)+len(annotations))
	for k, v := range annotations {
		merged[k] = v
	}
	for k, v := range resp.AuditAnnotations {
		merged[k] = v
	}
	out := *resp
	out.AuditAnnotations = merged
	return &out
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
// the 403 to answer when req's user may not; when it may, a Response
// without a Code that carries only the decision's AuditAnnotations (nil
// when the server authorizes nothing), for the edge's audit event.
func (s *Server) Authorize(ctx context.Context, req *rest.Request) *rest.Response {
	refused, annotations := s.authorize(ctx, req)
	if refused != nil || annotations == nil {
		return refused
	}
	return &rest.Response{AuditAnnotations: annotations}
}
