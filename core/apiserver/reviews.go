package apiserver

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/core/rest"
)

// The access reviews (authorization.k8s.io) ask the server's authorizer a
// question and return its answer in the review's status, storing nothing:
//
//	SelfSubjectAccessReview   may I do this?           kubectl auth can-i
//	SubjectAccessReview       may this user do this?   (components, webhooks)
//	LocalSubjectAccessReview  the same, in one namespace (a namespace's admin may ask)
//	SelfSubjectRulesReview    what may I do here?      kubectl auth can-i --list
//
// They are answered by the same chain that authorizes requests, so the
// answer is exactly what a request would meet. Being allowed to ask is a
// separate question, authorized like any create (system:basic-user lets
// everyone ask about themselves).

// handleSelfSubjectAccessReview answers for the requester.
func (s *Server) handleSelfSubjectAccessReview(ctx context.Context, t target, req *rest.Request) response {
	obj, warnings, err := decodeRequest(t, req)
	if err != nil {
		return fail(err, warnings...)
	}
	r := obj.(*api.SelfSubjectAccessReview)
	u := rest.UserFrom(ctx)
	if u == nil {
		return fail(errBadRequest("no user present on request"), warnings...)
	}
	a, errs := reviewAttributes(r.Spec.ResourceAttributes, r.Spec.NonResourceAttributes)
	if len(errs) > 0 {
		return fail(errInvalid(t.res, r.Name, errs), warnings...)
	}
	a.User = u
	r.Status = s.reviewDecision(ctx, a)
	return reviewed(r, warnings)
}

// handleSubjectAccessReview answers for the user the spec names.
func (s *Server) handleSubjectAccessReview(ctx context.Context, t target, req *rest.Request) response {
	obj, warnings, err := decodeRequest(t, req)
	if err != nil {
		return fail(err, warnings...)
	}
	r := obj.(*api.SubjectAccessReview)
	a, errs := subjectAttributes(r.Spec)
	if len(errs) > 0 {
		return fail(errInvalid(t.res, r.Name, errs), warnings...)
	}
	r.Status = s.reviewDecision(ctx, a)
	return reviewed(r, warnings)
}

// handleLocalSubjectAccessReview answers for the user the spec names, on
// a resource of the namespace the review is created in.
func (s *Server) handleLocalSubjectAccessReview(ctx context.Context, t target, req *rest.Request) response {
	if t.namespace == "" {
		return fail(errBadRequest("namespace is required on this type: localsubjectaccessreviews"))
	}
	obj, warnings, err := decodeRequest(t, req)
	if err != nil {
		return fail(err, warnings...)
	}
	r := obj.(*api.LocalSubjectAccessReview)
	switch {
	case r.Namespace == "":
		r.Namespace = t.namespace
	case r.Namespace != t.namespace:
		return fail(errBadRequest("the namespace of the provided object (%s) does not match the namespace sent on the request (%s)", r.Namespace, t.namespace), warnings...)
	}
	if r.Spec.NonResourceAttributes != nil {
		return fail(errInvalid(t.res, r.Name, api.FieldErrors{api.FieldInvalid("spec.nonResourceAttributes", r.Spec.NonResourceAttributes, "disallowed on this kind of request")}), warnings...)
	}
	a, errs := subjectAttributes(r.Spec)
	if len(errs) > 0 {
		return fail(errInvalid(t.res, r.Name, errs), warnings...)
	}
	if a.Namespace != t.namespace {
		return fail(errBadRequest("spec.resourceAttributes.namespace must match namespace: %s", t.namespace), warnings...)
	}
	r.Status = s.reviewDecision(ctx, a)
	return reviewed(r, warnings)
}

// handleSelfSubjectRulesReview lists what the requester may do in
// spec.namespace.
func (s *Server) handleSelfSubjectRulesReview(ctx context.Context, t target, req *rest.Request) response {
	obj, warnings, err := decodeRequest(t, req)
	if err != nil {
		return fail(err, warnings...)
	}
	r := obj.(*api.SelfSubjectRulesReview)
	u := rest.UserFrom(ctx)
	if u == nil {
		return fail(errBadRequest("no user present on request"), warnings...)
	}
	if r.Spec.Namespace == "" {
		return fail(errBadRequest("no namespace on request"), warnings...)
	}
	r.Status = s.rulesReview(u, r.Spec.Namespace)
	return reviewed(r, warnings)
}

// reviewAttributes turns a review's spec into the attributes to decide;
// exactly one of res and nonRes must be set.
func reviewAttributes(res *api.ResourceAttributes, nonRes *api.NonResourceAttributes) (authorizer.Attributes, api.FieldErrors) {
	switch {
	case (res == nil) == (nonRes == nil):
		return authorizer.Attributes{}, api.FieldErrors{api.FieldInvalid("spec.resourceAttributes", res,
			"exactly one of nonResourceAttributes or resourceAttributes must be specified")}
	case res != nil:
		return authorizer.Attributes{ResourceRequest: true, Verb: res.Verb, APIGroup: res.Group, APIVersion: res.Version,
			Resource: res.Resource, Subresource: res.Subresource, Namespace: res.Namespace, Name: res.Name}, nil
	}
	return authorizer.Attributes{Verb: nonRes.Verb, Path: nonRes.Path}, nil
}

// subjectAttributes is reviewAttributes for the user a spec names, which
// must have a name or a group.
func subjectAttributes(spec api.SubjectAccessReviewSpec) (authorizer.Attributes, api.FieldErrors) {
	a, errs := reviewAttributes(spec.ResourceAttributes, spec.NonResourceAttributes)
	if spec.User == "" && len(spec.Groups) == 0 {
		errs = append(errs, api.FieldInvalid("spec.user", spec.User, "at least one of user or group must be specified"))
	}
	a.User = &rest.UserInfo{Name: spec.User, UID: spec.UID, Groups: spec.Groups, Extra: spec.Extra}
	return a, errs
}

// reviewDecision asks the server's authorizer about a. Without one every
// request is allowed, and so is a.
func (s *Server) reviewDecision(ctx context.Context, a authorizer.Attributes) api.SubjectAccessReviewStatus {
	if s.authorizer == nil {
		return api.SubjectAccessReviewStatus{Allowed: true}
	}
	d, reason, err := s.authorizer.Authorize(ctx, a)
	st := api.SubjectAccessReviewStatus{Allowed: d == authorizer.Allow, Denied: d == authorizer.Deny, Reason: reason}
	if err != nil {
		st.EvaluationError = err.Error()
	}
	return st
}

// rulesReview lists u's rules in namespace as the built-in chain grants
// them: everything for system:masters (and when nothing is authorized),
// RBAC's rules for the others. The list is incomplete for a kubelet,
// whose requests the node authorizer decides object by object, and for a
// server with an authorizer of its own, which cannot list rules.
func (s *Server) rulesReview(u *rest.UserInfo, namespace string) api.SubjectRulesReviewStatus {
	st := api.SubjectRulesReviewStatus{ResourceRules: []api.ResourceRule{}, NonResourceRules: []api.NonResourceRule{}}
	all := func() {
		st.ResourceRules = append(st.ResourceRules, api.ResourceRule{Verbs: []string{rbac.All}, APIGroups: []string{rbac.All}, Resources: []string{rbac.All}})
		st.NonResourceRules = append(st.NonResourceRules, api.NonResourceRule{Verbs: []string{rbac.All}, NonResourceURLs: []string{rbac.All}})
	}
	switch {
	case s.authorizer == nil:
		all()
		return st
	case s.authz == nil:
		st.Incomplete, st.EvaluationError = true, "the server's authorizer does not list rules"
		return st
	case u.InGroup(auth.Masters):
		all()
	}
	if _, isNode := auth.NodeName(u); isNode {
		st.Incomplete, st.EvaluationError = true, "node authorizer does not support user rule resolution"
	}
	idx, ok := s.rbac.current(s)
	if !ok {
		st.Incomplete, st.EvaluationError = true, errRBACUnavailable.Error()
		return st
	}
	for _, r := range rbac.RulesFor(idx, u, namespace) {
		if len(r.Resources) > 0 || len(r.APIGroups) > 0 {
			st.ResourceRules = append(st.ResourceRules, api.ResourceRule{Verbs: r.Verbs, APIGroups: r.APIGroups, Resources: r.Resources, ResourceNames: r.ResourceNames})
		}
		if len(r.NonResourceURLs) > 0 {
			st.NonResourceRules = append(st.NonResourceRules, api.NonResourceRule{Verbs: r.Verbs, NonResourceURLs: r.NonResourceURLs})
		}
	}
	return st
}

// reviewed answers a review: 201 Created with the review and its status.
func reviewed(obj api.Object, warnings []string) response {
	api.SetTypeMeta(obj)
	body, err := json.Marshal(obj)
	if err != nil {
		return fail(errInternal(err), warnings...)
	}
	return ok(http.StatusCreated, body, warnings)
}
