package apiserver

import (
	"context"
	"net/http"

	"github.com/tinykube/tinykube/core/rest"
)

// Virtual kinds (api.Resource.Virtual) are questions a client creates and
// the server answers in the object's status without storing anything:
// TokenReview, SelfSubjectReview, the access reviews. Each kind has one
// handler here; a POST to its collection is the only request it takes.
var virtualHandlers = map[string]func(*Server, context.Context, target, *rest.Request) response{
	"TokenReview":              (*Server).handleTokenReview,
	"SelfSubjectReview":        (*Server).handleSelfSubjectReview,
	"SelfSubjectAccessReview":  (*Server).handleSelfSubjectAccessReview,
	"SubjectAccessReview":      (*Server).handleSubjectAccessReview,
	"LocalSubjectAccessReview": (*Server).handleLocalSubjectAccessReview,
	"SelfSubjectRulesReview":   (*Server).handleSelfSubjectRulesReview,
}

// handleVirtual answers a request on a virtual kind.
func (s *Server) handleVirtual(ctx context.Context, t target, req *rest.Request) response {
	if req.Method != http.MethodPost || t.name != "" || t.subresource != "" {
		return fail(errMethodNotAllowed(req.Method, req.Path))
	}
	h := virtualHandlers[t.res.Kind]
	if h == nil {
		return fail(errNotFoundPath(req.Path))
	}
	return h(s, ctx, t, req)
}
