package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
)

// Impersonation: a client may ask to act as another user (kubectl --as,
// --as-group; client-go's rest.Config.Impersonate) with the headers
// Impersonate-User, Impersonate-Group, Impersonate-Uid and
// Impersonate-Extra-KEY. Each part is authorized as the verb
// "impersonate" on users (or serviceaccounts), groups, uids and
// userextras, as Kubernetes does; only when every part is allowed does
// the request go on as the impersonated user. A server that ignored the
// headers would answer `kubectl auth can-i --as bob` about the caller.

const (
	headerImpersonateUser  = "Impersonate-User"
	headerImpersonateGroup = "Impersonate-Group"
	headerImpersonateUID   = "Impersonate-Uid"
	headerImpersonateExtra = "Impersonate-Extra-"
)

// AuthorizeAttributes asks the API server's authorizer about a, answering
// nil when it is allowed: (*apiserver.Server).AuthorizeAttributes.
type AuthorizeAttributes func(ctx context.Context, a authorizer.Attributes) *rest.Response

// impersonate returns the user r asks to act as, or user itself when r
// asks for nobody. It fails with a 400 for groups, a uid or extras
// without a user, and answers (refused set) the authorizer's refusal of a
// part the caller may not impersonate.
func impersonate(r *http.Request, user *rest.UserInfo, authorize AuthorizeAttributes) (_ *rest.UserInfo, refused *rest.Response, err error) {
	name := r.Header.Get(headerImpersonateUser)
	groups := r.Header.Values(headerImpersonateGroup)
	uid := r.Header.Get(headerImpersonateUID)
	extra := map[string][]string{}
	for h, vs := range r.Header {
		if k, ok := strings.CutPrefix(h, headerImpersonateExtra); ok {
			key, err := url.PathUnescape(k)
			if err != nil {
				key = k
			}
			extra[strings.ToLower(key)] = vs
		}
	}
	if name == "" {
		if len(groups) > 0 || uid != "" || len(extra) > 0 {
			return nil, nil, api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil,
				"impersonating groups, a uid or extras needs %s as well (kubectl: --as with --as-group)", headerImpersonateUser)
		}
		return user, nil, nil
	}
	if user == nil || authorize == nil {
		return nil, nil, api.NewStatusError(http.StatusForbidden, api.ReasonForbidden, nil,
			"impersonation is not available on this server")
	}
	// What to ask: each part, as the verb impersonate.
	ask := func(group, resource, sub, namespace, objName string) authorizer.Attributes {
		return authorizer.Attributes{User: user, Verb: "impersonate", ResourceRequest: true, APIGroup: group,
			Resource: resource, Subresource: sub, Namespace: namespace, Name: objName}
	}
	var parts []authorizer.Attributes
	saNamespace, saName, isSA := auth.ServiceAccountOf(name)
	if isSA {
		parts = append(parts, ask("", "serviceaccounts", "", saNamespace, saName))
	} else {
		parts = append(parts, ask("", "users", "", "", name))
	}
	for _, g := range groups {
		parts = append(parts, ask("", "groups", "", "", g))
	}
	if uid != "" {
		parts = append(parts, ask("authentication.k8s.io", "uids", "", "", uid))
	}
	for _, k := range sortedKeys(extra) {
		for _, v := range extra[k] {
			parts = append(parts, ask("authentication.k8s.io", "userextras", k, "", v))
		}
	}
	for _, a := range parts {
		if resp := authorize(r.Context(), a); resp != nil {
			return nil, resp, nil
		}
	}
	out := &rest.UserInfo{Name: name, UID: uid, Groups: groups}
	if len(extra) > 0 {
		out.Extra = extra
	}
	if isSA && len(groups) == 0 {
		out.Groups = auth.ServiceAccountGroups(saNamespace)
	}
	if name != auth.Anonymous && !slices.Contains(out.Groups, auth.AllAuthenticated) {
		out.Groups = append(slices.Clone(out.Groups), auth.AllAuthenticated)
	}
	return out, nil, nil
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
