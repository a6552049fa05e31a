package httpapi

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/realnode/pki"
)

// authnServer is an API server behind an authenticating HTTPS edge, whose
// authorizer allows everything but records who asked what.
type authnServer struct {
	url  string
	ca   *pki.CA
	mu   sync.Mutex
	seen []string // "user verb resource/subresource" or "user verb path"
}

func (s *authnServer) record(a authorizer.Attributes) {
	s.mu.Lock()
	defer s.mu.Unlock()
	what := a.Path
	if a.ResourceRequest {
		what = a.ResourceString()
	}
	s.seen = append(s.seen, a.User.Name+" "+a.Verb+" "+what)
}

func startAuthnServer(t *testing.T) *authnServer {
	t.Helper()
	ca, err := pki.LoadOrCreateCA(t.TempDir(), "test-ca")
	if err != nil {
		t.Fatal(err)
	}
	as := &authnServer{ca: ca}
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: &clock.Fixed{T: time.Unix(1e9, 0)}, Rand: rand.New(rand.NewPCG(1, 1)), Version: "test",
		Authorizer: authorizer.Func(func(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
			as.record(a)
			if a.User.Name == "jane" && a.Resource == "pods" && a.Subresource == "exec" {
				return authorizer.NoOpinion, "", nil
			}
			return authorizer.Allow, "", nil
		})})
	if err := srv.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	tokens := func(_ context.Context, token string) (*rest.UserInfo, bool, error) {
		if token == "jane-token" {
			return &rest.UserInfo{Name: "jane", Groups: []string{"system:authenticated"}}, true, nil
		}
		return nil, false, nil
	}
	certPEM, keyPEM, err := ca.Issue(pki.Request{CommonName: "apiserver", DNSNames: []string{"localhost"}, Server: true})
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := pki.TLSCertificate(certPEM, keyPEM)
	hs := httptest.NewUnstartedServer(Handler(srv.Handle, Options{
		Authenticator: &Authenticator{ServerSecret: "server:abc", Token: tokens},
		Authorize:     srv.Authorize,
		CACert:        ca.CertPEM,
	}))
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: ca.Pool()}
	hs.StartTLS()
	t.Cleanup(hs.Close)
	as.url = strings.Replace(hs.URL, "127.0.0.1", "localhost", 1)
	return as
}

// client is an HTTP client verifying the server, showing a certificate
// for user/groups when user is not "".
func (s *authnServer) client(t *testing.T, ca *pki.CA, user string, groups ...string) *http.Client {
	t.Helper()
	cc := ClientConfig{CAData: s.ca.CertPEM}
	if user != "" {
		var err error
		if cc.CertData, cc.KeyData, err = ca.Issue(pki.Request{CommonName: user, Organization: groups, Client: true}); err != nil {
			t.Fatal(err)
		}
	}
	tc, err := cc.TLS()
	if err != nil {
		t.Fatal(err)
	}
	return NewHTTPClient(tc)
}

func TestEdgeAuthentication(t *testing.T) {
	s := startAuthnServer(t)
	stranger, err := pki.LoadOrCreateCA(t.TempDir(), "stranger-ca")
	if err != nil {
		t.Fatal(err)
	}
	anon := s.client(t, s.ca, "")
	tests := []struct {
		name         string
		client       *http.Client
		method, path string
		bearer       string
		wantCode     int
		wantSeen     string // what the authorizer was asked, "" for nothing
	}{
		{"anonymous healthz", anon, "GET", "/healthz", "", 200, "system:anonymous get /healthz"},
		{"anonymous version", anon, "GET", "/version", "", 200, "system:anonymous get /version"},
		{"anonymous cacerts", anon, "GET", "/cacerts", "", 200, ""},
		{"anonymous list", anon, "GET", "/api/v1/namespaces/default/secrets", "", 401, ""},
		{"anonymous POST healthz", anon, "POST", "/healthz", "", 401, ""},
		{"anonymous discovery", anon, "GET", "/api", "", 401, ""},
		{"client certificate", s.client(t, s.ca, "alice", "dev"), "GET", "/api/v1/namespaces/default/configmaps", "", 200, "alice list configmaps"},
		// Go's client shows no certificate the server's CA list does not
		// name, so mallory arrives with none; a client that insists fails
		// the handshake. Either way she is nobody.
		{"another CA's certificate", s.client(t, stranger, "mallory", "system:masters"), "GET", "/api/v1/namespaces/default/configmaps", "", 401, ""},
		{"server secret", anon, "GET", "/api/v1/nodes", "server:abc", 200, ServerSecretUser + " list nodes"},
		{"wrong server secret", anon, "GET", "/api/v1/nodes", "server:abd", 401, ""},
		{"hooked token", anon, "GET", "/api/v1/namespaces/default/pods", "jane-token", 200, "jane list pods"},
		{"unknown token", anon, "GET", "/healthz", "nobody", 401, ""},
		{"relayed exec, denied", anon, "POST", "/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=1", "jane-token", 403, "jane create pods/exec"},
		{"relayed log, allowed", anon, "GET", "/api/v1/namespaces/default/pods/web/log", "jane-token", 404, "jane get pods/log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.mu.Lock()
			s.seen = nil
			s.mu.Unlock()
			req, _ := http.NewRequest(tt.method, s.url+tt.path, nil)
			if tt.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tt.bearer)
			}
			resp, err := tt.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantCode {
				t.Errorf("%s %s = %d %s, want %d", tt.method, tt.path, resp.StatusCode, body, tt.wantCode)
			}
			if tt.wantCode == 401 {
				var st map[string]any
				json.Unmarshal(body, &st)
				want := map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{}, "status": "Failure", "message": "Unauthorized", "reason": "Unauthorized", "code": float64(401)}
				if diff := cmp.Diff(want, st); diff != "" {
					t.Errorf("401 body (-want +got):\n%s", diff)
				}
			}
			s.mu.Lock()
			seen := strings.Join(s.seen, "; ")
			s.mu.Unlock()
			if !strings.HasPrefix(seen, tt.wantSeen) || (tt.wantSeen == "" && seen != "") {
				t.Errorf("the authorizer was asked %q, want %q first", seen, tt.wantSeen)
			}
		})
	}
}

func TestNewTransportConfigRefusesHTTPSWithoutACA(t *testing.T) {
	_, err := NewTransportConfig("https://127.0.0.1:6443", ClientConfig{})
	if err == nil || !strings.Contains(err.Error(), "no CA was given") {
		t.Errorf("NewTransportConfig(https, no CA) = %v, want an error saying no CA was given", err)
	}
	if _, err := NewTransportConfig("http://127.0.0.1:6443", ClientConfig{}); err != nil {
		t.Errorf("NewTransportConfig(http, no CA) = %v, want nil (nothing to verify)", err)
	}
}

func TestTransportSendsCredentials(t *testing.T) {
	s := startAuthnServer(t)
	certPEM, keyPEM, _ := s.ca.Issue(pki.Request{CommonName: "bob", Organization: []string{"ops"}, Client: true})
	for _, tc := range []struct {
		name string
		cc   ClientConfig
		want string
	}{
		{"client certificate", ClientConfig{CAData: s.ca.CertPEM, CertData: certPEM, KeyData: keyPEM}, "bob list configmaps"},
		{"bearer token", ClientConfig{CAData: s.ca.CertPEM, Token: "jane-token"}, "jane list configmaps"},
	} {
		tr, err := NewTransportConfig(s.url, tc.cc)
		if err != nil {
			t.Fatal(err)
		}
		s.mu.Lock()
		s.seen = nil
		s.mu.Unlock()
		resp, err := tr.Do(context.Background(), &rest.Request{Method: "GET", Path: "/api/v1/namespaces/default/configmaps"})
		if err != nil || resp.Code != 200 {
			t.Fatalf("%s: list = %v, %v", tc.name, resp, err)
		}
		s.mu.Lock()
		got := strings.Join(s.seen, "; ")
		s.mu.Unlock()
		if got != tc.want {
			t.Errorf("%s: the authorizer was asked %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A client that insists on showing a certificate of another CA fails the
// handshake: VerifyClientCertIfGiven checks every certificate shown.
func TestForeignClientCertificateFailsTheHandshake(t *testing.T) {
	s := startAuthnServer(t)
	stranger, _ := pki.LoadOrCreateCA(t.TempDir(), "stranger-ca")
	certPEM, keyPEM, _ := stranger.Issue(pki.Request{CommonName: "mallory", Organization: []string{"system:masters"}, Client: true})
	cert, _ := pki.TLSCertificate(certPEM, keyPEM)
	tc := &tls.Config{RootCAs: s.ca.Pool(), GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }}
	resp, err := NewHTTPClient(tc).Get(s.url + "/api/v1/namespaces/default/secrets")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("GET with another CA's certificate = %d, want a failed handshake", resp.StatusCode)
	}
}
