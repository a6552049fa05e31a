package apiserver

import (
	"context"
	"crypto/subtle"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/serviceaccount"
	"github.com/tinykube/tinykube/core/rest"
)

// Bearer tokens. The HTTP edge authenticates client certificates itself
// (it holds the CA); for a bearer token it asks AuthenticateToken, since
// whether a token is good depends on objects in the store: a
// ServiceAccount token names its account and pod, which must still exist
// with the uids it carries, and a bootstrap token is a Secret.

// The user extra keys Kubernetes gives a ServiceAccount token's user, so
// the node authorizer and audit logs know which pod and which token.
const (
	ExtraPodName      = "authentication.kubernetes.io/pod-name"
	ExtraPodUID       = "authentication.kubernetes.io/pod-uid"
	ExtraNodeName     = "authentication.kubernetes.io/node-name"
	ExtraNodeUID      = "authentication.kubernetes.io/node-uid"
	ExtraCredentialID = "authentication.kubernetes.io/credential-id"
)

// Bootstrap tokens, as Kubernetes stores them.
const (
	BootstrapTokenSecretType   = "bootstrap.kubernetes.io/token"
	BootstrapTokenSecretPrefix = "bootstrap-token-"
	bootstrapTokenNamespace    = "kube-system"
)

var (
	bootstrapTokenPattern = regexp.MustCompile(`^([a-z0-9]{6})\.([a-z0-9]{16})$`)
	bootstrapGroupPattern = regexp.MustCompile(`^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$`)
)

// deletedObjectLeeway is how long past its deletion deadline a bound
// object still vouches for its tokens. A pod being deleted gracefully is
// still running until its deadline and may need the API to shut down
// cleanly; one held past it by a finalizer is not, and its token dies a
// minute later (Kubernetes draws the same line).
const deletedObjectLeeway = 60 * time.Second

// tokenVerdict is what checking a token found: the user and the
// audiences it is good for, or why it is no good.
type tokenVerdict struct {
	user      *rest.UserInfo
	audiences []string
	invalid   string // why the token is refused; "" when user is set
}

func refused(format string, args ...any) tokenVerdict {
	return tokenVerdict{invalid: fmt.Sprintf(format, args...)}
}

// AuthenticateToken returns the user a bearer token authenticates, for the
// API server's own audiences. ok=false means the token proves nothing (the
// edge answers 401); err means it could not be checked (the store did not
// answer) and the edge should answer 503 rather than 401. It accepts
// ServiceAccount tokens signed with Config.ServiceAccountKeys (none
// without keys) and bootstrap tokens stored as Secrets in kube-system.
func (s *Server) AuthenticateToken(ctx context.Context, token string) (u *rest.UserInfo, ok bool, err error) {
	v, err := s.checkToken(ctx, token, nil)
	if err != nil || v.user == nil {
		return nil, false, err
	}
	return v.user, true, nil
}

// checkToken judges token for audiences (the API's when empty). err is set
// only when the store could not be read.
func (s *Server) checkToken(ctx context.Context, token string, audiences []string) (tokenVerdict, error) {
	if m := bootstrapTokenPattern.FindStringSubmatch(token); m != nil {
		return s.checkBootstrapToken(ctx, m[1], m[2], audiences)
	}
	return s.checkServiceAccountToken(ctx, token, audiences)
}

// apiAudiences are the audiences the API server accepts tokens for.
func (s *Server) apiAudiences() []string {
	if s.saKeys == nil {
		return []string{serviceaccount.DefaultIssuer}
	}
	return s.saKeys.Audiences
}

// checkServiceAccountToken verifies a JWT and then the live objects it
// names: the ServiceAccount (by uid: a recreated account of the same name
// does not inherit its predecessor's tokens) and the pod, secret or node
// it is bound to.
func (s *Server) checkServiceAccountToken(ctx context.Context, token string, audiences []string) (tokenVerdict, error) {
	if s.saKeys == nil {
		return refused("this API server has no service account keys"), nil
	}
	if len(audiences) == 0 {
		audiences = s.saKeys.Audiences
	}
	c, err := serviceaccount.Verify(s.saKeys, token, s.clock.Now(), audiences)
	if err != nil {
		return refused("%v", err), nil
	}
	k := c.Kubernetes
	ns, name := k.Namespace, k.ServiceAccount.Name
	if ns == "" || name == "" || c.Subject != auth.ServiceAccountUserName(ns, name) {
		return refused("service account token claims are inconsistent: sub %q, kubernetes.io namespace %q and serviceaccount %q", c.Subject, ns, name), nil
	}
	if v, err := s.checkBound(ctx, "serviceaccounts", ns, k.ServiceAccount); v.invalid != "" || err != nil {
		return v, err
	}
	u := &rest.UserInfo{
		Name:   c.Subject,
		UID:    k.ServiceAccount.UID,
		Groups: auth.ServiceAccountGroups(ns),
		Extra:  map[string][]string{},
	}
	if c.ID != "" {
		u.Extra[ExtraCredentialID] = []string{"JTI=" + c.ID}
	}
	if p := k.Pod; p != nil {
		if v, err := s.checkBound(ctx, "pods", ns, *p); v.invalid != "" || err != nil {
			return v, err
		}
		u.Extra[ExtraPodName] = []string{p.Name}
		u.Extra[ExtraPodUID] = []string{p.UID}
	}
	if sec := k.Secret; sec != nil {
		if v, err := s.checkBound(ctx, "secrets", ns, *sec); v.invalid != "" || err != nil {
			return v, err
		}
	}
	if n := k.Node; n != nil {
		// A pod-bound token names its pod's node for the node
		// authorizer; the pod vouches for it. Only a token bound to
		// the node itself depends on the node.
		if k.Pod == nil {
			if v, err := s.checkBound(ctx, "nodes", "", *n); v.invalid != "" || err != nil {
				return v, err
			}
		}
		u.Extra[ExtraNodeName] = []string{n.Name}
		if n.UID != "" {
			u.Extra[ExtraNodeUID] = []string{n.UID}
		}
	}
	return tokenVerdict{user: u, audiences: intersect(c.Audience, audiences)}, nil
}

// checkBound checks that the object of kind plural a token names exists
// with the token's uid and has not been deleted past its deadline.
func (s *Server) checkBound(ctx context.Context, plural, ns string, ref serviceaccount.Ref) (tokenVerdict, error) {
	res := api.ResourceByPlural("", plural)
	obj, _, err := s.read(ctx, res, ns, ref.Name)
	if api.IsNotFound(err) {
		return refused("%s %s/%s named by the token does not exist", res.Singular, ns, ref.Name), nil
	}
	if err != nil {
		return tokenVerdict{}, err
	}
	meta := obj.GetObjectMeta()
	what := res.Singular
	if plural == "serviceaccounts" {
		what = "service account"
	}
	if meta.UID != ref.UID {
		return refused("%s UID (%s) does not match claim (%s)", what, meta.UID, ref.UID), nil
	}
	if d := meta.DeletionTimestamp; d != nil && s.clock.Now().After(d.Time.Add(deletedObjectLeeway)) {
		return refused("%s %s/%s named by the token has been deleted", what, ns, ref.Name), nil
	}
	return tokenVerdict{}, nil
}

// checkBootstrapToken checks "<id>.<secret>" against the Secret
// kube-system/bootstrap-token-<id>: same id and secret (compared in
// constant time, so timing tells a guesser nothing), marked for
// authentication, not expired and not being deleted. Bootstrap tokens are
// good for the API's audiences only.
func (s *Server) checkBootstrapToken(ctx context.Context, id, secret string, audiences []string) (tokenVerdict, error) {
	auds := s.apiAudiences()
	if len(audiences) > 0 {
		if auds = intersect(auds, audiences); len(auds) == 0 {
			return refused("bootstrap tokens are good for the API server's audiences only"), nil
		}
	}
	res := api.ResourceByPlural("", "secrets")
	name := BootstrapTokenSecretPrefix + id
	obj, _, err := s.read(ctx, res, bootstrapTokenNamespace, name)
	if api.IsNotFound(err) {
		return refused("no bootstrap token with id %q", id), nil
	}
	if err != nil {
		return tokenVerdict{}, err
	}
	sec := obj.(*api.Secret)
	data := func(k string) string { return string(sec.Data[k]) }
	switch {
	case sec.Type != BootstrapTokenSecretType:
		return refused("secret %s/%s is of type %q, not %s", bootstrapTokenNamespace, name, sec.Type, BootstrapTokenSecretType), nil
	case sec.DeletionTimestamp != nil:
		return refused("bootstrap token %q is being deleted", id), nil
	case data("token-id") != id:
		return refused("secret %s/%s holds token-id %q, not %q", bootstrapTokenNamespace, name, data("token-id"), id), nil
	case subtle.ConstantTimeCompare([]byte(data("token-secret")), []byte(secret)) != 1:
		return refused("bootstrap token %q: the secret does not match", id), nil
	case data("usage-bootstrap-authentication") != "true":
		return refused("bootstrap token %q is not marked for authentication (usage-bootstrap-authentication)", id), nil
	}
	if exp := data("expiration"); exp != "" {
		t, err := time.Parse(time.RFC3339, exp)
		if err != nil {
			return refused("bootstrap token %q: expiration %q is not an RFC 3339 time", id, exp), nil
		}
		if !s.clock.Now().Before(t) {
			return refused("bootstrap token %q expired at %s", id, exp), nil
		}
	}
	u := auth.BootstrapUser(id)
	if extra := data("auth-extra-groups"); extra != "" {
		var groups []string
		for _, g := range strings.Split(extra, ",") {
			g = strings.TrimSpace(g)
			if !bootstrapGroupPattern.MatchString(g) {
				return refused("bootstrap token %q: auth-extra-groups %q is not a system:bootstrappers: group", id, g), nil
			}
			groups = append(groups, g)
		}
		u.Groups = append(append(u.Groups[:1:1], groups...), u.Groups[1:]...)
	}
	return tokenVerdict{user: u, audiences: auds}, nil
}

// intersect returns the elements of a that b has too, in a's order.
func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
				break
			}
		}
	}
	return out
}
