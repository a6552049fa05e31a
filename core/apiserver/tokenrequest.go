package apiserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/serviceaccount"
	"github.com/tinykube/tinykube/core/rest"
)

// Token lifetimes a TokenRequest may ask for, in seconds.
const (
	// DefaultTokenSeconds is the lifetime of a token whose request names
	// none (kubectl create token without --duration).
	DefaultTokenSeconds = 3600
	// MinTokenSeconds is the shortest lifetime accepted: a shorter token
	// would have its holder asking for a new one all the time.
	MinTokenSeconds = 600
	// MaxTokenSeconds caps a lifetime (longer requests get this one), as
	// Kubernetes' --service-account-max-token-expiration does: a stolen
	// token is good for two days at most.
	MaxTokenSeconds = 48 * 3600
)

// tokenRequestResource describes the TokenRequest kind for error messages;
// it is a subresource's body, not a resource of its own.
var tokenRequestResource = &api.Resource{Group: "authentication.k8s.io", Version: "v1", Kind: "TokenRequest", Plural: "tokenrequests", Singular: "tokenrequest"}

// handleTokenRequest answers POST serviceaccounts/{name}/token: sign a
// token for the ServiceAccount, for the audiences and lifetime asked
// (the API's audiences and an hour by default), optionally bound to a Pod
// or a Secret of the same namespace, whose deletion then ends the token.
// The answer (201) is the TokenRequest with status.token set. A dry run
// checks everything and signs nothing.
func (s *Server) handleTokenRequest(ctx context.Context, t target, req *rest.Request) response {
	if req.Method != http.MethodPost {
		return fail(errMethodNotAllowed(req.Method, req.Path))
	}
	if s.saKeys == nil || len(s.saKeys.Signing) == 0 {
		return fail(api.NewStatusError(http.StatusServiceUnavailable, api.ReasonServiceUnavailable, nil,
			"this API server has no service account signing key, so it cannot issue tokens (serviceaccounts/token); configure ServiceAccountKeys"))
	}
	if err := checkContentType(req.ContentType); err != nil {
		return fail(err)
	}
	var tr api.TokenRequest
	if err := json.Unmarshal(req.Body, &tr); err != nil {
		return fail(errBadRequest("the request body is not a valid TokenRequest: %v", jsonErrorText(err)))
	}
	if tr.Name != "" && tr.Name != t.name {
		return fail(errBadRequest("name in URL does not match name in TokenRequest object"))
	}
	if tr.Namespace != "" && tr.Namespace != t.namespace {
		return fail(errBadRequest("namespace in URL does not match namespace in TokenRequest object"))
	}
	obj, _, err := s.read(ctx, t.res, t.namespace, t.name)
	if err != nil {
		return fail(err)
	}
	sa := obj.(*api.ServiceAccount)
	spec := &tr.Spec
	if len(spec.Audiences) == 0 {
		spec.Audiences = append([]string(nil), s.saKeys.Audiences...)
	}
	if spec.ExpirationSeconds == nil {
		e := int64(DefaultTokenSeconds)
		spec.ExpirationSeconds = &e
	}
	if errs := validateTokenRequest(spec); len(errs) > 0 {
		return fail(errInvalid(tokenRequestResource, t.name, errs))
	}
	if *spec.ExpirationSeconds > MaxTokenSeconds {
		*spec.ExpirationSeconds = MaxTokenSeconds
	}
	now := s.clock.Now()
	claims := serviceaccount.Claims{
		Issuer:    s.saKeys.Issuer,
		Subject:   auth.ServiceAccountUserName(sa.Namespace, sa.Name),
		Audience:  spec.Audiences,
		IssuedAt:  now.Unix(),
		NotBefore: now.Unix(),
		Expiry:    now.Unix() + *spec.ExpirationSeconds,
		ID:        s.newUID(),
		Kubernetes: serviceaccount.PrivateClaims{
			Namespace:      sa.Namespace,
			ServiceAccount: serviceaccount.Ref{Name: sa.Name, UID: sa.UID},
		},
	}
	if ref := spec.BoundObjectRef; ref != nil {
		if err := s.bindToken(ctx, sa, ref, &claims.Kubernetes); err != nil {
			return fail(err)
		}
	}
	out := api.TokenRequest{
		TypeMeta:   api.TypeMeta{APIVersion: "authentication.k8s.io/v1", Kind: "TokenRequest"},
		ObjectMeta: api.ObjectMeta{Name: sa.Name, Namespace: sa.Namespace},
		Spec:       *spec,
		Status:     api.TokenRequestStatus{ExpirationTimestamp: *api.NewTime(time.Unix(claims.Expiry, 0))},
	}
	if !isDryRun(req) {
		if out.Status.Token, err = serviceaccount.Issue(s.saKeys, claims); err != nil {
			return fail(errInternal(err))
		}
	}
	body, err := json.Marshal(out)
	if err != nil {
		return fail(errInternal(err))
	}
	return ok(http.StatusCreated, body, nil)
}

// validateTokenRequest checks a defaulted TokenRequest spec as Kubernetes
// does.
func validateTokenRequest(spec *api.TokenRequestSpec) api.FieldErrors {
	var errs api.FieldErrors
	if e := *spec.ExpirationSeconds; e < MinTokenSeconds {
		errs = append(errs, api.FieldInvalid("spec.expirationSeconds", e, "may not specify a duration less than 10 minutes"))
	} else if e > 1<<32 {
		errs = append(errs, api.FieldInvalid("spec.expirationSeconds", e, "may not specify a duration larger than 2^32 seconds"))
	}
	for i, a := range spec.Audiences {
		if a == "" {
			errs = append(errs, api.FieldInvalid(fmt.Sprintf("spec.audiences[%d]", i), a, "audiences may not be empty"))
		}
	}
	return errs
}

// bindToken checks the object ref binds a token of sa to and records it
// in k: a Pod (running as sa; its node is recorded too, for the node
// authorizer) or a Secret, of sa's namespace, with ref's uid when it
// names one.
func (s *Server) bindToken(ctx context.Context, sa *api.ServiceAccount, ref *api.BoundObjectReference, k *serviceaccount.PrivateClaims) error {
	var plural string
	switch {
	case ref.Kind == "Pod" && (ref.APIVersion == "" || ref.APIVersion == "v1"):
		plural = "pods"
	case ref.Kind == "Secret" && (ref.APIVersion == "" || ref.APIVersion == "v1"):
		plural = "secrets"
	default:
		return errBadRequest("cannot bind a token to a %s %s: spec.boundObjectRef must name a v1 Pod or Secret", ref.APIVersion, ref.Kind)
	}
	if ref.Name == "" {
		return errInvalid(tokenRequestResource, sa.Name, api.FieldErrors{api.FieldRequired("spec.boundObjectRef.name", "")})
	}
	obj, _, err := s.read(ctx, api.ResourceByPlural("", plural), sa.Namespace, ref.Name)
	if err != nil {
		return err
	}
	meta := obj.GetObjectMeta()
	if ref.UID != "" && ref.UID != meta.UID {
		return api.NewStatusError(http.StatusConflict, api.ReasonConflict, details(api.ResourceByPlural("", plural), ref.Name),
			"the UID in the bound object reference (%s) does not match the UID in record. The object might have been deleted and then recreated", ref.UID)
	}
	bound := &serviceaccount.Ref{Name: meta.Name, UID: meta.UID}
	pod, isPod := obj.(*api.Pod)
	if !isPod {
		k.Secret = bound
		return nil
	}
	if pod.Spec.ServiceAccountName != sa.Name {
		return errBadRequest("cannot bind a token of serviceaccount %q to pod %q, which runs as serviceaccount %q", sa.Name, pod.Name, pod.Spec.ServiceAccountName)
	}
	k.Pod = bound
	if n := pod.Spec.NodeName; n != "" {
		k.Node = &serviceaccount.Ref{Name: n}
		if node, _, err := s.read(ctx, api.ResourceByPlural("", "nodes"), "", n); err == nil {
			k.Node.UID = node.GetObjectMeta().UID
		} else if !api.IsNotFound(err) {
			return err
		}
	}
	return nil
}
