package apiserver

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/serviceaccount"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// testSAKeys are a cluster's token keys derived from a fixed seed.
func testSAKeys() *serviceaccount.Keys {
	return serviceaccount.NewKeys(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
}

// newTokenFixture is newFixture with ServiceAccount keys, a ServiceAccount
// default/robot and a pod default/web running as it on node n1.
func newTokenFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, store: store.NewMemory(), clock: &clock.Fixed{T: t0}, ctx: context.Background()}
	f.server = New(Config{Store: f.store, Clock: f.clock, Rand: rand.New(rand.NewPCG(1, 2)), Version: "test", ServiceAccountKeys: testSAKeys()})
	if err := f.server.Bootstrap(f.ctx); err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	f.client = client.New(client.Local(f.server.Handle))
	f.createSA("robot")
	p := newPod("web", nil)
	p.Spec.ServiceAccountName = "robot"
	p.Spec.NodeName = "n1"
	if _, err := pods(f).Create(f.ctx, p, client.WriteOptions{}); err != nil {
		t.Fatalf("create pod web: %v", err)
	}
	return f
}

func (f *fixture) createSA(name string) *api.ServiceAccount {
	f.t.Helper()
	sa, err := client.For[*api.ServiceAccount](f.client).Create(f.ctx, &api.ServiceAccount{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}}, client.WriteOptions{})
	if err != nil {
		f.t.Fatalf("create serviceaccount %s: %v", name, err)
	}
	return sa
}

// requestToken posts a TokenRequest for default/sa and returns the answer.
func (f *fixture) requestToken(sa string, spec api.TokenRequestSpec) (*rest.Response, api.TokenRequest) {
	f.t.Helper()
	body, _ := json.Marshal(api.TokenRequest{Spec: spec})
	resp := f.do(http.MethodPost, "/api/v1/namespaces/default/serviceaccounts/"+sa+"/token", rest.ContentJSON, string(body))
	var tr api.TokenRequest
	if resp.Code == http.StatusCreated {
		if err := json.Unmarshal(resp.Body, &tr); err != nil {
			f.t.Fatalf("TokenRequest answer: %v: %s", err, resp.Body)
		}
	}
	return resp, tr
}

func (f *fixture) token(sa string, spec api.TokenRequestSpec) string {
	f.t.Helper()
	resp, tr := f.requestToken(sa, spec)
	if resp.Code != http.StatusCreated || tr.Status.Token == "" {
		f.t.Fatalf("TokenRequest for %s = %d %s, want 201 with a token", sa, resp.Code, resp.Body)
	}
	return tr.Status.Token
}

func (f *fixture) podBound() api.TokenRequestSpec {
	p, err := pods(f).Get(f.ctx, "default", "web")
	if err != nil {
		f.t.Fatal(err)
	}
	return api.TokenRequestSpec{BoundObjectRef: &api.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: "web", UID: p.UID}}
}

// bootstrapSecret stores a bootstrap token abcdef.0123456789abcdef.
func (f *fixture) bootstrapSecret(edit func(s *api.Secret)) {
	f.t.Helper()
	s := &api.Secret{
		ObjectMeta: api.ObjectMeta{Name: "bootstrap-token-abcdef", Namespace: "kube-system"},
		Type:       BootstrapTokenSecretType,
		StringData: map[string]string{
			"token-id": "abcdef", "token-secret": "0123456789abcdef",
			"usage-bootstrap-authentication": "true",
			"expiration":                     t0.Add(time.Hour).Format(time.RFC3339),
			"auth-extra-groups":              "system:bootstrappers:tinykube:default-node-token",
		},
	}
	if edit != nil {
		edit(s)
	}
	if _, err := client.For[*api.Secret](f.client).Create(f.ctx, s, client.WriteOptions{}); err != nil {
		f.t.Fatalf("create bootstrap secret: %v", err)
	}
}

const bootstrapToken = "abcdef.0123456789abcdef"

func TestAuthenticateToken(t *testing.T) {
	saUser := func(f *fixture) *rest.UserInfo {
		sa, _ := client.For[*api.ServiceAccount](f.client).Get(f.ctx, "default", "robot")
		return &rest.UserInfo{Name: "system:serviceaccount:default:robot", UID: sa.UID,
			Groups: []string{"system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"}}
	}
	cases := []struct {
		name string
		// setup returns the token to present, after changing the world.
		setup func(f *fixture) string
		// want is the user expected (nil: not ok); extra keys are
		// checked by name only, their values below.
		want func(f *fixture) *rest.UserInfo
	}{
		{"service account token", func(f *fixture) string { return f.token("robot", api.TokenRequestSpec{}) }, saUser},
		{"pod-bound token", func(f *fixture) string { return f.token("robot", f.podBound()) }, saUser},
		{"expired", func(f *fixture) string {
			tok := f.token("robot", api.TokenRequestSpec{})
			f.clock.T = f.clock.T.Add(time.Hour)
			return tok
		}, nil},
		{"wrong audience", func(f *fixture) string { return f.token("robot", api.TokenRequestSpec{Audiences: []string{"vault"}}) }, nil},
		{"service account deleted", func(f *fixture) string {
			tok := f.token("robot", api.TokenRequestSpec{})
			f.deleteObj("serviceaccounts", "robot")
			return tok
		}, nil},
		{"service account recreated with a new uid", func(f *fixture) string {
			tok := f.token("robot", api.TokenRequestSpec{})
			f.deleteObj("serviceaccounts", "robot")
			f.createSA("robot")
			return tok
		}, nil},
		{"bound pod deleted", func(f *fixture) string {
			tok := f.token("robot", f.podBound())
			f.deleteObj("pods", "web", "gracePeriodSeconds", "0")
			return tok
		}, nil},
		{"bound pod terminating, within its grace period", func(f *fixture) string {
			tok := f.token("robot", f.podBound())
			f.deleteObj("pods", "web")
			f.clock.T = f.clock.T.Add(30*time.Second + deletedObjectLeeway)
			return tok
		}, saUser},
		{"bound pod terminating, past its deadline and the leeway", func(f *fixture) string {
			tok := f.token("robot", f.podBound())
			f.deleteObj("pods", "web")
			f.clock.T = f.clock.T.Add(30*time.Second + deletedObjectLeeway + time.Second)
			return tok
		}, nil},
		{"other cluster's key", func(f *fixture) string {
			other := serviceaccount.NewKeys(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize)))
			sa, _ := client.For[*api.ServiceAccount](f.client).Get(f.ctx, "default", "robot")
			tok, _ := serviceaccount.Issue(other, serviceaccount.Claims{Issuer: other.Issuer, Subject: "system:serviceaccount:default:robot",
				Audience: other.Audiences, IssuedAt: t0.Unix(), NotBefore: t0.Unix(), Expiry: t0.Unix() + 3600,
				Kubernetes: serviceaccount.PrivateClaims{Namespace: "default", ServiceAccount: serviceaccount.Ref{Name: "robot", UID: sa.UID}}})
			return tok
		}, nil},
		{"garbage", func(f *fixture) string { return "not-a-token" }, nil},
		{"bootstrap token", func(f *fixture) string { f.bootstrapSecret(nil); return bootstrapToken }, func(*fixture) *rest.UserInfo {
			return &rest.UserInfo{Name: "system:bootstrap:abcdef", Groups: []string{"system:bootstrappers", "system:bootstrappers:tinykube:default-node-token", "system:authenticated"}}
		}},
		{"bootstrap token expired", func(f *fixture) string {
			f.bootstrapSecret(nil)
			f.clock.T = f.clock.T.Add(time.Hour)
			return bootstrapToken
		}, nil},
		{"bootstrap token, wrong secret", func(f *fixture) string { f.bootstrapSecret(nil); return "abcdef.0123456789abcdee" }, nil},
		{"bootstrap token, not for authentication", func(f *fixture) string {
			f.bootstrapSecret(func(s *api.Secret) { s.StringData["usage-bootstrap-authentication"] = "false" })
			return bootstrapToken
		}, nil},
		{"bootstrap token, wrong secret type", func(f *fixture) string {
			f.bootstrapSecret(func(s *api.Secret) { s.Type = "Opaque" })
			return bootstrapToken
		}, nil},
		{"bootstrap token, bad extra group", func(f *fixture) string {
			f.bootstrapSecret(func(s *api.Secret) { s.StringData["auth-extra-groups"] = "system:masters" })
			return bootstrapToken
		}, nil},
		{"bootstrap token, no such secret", func(f *fixture) string { return bootstrapToken }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newTokenFixture(t)
			tok := tc.setup(f)
			u, ok, err := f.server.AuthenticateToken(f.ctx, tok)
			if err != nil {
				t.Fatalf("AuthenticateToken error = %v, want none", err)
			}
			if tc.want == nil {
				if ok {
					t.Fatalf("AuthenticateToken(%s) = %+v, true; want not ok", tc.name, u)
				}
				return
			}
			if !ok {
				v, _ := f.server.checkToken(f.ctx, tok, nil)
				t.Fatalf("AuthenticateToken(%s) not ok (%s), want ok", tc.name, v.invalid)
			}
			want := tc.want(f)
			extra := u.Extra
			u.Extra = nil
			if diff := cmp.Diff(want, u); diff != "" {
				t.Errorf("AuthenticateToken(%s) user (-want +got):\n%s", tc.name, diff)
			}
			if strings.HasPrefix(u.Name, "system:serviceaccount:") && !strings.HasPrefix(first(extra[ExtraCredentialID]), "JTI=") {
				t.Errorf("extra[%s] = %q, want JTI=…", ExtraCredentialID, extra[ExtraCredentialID])
			}
		})
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func (f *fixture) deleteObj(plural, name string, query ...string) {
	f.t.Helper()
	if resp := f.do(http.MethodDelete, "/api/v1/namespaces/default/"+plural+"/"+name, "", "", query...); resp.Code != http.StatusOK && resp.Code != http.StatusAccepted {
		f.t.Fatalf("delete %s/%s = %d %s", plural, name, resp.Code, resp.Body)
	}
}

func TestPodBoundTokenExtra(t *testing.T) {
	f := newTokenFixture(t)
	node, err := client.For[*api.Node](f.client).Create(f.ctx, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	spec := f.podBound()
	u, ok, err := f.server.AuthenticateToken(f.ctx, f.token("robot", spec))
	if !ok || err != nil {
		t.Fatalf("AuthenticateToken(pod-bound) = %v, %v, want ok", ok, err)
	}
	jti := u.Extra[ExtraCredentialID]
	delete(u.Extra, ExtraCredentialID)
	want := map[string][]string{
		ExtraPodName: {"web"}, ExtraPodUID: {spec.BoundObjectRef.UID},
		ExtraNodeName: {"n1"}, ExtraNodeUID: {node.UID},
	}
	if diff := cmp.Diff(want, u.Extra); diff != "" {
		t.Errorf("pod-bound token's user extra (-want +got):\n%s", diff)
	}
	if len(jti) != 1 {
		t.Errorf("extra[%s] = %q, want one JTI", ExtraCredentialID, jti)
	}
}

// failingStore fails every read, as an unreachable etcd does.
type failingStore struct{ store.Store }

func (failingStore) Get(context.Context, string) (store.KeyValue, error) {
	return store.KeyValue{}, errors.New("etcd is unreachable")
}

func TestAuthenticateTokenStoreDown(t *testing.T) {
	f := newTokenFixture(t)
	tok := f.token("robot", api.TokenRequestSpec{})
	down := New(Config{Store: failingStore{f.store}, Clock: f.clock, Rand: rand.New(rand.NewPCG(1, 2)), ServiceAccountKeys: testSAKeys()})
	for _, tk := range []string{tok, bootstrapToken} {
		if u, ok, err := down.AuthenticateToken(f.ctx, tk); err == nil || ok {
			t.Errorf("AuthenticateToken(%.20s…) with the store down = %v, %v, %v; want an error, not a verdict", tk, u, ok, err)
		}
	}
}

func TestTokenRequest(t *testing.T) {
	f := newTokenFixture(t)
	resp, tr := f.requestToken("robot", api.TokenRequestSpec{})
	if resp.Code != http.StatusCreated {
		t.Fatalf("TokenRequest = %d %s, want 201", resp.Code, resp.Body)
	}
	c, err := serviceaccount.Parse(tr.Status.Token)
	if err != nil {
		t.Fatalf("token does not parse: %v", err)
	}
	if got, want := *tr.Spec.ExpirationSeconds, int64(DefaultTokenSeconds); got != want {
		t.Errorf("defaulted expirationSeconds = %d, want %d", got, want)
	}
	if diff := cmp.Diff([]string{serviceaccount.DefaultIssuer}, tr.Spec.Audiences); diff != "" {
		t.Errorf("defaulted audiences (-want +got):\n%s", diff)
	}
	if want := t0.Add(time.Hour); !tr.Status.ExpirationTimestamp.Equal(want) || c.Expiry != want.Unix() {
		t.Errorf("expirationTimestamp = %v, exp = %d; want %v", tr.Status.ExpirationTimestamp, c.Expiry, want)
	}
	if tr.Kind != "TokenRequest" || tr.APIVersion != "authentication.k8s.io/v1" || tr.Name != "robot" || tr.Namespace != "default" {
		t.Errorf("answer is %s %s %s/%s, want authentication.k8s.io/v1 TokenRequest default/robot", tr.APIVersion, tr.Kind, tr.Namespace, tr.Name)
	}
	long := int64(30 * 24 * 3600)
	_, tr = f.requestToken("robot", api.TokenRequestSpec{ExpirationSeconds: &long})
	if got := *tr.Spec.ExpirationSeconds; got != MaxTokenSeconds {
		t.Errorf("expirationSeconds asked 30 days = %d, want capped at %d", got, MaxTokenSeconds)
	}

	short := int64(599)
	cases := []struct {
		name string
		sa   string
		spec api.TokenRequestSpec
		code int
		msg  string
	}{
		{"too short", "robot", api.TokenRequestSpec{ExpirationSeconds: &short}, 422,
			`TokenRequest.authentication.k8s.io "robot" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes`},
		{"no such service account", "nobody", api.TokenRequestSpec{}, 404, `serviceaccounts "nobody" not found`},
		{"no such pod", "robot", api.TokenRequestSpec{BoundObjectRef: &api.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: "gone"}}, 404, `pods "gone" not found`},
		{"pod uid mismatch", "robot", api.TokenRequestSpec{BoundObjectRef: &api.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: "web", UID: "old"}}, 409,
			"the UID in the bound object reference (old) does not match the UID in record. The object might have been deleted and then recreated"},
		{"unsupported kind", "robot", api.TokenRequestSpec{BoundObjectRef: &api.BoundObjectReference{Kind: "ConfigMap", APIVersion: "v1", Name: "x"}}, 400,
			"cannot bind a token to a v1 ConfigMap: spec.boundObjectRef must name a v1 Pod or Secret"},
	}
	f.createSA("other")
	cases = append(cases, struct {
		name string
		sa   string
		spec api.TokenRequestSpec
		code int
		msg  string
	}{"pod runs as another account", "other", api.TokenRequestSpec{BoundObjectRef: &api.BoundObjectReference{Kind: "Pod", Name: "web"}}, 400,
		`cannot bind a token of serviceaccount "other" to pod "web", which runs as serviceaccount "robot"`})
	for _, tc := range cases {
		resp, _ := f.requestToken(tc.sa, tc.spec)
		if resp.Code != tc.code || status(t, resp).Message != tc.msg {
			t.Errorf("TokenRequest(%s) = %d %q, want %d %q", tc.name, resp.Code, status(t, resp).Message, tc.code, tc.msg)
		}
	}
	if resp := f.do(http.MethodGet, "/api/v1/namespaces/default/serviceaccounts/robot/token", "", ""); resp.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET serviceaccounts/robot/token = %d, want 405", resp.Code)
	}
	plain := newFixture(t)
	if resp := plain.do(http.MethodPost, "/api/v1/namespaces/default/serviceaccounts/robot/token", rest.ContentJSON, "{}"); resp.Code != http.StatusServiceUnavailable {
		t.Errorf("TokenRequest on a server without keys = %d %s, want 503", resp.Code, resp.Body)
	}
}

func TestTokenReview(t *testing.T) {
	f := newTokenFixture(t)
	tok := f.token("robot", api.TokenRequestSpec{Audiences: []string{"vault", serviceaccount.DefaultIssuer}})
	review := func(spec api.TokenReviewSpec) (*rest.Response, api.TokenReview) {
		body, _ := json.Marshal(api.TokenReview{Spec: spec})
		resp := f.do(http.MethodPost, "/apis/authentication.k8s.io/v1/tokenreviews", rest.ContentJSON, string(body))
		var tr api.TokenReview
		_ = json.Unmarshal(resp.Body, &tr)
		return resp, tr
	}
	resp, tr := review(api.TokenReviewSpec{Token: tok, Audiences: []string{"vault"}})
	if resp.Code != http.StatusCreated || !tr.Status.Authenticated || tr.Status.User.Username != "system:serviceaccount:default:robot" {
		t.Fatalf("TokenReview(valid, vault) = %d %s, want 201 authenticated as robot", resp.Code, resp.Body)
	}
	if diff := cmp.Diff([]string{"vault"}, tr.Status.Audiences); diff != "" {
		t.Errorf("status.audiences (-want +got):\n%s", diff)
	}
	_, tr = review(api.TokenReviewSpec{Token: tok, Audiences: []string{"elsewhere"}})
	if tr.Status.Authenticated || !strings.Contains(tr.Status.Error, "audiences") {
		t.Errorf("TokenReview(audience elsewhere) = %+v, want unauthenticated with an audience error", tr.Status)
	}
	_, tr = review(api.TokenReviewSpec{Token: "abc"})
	if tr.Status.Authenticated || tr.Status.Error == "" {
		t.Errorf("TokenReview(garbage) = %+v, want unauthenticated with an error", tr.Status)
	}
	resp, _ = review(api.TokenReviewSpec{})
	if resp.Code != http.StatusBadRequest || status(t, resp).Message != "token is required for TokenReview in authentication" {
		t.Errorf("TokenReview(no token) = %d %s, want 400", resp.Code, resp.Body)
	}
}

func TestSelfSubjectReview(t *testing.T) {
	f := newFixture(t)
	u := &rest.UserInfo{Name: "jane", UID: "u1", Groups: []string{"dev", "system:authenticated"}, Extra: map[string][]string{"k": {"v"}}}
	resp := f.server.Handle(f.ctx, &rest.Request{Method: http.MethodPost, Path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
		ContentType: rest.ContentJSON, Body: []byte(`{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}`), User: u})
	var r api.SelfSubjectReview
	if err := json.Unmarshal(resp.Body, &r); err != nil || resp.Code != http.StatusCreated {
		t.Fatalf("SelfSubjectReview = %d %s, want 201", resp.Code, resp.Body)
	}
	want := api.UserInfo{Username: "jane", UID: "u1", Groups: []string{"dev", "system:authenticated"}, Extra: map[string][]string{"k": {"v"}}}
	if diff := cmp.Diff(want, r.Status.UserInfo); diff != "" {
		t.Errorf("SelfSubjectReview status.userInfo (-want +got):\n%s", diff)
	}
}
