package controlplane

import (
	"context"
	"crypto/tls"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/realnode/kubeconfig"
	"github.com/tinykube/tinykube/realnode/pki"
)

// A server answers only HTTPS; without credentials only the health,
// version and CA paths; its kubeconfig (mode 0600) verifies it and is
// the admin, for tinykube, client-go (controllerruntime_test) and
// kubectl; its etcd refuses a client without a certificate.
func TestServerIsTLSOnlyAndAuthenticates(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	cfg := serverConfig(t, "tls", filepath.Join(t.TempDir(), "tls"))
	cfg.NoControllers = true
	s := start(t, cfg)
	if !strings.HasPrefix(s.URL, "https://") {
		t.Fatalf("URL = %s, want https", s.URL)
	}
	for _, f := range []struct {
		path string
		mode os.FileMode
	}{{"pki", 0o700}, {"pki/ca.key", 0o600}, {"pki/sa.key", 0o600}, {"pki/admin.key", 0o600}, {"token", 0o600}, {"kubeconfig", 0o600}} {
		if fi, err := os.Stat(filepath.Join(cfg.DataDir, f.path)); err != nil || fi.Mode().Perm() != f.mode {
			t.Errorf("%s: mode %v, %v; want %v", f.path, fi.Mode().Perm(), err, f.mode)
		}
	}

	// Plain HTTP on the API port gets nothing.
	plain := "http://" + strings.TrimPrefix(s.URL, "https://")
	if resp, err := http.Get(plain + "/api/v1/namespaces"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Errorf("GET over plain HTTP = 200, want a refusal")
		}
	}
	// TLS verified with the CA, no credentials.
	anon := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA().Pool()}}}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/livez": 200, "/version": 200, "/cacerts": 200,
		"/api/v1/namespaces": 401, "/api/v1/namespaces/kube-system/secrets": 401, "/apis": 401} {
		resp, err := anon.Get(s.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s without credentials = %d, want %d", path, resp.StatusCode, want)
		}
	}

	// The kubeconfig holds https servers, the CA and the admin.
	kc, err := kubeconfig.Load(s.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := kc.CurrentCredentials()
	if err != nil || string(cred.CAData) != string(s.CA().CertPEM) || len(cred.CertData) == 0 || len(cred.KeyData) == 0 {
		t.Fatalf("kubeconfig credentials = CA %d bytes, cert %d, key %d, %v; want the CA and the admin's certificate", len(cred.CAData), len(cred.CertData), len(cred.KeyData), err)
	}
	admin, _ := pki.ParseCertificate(cred.CertData)
	if admin.Subject.CommonName != "kubernetes-admin" || strings.Join(admin.Subject.Organization, ",") != "system:masters" {
		t.Errorf("admin certificate subject = %v, want CN=kubernetes-admin O=system:masters", admin.Subject)
	}

	// Real kubectl, unchanged, with the kubeconfig.
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		out, err := exec.Command(kubectl, "--kubeconfig", s.Kubeconfig, "get", "ns", "-o", "name").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "namespace/kube-system") {
			t.Errorf("kubectl --kubeconfig KUBECONFIG get ns = %v\n%s", err, out)
		}
		cmd := exec.Command(kubectl, "--server", s.URL, "--certificate-authority", filepath.Join(cfg.DataDir, "pki", "ca.crt"), "--token", "made-up", "get", "ns")
		cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(t.TempDir(), "none"))
		out, err = cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "Unauthorized") {
			t.Errorf("kubectl with a made-up token = %v\n%s; want Unauthorized", err, out)
		}
	} else {
		t.Log("no kubectl on PATH: its part is skipped")
	}

	// etcd: TLS only, and only the API servers' client certificate. A
	// node's certificate is from the same CA, and must not open the
	// database under the API server.
	nodeCC, err := s.ClientConfig("system:node:n1", "system:nodes")
	if err != nil {
		t.Fatal(err)
	}
	nodeTLS, err := nodeCC.TLS()
	if err != nil {
		t.Fatal(err)
	}
	etcdTLS, err := s.etcdClientTLS()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		tls    *tls.Config
		answer bool
	}{
		{"a client without a certificate", &tls.Config{RootCAs: s.CA().Pool()}, false},
		{"a client with a node's certificate", nodeTLS, false},
		{"the API server's etcd client certificate", etcdTLS, true},
	} {
		if err := etcdGet(cfg.EtcdClientURL, tc.tls); (err == nil) != tc.answer {
			t.Errorf("etcd with %s: Get error %v, want an answer %v", tc.name, err, tc.answer)
		}
	}
}

// etcdGet reads from the etcd at url as the client tc makes it.
func etcdGet(url string, tc *tls.Config) error {
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{url}, TLS: tc, DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = c.Get(ctx, "/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	return err
}

// An old bare-hex token file is upgraded in place, keeping its secret.
func TestOldTokenFileIsUpgraded(t *testing.T) {
	dir := t.TempDir()
	old := strings.Repeat("ab", 24)
	if err := os.WriteFile(tokenFile(dir), []byte(old+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hash := strings.Repeat("1", 64)
	jt, err := ensureToken(dir, hash)
	if err != nil {
		t.Fatal(err)
	}
	want := "K10" + hash + "::server:" + old
	if got, _ := ReadToken(dir); got != want || jt.String() != want {
		t.Errorf("upgraded token = %q (file %q), want %q", jt, got, want)
	}
	// A new CA hash rewrites the hash, not the secret.
	other := strings.Repeat("2", 64)
	if jt, _ := ensureToken(dir, other); jt.CAHash != other || jt.Secret != "server:"+old {
		t.Errorf("ensureToken(another CA) = %q, want the same secret under the new hash", jt)
	}
}
