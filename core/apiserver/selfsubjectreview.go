package apiserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// handleSelfSubjectReview answers POST selfsubjectreviews (kubectl auth
// whoami): the requester as the server authenticated it — name, uid,
// groups and extra — in status.userInfo (201). It is how a user finds out
// which identity a kubeconfig or a token really carries.
func (s *Server) handleSelfSubjectReview(ctx context.Context, t target, req *rest.Request) response {
	obj, warnings, err := decodeRequest(t, req)
	if err != nil {
		return fail(err, warnings...)
	}
	u := rest.UserFrom(ctx)
	if u == nil {
		return fail(errInternal(errors.New("no user present on request: an in-process caller has no identity to review")), warnings...)
	}
	r := obj.(*api.SelfSubjectReview)
	r.TypeMeta = api.TypeMeta{APIVersion: "authentication.k8s.io/v1", Kind: "SelfSubjectReview"}
	r.Status = api.SelfSubjectReviewStatus{UserInfo: apiUserInfo(u)}
	body, err := json.Marshal(r)
	if err != nil {
		return fail(errInternal(err))
	}
	return ok(http.StatusCreated, body, warnings)
}
