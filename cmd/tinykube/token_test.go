package main

import (
	"context"
	"encoding/base64"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/realnode/httpapi"
	"github.com/tinykube/tinykube/realnode/pki"
)

func TestTokenCreateListDelete(t *testing.T) {
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: &clock.Fixed{T: time.Now()}, Rand: rand.New(rand.NewPCG(1, 1)), Version: "test"})
	if err := srv.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(httpapi.Handler(srv.Handle, httpapi.Options{}))
	defer hs.Close()
	ca, err := pki.LoadOrCreateCA(t.TempDir(), "test-ca")
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.crt")
	os.WriteFile(caFile, ca.CertPEM, 0o644)

	code, out, errOut := tk(t, hs.URL, "", "token", "create", "--ttl", "2h", "--description", "for node 7", "--ca-cert", caFile)
	if code != 0 {
		t.Fatalf("token create = %d: %s", code, errOut)
	}
	joinTok := strings.TrimSpace(out)
	parsed, err := pki.ParseJoinToken(joinTok)
	if err != nil || parsed.CAHash != pki.Hash(ca.CertPEM) || !regexp.MustCompile(`^[a-z0-9]{6}\.[a-z0-9]{16}$`).MatchString(parsed.Secret) {
		t.Fatalf("token create printed %q (%v), want K10<the CA's hash>::<id>.<secret>", joinTok, err)
	}
	id, secret, _ := strings.Cut(parsed.Secret, ".")
	s, err := client.For[*api.Secret](client.New(client.Local(srv.Handle))).Get(context.Background(), "kube-system", "bootstrap-token-"+id)
	if err != nil || s.Type != "bootstrap.kubernetes.io/token" || string(s.Data["token-secret"]) != secret || string(s.Data["usage-bootstrap-authentication"]) != "true" {
		t.Fatalf("the bootstrap token Secret = %+v, %v; want type bootstrap.kubernetes.io/token with the secret", s, err)
	}

	code, out, _ = tk(t, hs.URL, "", "token", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "TOKEN ID") || !strings.Contains(lines[1], id) ||
		!strings.Contains(lines[1], "2h") || !strings.Contains(lines[1], "authentication,signing") || !strings.Contains(lines[1], "for node 7") {
		t.Errorf("token list = %d:\n%s\nwant a header and one row for %s (2h, authentication,signing, for node 7)", code, out, id)
	}
	if strings.Contains(out, secret) {
		t.Errorf("token list shows the secret:\n%s", out)
	}

	if code, out, errOut = tk(t, hs.URL, "", "token", "delete", joinTok); code != 0 || !strings.Contains(out, `bootstrap token "`+id+`" deleted`) {
		t.Errorf("token delete = %d %q %q, want the deletion reported", code, out, errOut)
	}
	if code, _, errOut = tk(t, hs.URL, "", "token", "delete", id); code == 0 || !strings.Contains(errOut, "not found") {
		t.Errorf("token delete of a deleted token = %d %q, want not found", code, errOut)
	}
}

func TestKubeconfigCA(t *testing.T) {
	pemBytes := []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	kc := `apiVersion: v1
kind: Config
current-context: c
contexts:
- name: c
  context: {cluster: k, user: u}
clusters:
- name: other
  cluster: {server: "https://x", certificate-authority-data: ` + base64.StdEncoding.EncodeToString([]byte("wrong")) + `}
- name: k
  cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: ` + base64.StdEncoding.EncodeToString(pemBytes) + `}
`
	got, err := kubeconfigCA([]byte(kc), "/")
	if err != nil || string(got) != string(pemBytes) {
		t.Errorf("kubeconfigCA = %q, %v; want the current cluster's CA", got, err)
	}
}

func TestTokenID(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"abcdef", "abcdef"},
		{"abcdef.0123456789abcdef", "abcdef"},
		{"K10" + strings.Repeat("0", 64) + "::abcdef.0123456789abcdef", "abcdef"},
		{"ABCDEF", ""},
		{"abc", ""},
	} {
		got, err := tokenID(tc.in)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("tokenID(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
