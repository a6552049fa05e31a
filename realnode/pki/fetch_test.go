package pki

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// caServer serves ca's PEM at /cacerts over TLS with a certificate from
// ca, and counts the requests that carried an Authorization header.
func caServer(t *testing.T, ca *CA) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	certPEM, keyPEM, err := ca.Issue(Request{CommonName: "server", IPs: nil, DNSNames: []string{"localhost"}, Server: true})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := TLSCertificate(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	var authorized atomic.Int32
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			authorized.Add(1)
		}
		if r.URL.Path == CACertsPath {
			w.Write(ca.CertPEM)
		}
	}))
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	hs.StartTLS()
	t.Cleanup(hs.Close)
	return hs, &authorized
}

func TestFetchCAChecksTheHashBeforeAnythingIsSent(t *testing.T) {
	ca, err := LoadOrCreateCA(t.TempDir(), "test-ca")
	if err != nil {
		t.Fatal(err)
	}
	other, err := LoadOrCreateCA(t.TempDir(), "another-ca")
	if err != nil {
		t.Fatal(err)
	}
	hs, authorized := caServer(t, ca)
	ctx := context.Background()

	got, err := FetchCA(ctx, hs.URL, Hash(ca.CertPEM))
	if err != nil || string(got) != string(ca.CertPEM) {
		t.Errorf("FetchCA(the right hash) = %q, %v; want the CA's PEM", got, err)
	}
	for _, tc := range []struct{ url, hash, want string }{
		{hs.URL, Hash(other.CertPEM), "presents a CA with hash " + Hash(ca.CertPEM) + ", but the join token expects " + Hash(other.CertPEM)},
		{strings.Replace(hs.URL, "https://", "http://", 1), Hash(ca.CertPEM), "not https://"},
	} {
		if _, err := FetchCA(ctx, tc.url, tc.hash); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("FetchCA(%s, %.8s…) = %v, want an error containing %q", tc.url, tc.hash, err, tc.want)
		}
	}
	if n := authorized.Load(); n != 0 {
		t.Errorf("%d requests carried an Authorization header, want 0: FetchCA sends no secret", n)
	}
}

func TestSigningKeyIsKeptAndReloaded(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadOrCreateSigningKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadOrCreateSigningKey(dir)
	if err != nil || !k1.Equal(k2) {
		t.Errorf("LoadOrCreateSigningKey twice = a different key (%v), want the kept one", err)
	}
	pemBytes, err := SigningKeyPEM(k1)
	if err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if err := WriteSigningKey(other, pemBytes); err != nil {
		t.Fatal(err)
	}
	if k3, err := LoadOrCreateSigningKey(other); err != nil || !k1.Equal(k3) {
		t.Errorf("a written key reloads as a different key (%v)", err)
	}
	if err := WriteSigningKey(other, []byte("junk")); err == nil {
		t.Errorf("WriteSigningKey(junk) = nil, want an error")
	}
}

func TestSignedTellsKeptCertificatesApart(t *testing.T) {
	ca, _ := LoadOrCreateCA(t.TempDir(), "ca")
	other, _ := LoadOrCreateCA(t.TempDir(), "other")
	mine, _, _ := ca.Issue(Request{CommonName: "admin", Client: true})
	theirs, _, _ := other.Issue(Request{CommonName: "admin", Client: true})
	for _, tc := range []struct {
		name string
		pem  []byte
		want bool
	}{
		{"signed by the CA", mine, true},
		{"signed by another CA", theirs, false},
		{"not a certificate", []byte("junk"), false},
	} {
		if got := ca.Signed(tc.pem, 0); got != tc.want {
			t.Errorf("Signed(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
	if ca.Signed(mine, 2*365*24*3600*1e9) {
		t.Errorf("Signed(a one-year certificate, margin two years) = true, want false")
	}
}
