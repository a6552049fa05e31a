package apiserver

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// handleTokenReview answers POST tokenreviews: is spec.token a good token
// for spec.audiences (the API's when empty), and whose? Another program
// that was shown a token asks this (a webhook, an aggregated server, a
// pod that serves its peers); the answer (201) is the review with
// status.authenticated, status.user and status.audiences, or
// status.error saying why not.
func (s *Server) handleTokenReview(ctx context.Context, t target, req *rest.Request) response {
	obj, warnings, err := decodeRequest(t, req)
	if err != nil {
		return fail(err, warnings...)
	}
	tr := obj.(*api.TokenReview)
	if tr.Namespace != "" {
		return fail(errBadRequest("namespace is not allowed on this type: %v", tr.Namespace), warnings...)
	}
	if tr.Spec.Token == "" {
		return fail(errBadRequest("token is required for TokenReview in authentication"), warnings...)
	}
	tr.TypeMeta = api.TypeMeta{APIVersion: "authentication.k8s.io/v1", Kind: "TokenReview"}
	tr.Status = api.TokenReviewStatus{}
	v, err := s.checkToken(ctx, tr.Spec.Token, tr.Spec.Audiences)
	switch {
	case err != nil:
		tr.Status.Error = "the token could not be checked: " + err.Error()
	case v.user == nil:
		tr.Status.Error = v.invalid
	default:
		tr.Status.Authenticated = true
		tr.Status.User = apiUserInfo(v.user)
		tr.Status.Audiences = v.audiences
	}
	body, err := json.Marshal(tr)
	if err != nil {
		return fail(errInternal(err))
	}
	return ok(http.StatusCreated, body, warnings)
}

// apiUserInfo shows u as the API does.
func apiUserInfo(u *rest.UserInfo) api.UserInfo {
	out := api.UserInfo{Username: u.Name, UID: u.UID, Groups: append([]string(nil), u.Groups...)}
	if len(u.Extra) > 0 {
		out.Extra = make(map[string][]string, len(u.Extra))
		for k, v := range u.Extra {
			out.Extra[k] = append([]string(nil), v...)
		}
	}
	return out
}
