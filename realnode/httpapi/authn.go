package httpapi

import (
	"context"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/rest"
)

// Authenticator decides who an HTTP request comes from, as Kubernetes'
// authentication chain does, before anything else looks at it:
//
//  1. a client certificate the TLS handshake verified against the
//     cluster CA: the user is its Common Name, the groups its
//     Organizations (plus system:authenticated);
//  2. "Authorization: Bearer T": the cluster's own server secret (the part
//     after :: of DATA_DIR/token) is system:bootstrap:tinykube-server;
//     any other token goes to Token (ServiceAccount tokens, bootstrap
//     tokens); a token nobody recognises is refused, never taken for
//     anonymous;
//  3. nothing at all: system:anonymous, let through only to the health
//     and version paths and /cacerts; anything else is 401.
//
// Authentication only says who; what they may do is the authorizer's
// question, asked by the API server.
type Authenticator struct {
	// ServerSecret is the server join secret ("server:<hex>"); "" accepts
	// none.
	ServerSecret string
	// Token authenticates any other bearer token: ok false means the
	// token is not valid (401). nil accepts no other token.
	Token func(ctx context.Context, token string) (*rest.UserInfo, bool, error)
}

// ServerSecretUser is who the server secret authenticates as: a
// bootstrapper, which may join machines to the cluster.
const ServerSecretUser = "system:bootstrap:tinykube-server"

// anonymousPaths are what a request without credentials may ask for.
var anonymousPaths = map[string]bool{"/healthz": true, "/livez": true, "/readyz": true, "/version": true, "/cacerts": true}

// Authenticate returns who r comes from. A request without credentials
// is system:anonymous when it asks for an anonymous path; otherwise, and
// for credentials that prove nothing, the answer is a 401 Status error.
func (a *Authenticator) Authenticate(r *http.Request) (*rest.UserInfo, error) {
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 && len(r.TLS.PeerCertificates) > 0 {
		subj := r.TLS.PeerCertificates[0].Subject
		if subj.CommonName == "" {
			return nil, errUnauthorized()
		}
		groups := append([]string(nil), subj.Organization...)
		if !slices.Contains(groups, auth.AllAuthenticated) {
			groups = append(groups, auth.AllAuthenticated)
		}
		return &rest.UserInfo{Name: subj.CommonName, Groups: groups}, nil
	}
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := cutBearer(h)
		if !ok {
			return nil, errUnauthorized()
		}
		if a.ServerSecret != "" && subtle.ConstantTimeCompare([]byte(token), []byte(a.ServerSecret)) == 1 {
			return &rest.UserInfo{Name: ServerSecretUser, Groups: []string{auth.Bootstrappers, auth.AllAuthenticated}}, nil
		}
		if a.Token == nil {
			return nil, errUnauthorized()
		}
		u, ok, err := a.Token(r.Context(), token)
		if err != nil || !ok || u == nil {
			return nil, errUnauthorized()
		}
		return u, nil
	}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && anonymous(r.URL.Path) {
		return auth.AnonymousUser(), nil
	}
	return nil, errUnauthorized()
}

// anonymous reports whether path may be asked for without credentials:
// the health and version paths (and their sub-checks, /livez/ping) and
// the CA certificate.
func anonymous(path string) bool {
	if anonymousPaths[path] {
		return true
	}
	for _, p := range []string{"/healthz/", "/livez/", "/readyz/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// cutBearer returns the token of an "Authorization: Bearer T" header (the
// scheme is case-insensitive, as RFC 6750 has it).
func cutBearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	token = strings.TrimSpace(token)
	return token, ok && strings.EqualFold(scheme, "Bearer") && token != ""
}

// errUnauthorized is the answer to a request whose credentials prove
// nothing, worded as Kubernetes words it.
func errUnauthorized() error {
	return api.NewStatusError(http.StatusUnauthorized, api.ReasonUnauthorized, nil, "Unauthorized")
}
