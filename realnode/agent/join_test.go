package agent

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/csrapproving"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/realnode/controlplane"
	"github.com/tinykube/tinykube/realnode/httpapi"
	"github.com/tinykube/tinykube/realnode/pki"
	"github.com/tinykube/tinykube/realnode/runloop"
	"github.com/tinykube/tinykube/realnode/wallclock"
)

// seen is one request a fake server received.
type seen struct{ method, path, auth string }

// recorder wraps h and records every request.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
	h    http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.reqs = append(r.reqs, seen{req.Method, req.URL.Path, req.Header.Get("Authorization")})
	r.mu.Unlock()
	r.h.ServeHTTP(w, req)
}

func newCA(t *testing.T) *pki.CA {
	t.Helper()
	ca, err := pki.LoadOrCreateCA(t.TempDir(), "tinykube-ca")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// cluster is a fake server over TLS from ca: GET /cacerts answers the CA
// anonymously; everything else needs "Bearer <secret>" and then reaches
// a real API server as system:bootstrap:abcdef, whose CSRs the real
// approver and signer handle.
func cluster(t *testing.T, ca *pki.CA, secret string) (*httptest.Server, *recorder) {
	t.Helper()
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: wallclock.Clock{}, Rand: rand.New(rand.NewPCG(1, 1)), Version: "test"})
	if err := srv.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	asBootstrapper := func(ctx context.Context, req *rest.Request) *rest.Response {
		req.User = &rest.UserInfo{Name: "system:bootstrap:abcdef", Groups: []string{"system:bootstrappers", "system:authenticated"}}
		return srv.Handle(ctx, req)
	}
	apiHandler := httpapi.Handler(asBootstrapper, httpapi.Options{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cacerts", func(w http.ResponseWriter, _ *http.Request) { w.Write(ca.CertPEM) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+secret {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(api.Status{TypeMeta: api.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: "Failure",
				Message: "Unauthorized", Reason: api.ReasonUnauthorized, Code: 401})
			return
		}
		apiHandler.ServeHTTP(w, r)
	})
	rec := &recorder{h: mux}
	ts := httptest.NewUnstartedServer(rec)
	certPEM, keyPEM, err := ca.Issue(pki.Request{CommonName: "kube-apiserver", IPs: []net.IP{net.ParseIP("127.0.0.1")}, Server: true})
	if err != nil {
		t.Fatal(err)
	}
	pair, _ := pki.TLSCertificate(certPEM, keyPEM)
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	ts.StartTLS()
	t.Cleanup(ts.Close)

	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	l := runloop.New()
	go l.Run(ctx)
	local := client.New(client.Local(srv.Handle))
	l.Do(func() {
		csrapproving.New(csrapproving.Config{Loop: l, Client: local}).Start()
		controlplane.StartCSRSigner(l, local, ca)
	})
	return ts, rec
}

func TestJoinRefusesAWrongCAAndSendsNothing(t *testing.T) {
	ca, other := newCA(t), newCA(t)
	ts, rec := cluster(t, ca, "abcdef.0123456789abcdef")
	token := pki.JoinToken{CAHash: pki.Hash(other.CertPEM), Secret: "abcdef.0123456789abcdef"}.String()
	_, err := Join(context.Background(), JoinConfig{Servers: ts.URL, Token: token, NodeName: "n1", Address: "127.0.0.1", StateDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), pki.Hash(ca.CertPEM)) || !strings.Contains(err.Error(), pki.Hash(other.CertPEM)) {
		t.Fatalf("Join with a token for another CA = %v, want a refusal naming both hashes", err)
	}
	want := []seen{{"GET", "/cacerts", ""}}
	if len(rec.reqs) != 1 || rec.reqs[0] != want[0] {
		t.Errorf("the server saw %v, want only %v", rec.reqs, want)
	}
}

func TestJoinWrongSecret(t *testing.T) {
	ca := newCA(t)
	ts, _ := cluster(t, ca, "abcdef.0123456789abcdef")
	token := pki.JoinToken{CAHash: pki.Hash(ca.CertPEM), Secret: "abcdef.ffffffffffffffff"}.String()
	_, err := Join(context.Background(), JoinConfig{Servers: ts.URL, Token: token, NodeName: "n1", Address: "127.0.0.1", StateDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "refused the join token's secret (401 Unauthorized)") {
		t.Errorf("Join with a wrong secret = %v, want the 401 explained", err)
	}
}

func TestJoinGetsCertificatesAndKeepsThem(t *testing.T) {
	ca := newCA(t)
	secret := "abcdef.0123456789abcdef"
	ts, rec := cluster(t, ca, secret)
	token := pki.JoinToken{CAHash: pki.Hash(ca.CertPEM), Secret: secret}.String()
	state := t.TempDir()
	var progress strings.Builder
	cfg := JoinConfig{Servers: ts.URL, Token: token, NodeName: "n1", Address: "127.0.0.1", Hostname: "host-1", StateDir: state, Timeout: 30 * time.Second, Log: &progress}
	creds, err := Join(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Join: %v (progress: %s)", err, progress.String())
	}
	// Every request after /cacerts carried the secret.
	for i, r := range rec.reqs {
		if i == 0 && (r.path != "/cacerts" || r.auth != "") || i > 0 && r.auth != "Bearer "+secret {
			t.Errorf("request %d: %+v; want GET /cacerts without credentials first, the bearer secret after", i, r)
		}
	}
	if cn := creds.Client.Leaf.Subject.CommonName; cn != "system:node:n1" {
		t.Errorf("client certificate for %q, want system:node:n1", cn)
	}
	s := creds.Serving.Leaf
	if len(s.IPAddresses) != 1 || !s.IPAddresses[0].Equal(net.ParseIP("127.0.0.1")) || strings.Join(s.DNSNames, ",") != "n1,host-1" {
		t.Errorf("serving certificate names %v %v, want 127.0.0.1 and n1,host-1", s.IPAddresses, s.DNSNames)
	}
	for name, want := range map[string]os.FileMode{"pki": 0o700 | os.ModeDir, "pki/kubelet-client.key": 0o600, "pki/kubelet-serving.key": 0o600, "pki/ca.crt": 0o644} {
		fi, err := os.Stat(filepath.Join(state, name))
		if err != nil || fi.Mode() != want {
			t.Errorf("%s: mode %v (%v), want %v", name, fi.Mode(), err, want)
		}
	}
	// The node's client certificate reaches the API server (verified by
	// the CA) as the node.
	c := client.New(creds.Transport(ts.URL))
	if _, err := client.For[*api.Namespace](c).Get(context.Background(), "", "default"); api.ReasonOf(err) != api.ReasonUnauthorized {
		// The fake server only knows the bearer secret: a 401 shows
		// TLS worked and the secret was not sent.
		t.Errorf("GET with the node's transport = %v, want the fake server's 401", err)
	}

	// A restart reuses the certificates without asking anyone.
	ts.Close()
	before := len(rec.reqs)
	again, err := Join(context.Background(), cfg)
	if err != nil || len(rec.reqs) != before || string(again.Client.Certificate[0]) != string(creds.Client.Certificate[0]) {
		t.Errorf("Join after a restart = %v (requests %d -> %d), want the kept certificates and no request", err, before, len(rec.reqs))
	}
	// Without a token too.
	cfg.Token = ""
	if _, err := Join(context.Background(), cfg); err != nil {
		t.Errorf("Join after a restart without a token = %v, want the kept certificates", err)
	}
}

func TestListenAddress(t *testing.T) {
	for _, tc := range []struct{ listen, address, want string }{
		{"", "10.0.0.5", "10.0.0.5:10250"},
		{":10250", "10.0.0.5", "10.0.0.5:10250"},
		{":0", "127.0.0.1", "127.0.0.1:0"},
		{"0.0.0.0:10250", "10.0.0.5", "0.0.0.0:10250"},
		{"192.168.1.2:9999", "10.0.0.5", "192.168.1.2:9999"},
	} {
		if got := listenAddress(tc.listen, tc.address); got != tc.want {
			t.Errorf("listenAddress(%q, %q) = %q, want %q", tc.listen, tc.address, got, tc.want)
		}
	}
}
