package apiserver

import (
	"context"
	"errors"
	"fmt"

	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
)

// The built-in authorizer is Kubernetes' --authorization-mode=Node,RBAC
// behind the privileged group: a member of system:masters may do
// anything, and no rule can take that away (so an administrator cannot
// lock themselves out by breaking the roles); then each mode in turn,
// the first Allow winning. RBAC never denies: what no rule allows is
// refused because nobody allowed it.

// authorizationModes are the modes after system:masters, in order.
var authorizationModes = []struct {
	name  string
	build func(*Server) authorizer.Authorizer
}{
	// The node authorizer (nodeauthz.go) decides the kubelets' requests
	// by the pods bound to them; it has no opinion on anyone else's.
	{"Node", (*Server).nodeAuthorizer},
	{"RBAC", (*Server).rbacAuthorizer},
}

// newAuthorizer returns the authorizer of a server built from cfg:
// cfg.Authorizer when set, else the built-in chain when
// cfg.Authorization is set (telling Observe every decision), else nil
// (every request allowed).
func newAuthorizer(s *Server, cfg Config) authorizer.Authorizer {
	if cfg.Authorizer != nil {
		return cfg.Authorizer
	}
	if cfg.Authorization == nil {
		return nil
	}
	chain := authorizer.Union{authorizer.Func(privilegedGroup)}
	for _, m := range authorizationModes {
		chain = append(chain, m.build(s))
	}
	observe := cfg.Authorization.Observe
	if observe == nil {
		return chain
	}
	return authorizer.Func(func(ctx context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
		d, reason, err := chain.Authorize(ctx, a)
		// An undecided request (nobody allowed it and an authorizer
		// could not read its rules) is answered 503, not judged: it is
		// not a decision to observe.
		if d == authorizer.Allow || err == nil {
			observe(a, d, reason)
		}
		return d, reason, err
	})
}

// privilegedGroup allows every request of a member of system:masters and
// has no opinion on the others.
func privilegedGroup(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	if a.User != nil && a.User.InGroup(auth.Masters) {
		return authorizer.Allow, fmt.Sprintf("user %q is in the group %q", a.User.Name, auth.Masters), nil
	}
	return authorizer.NoOpinion, "", nil
}

// errRBACUnavailable is the failure of a decision when the RBAC objects
// could not be read (before the cache's first sync): the request is
// answered 503, and the message says why.
var errRBACUnavailable = errors.New("RBAC: the roles and bindings could not be read from the store; retry")

// rbacAuthorizer decides by the RBAC objects of the server's cache, with
// Authorization.Decide (rbac.Decide when nil). It allows or has no
// opinion; it never denies.
func (s *Server) rbacAuthorizer() authorizer.Authorizer {
	decide := rbac.Decide
	if s.authz != nil && s.authz.Decide != nil {
		decide = s.authz.Decide
	}
	return authorizer.Func(func(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
		src, ok := s.rbac.current(s)
		if !ok {
			return authorizer.NoOpinion, "", errRBACUnavailable
		}
		if allowed, reason := decide(src, a); allowed {
			return authorizer.Allow, reason, nil
		}
		return authorizer.NoOpinion, "", nil
	})
}
