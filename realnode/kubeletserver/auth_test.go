package kubeletserver

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tinykube/tinykube/realnode/pki"
)

func newCA(t *testing.T) *pki.CA {
	t.Helper()
	ca, err := pki.LoadOrCreateCA(t.TempDir(), "test-ca")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func issue(t *testing.T, ca *pki.CA, r pki.Request) tls.Certificate {
	t.Helper()
	certPEM, keyPEM, err := ca.Issue(r)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return pair
}

// TestRequireAPIServer: only the API server's client certificate from
// the cluster CA gets past the door; everyone else is 401 (or, with a
// certificate from another CA, refused at the handshake).
func TestRequireAPIServer(t *testing.T) {
	ca, other := newCA(t), newCA(t)
	serving := issue(t, ca, pki.Request{CommonName: "system:node:n1", Organization: []string{"system:nodes"}, IPs: []net.IP{net.ParseIP("127.0.0.1")}, Server: true})
	ts := httptest.NewUnstartedServer(RequireAPIServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("exec ran")) })))
	ts.TLS = TLSConfig(serving, ca.Pool())
	ts.StartTLS()
	defer ts.Close()

	for _, tc := range []struct {
		name     string
		cert     *tls.Certificate
		wantCode int // 0: the handshake fails
	}{
		{"no certificate", nil, http.StatusUnauthorized},
		{"a node's client certificate", ptr(issue(t, ca, pki.Request{CommonName: "system:node:n2", Organization: []string{"system:nodes"}, Client: true})), http.StatusUnauthorized},
		{"the right name, serving usage only", ptr(issue(t, ca, pki.Request{CommonName: APIServerClientName, Server: true})), 0},
		{"the right name from another CA", ptr(issue(t, other, pki.Request{CommonName: APIServerClientName, Client: true})), 0},
		{"the API server", ptr(issue(t, ca, pki.Request{CommonName: APIServerClientName, Client: true})), http.StatusOK},
	} {
		cfg := &tls.Config{RootCAs: ca.Pool()}
		if tc.cert != nil {
			cfg.Certificates = []tls.Certificate{*tc.cert}
		}
		cl := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
		resp, err := cl.Post(ts.URL+"/exec/default/p/c?command=id", "", nil)
		code := 0
		if err == nil {
			code = resp.StatusCode
			resp.Body.Close()
		}
		if code != tc.wantCode {
			t.Errorf("%s: POST /exec = %d (err %v), want %d", tc.name, code, err, tc.wantCode)
		}
	}
	// Plain HTTP to the TLS port is no way around it.
	resp, err := http.Post("http://"+ts.Listener.Addr().String()+"/exec/default/p/c?command=id", "", nil)
	if err == nil && resp.StatusCode == http.StatusOK {
		t.Errorf("plain HTTP POST /exec = 200, want a refusal")
	}
	if err == nil {
		resp.Body.Close()
	}
}

func ptr[T any](v T) *T { return &v }
