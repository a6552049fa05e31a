package kubeconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "kubeconfig")
	want := New("http://127.0.0.1:6443")
	if err := Write(path, want); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("kubeconfig mode = %v, want 0600 (it will hold a token)", st.Mode().Perm())
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	server, ns, err := got.Current()
	if err != nil || server != "http://127.0.0.1:6443" || ns != "default" {
		t.Errorf("Current() = %q, %q, %v", server, ns, err)
	}
}

// A kubeconfig written by kubectl has fields tinykube ignores; it must load.
func TestLoadKubectlStyleFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	os.WriteFile(path, []byte(`apiVersion: v1
kind: Config
preferences: {}
clusters:
- cluster:
    certificate-authority-data: AAAA
    server: https://10.0.0.1:6443
  name: prod
contexts:
- context: {cluster: prod, user: admin, namespace: team}
  name: prod-admin
current-context: prod-admin
users:
- name: admin
  user: {token: abc}
`), 0o600)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	server, ns, err := c.Current()
	if err != nil || server != "https://10.0.0.1:6443" || ns != "team" {
		t.Errorf("Current() = %q, %q, %v", server, ns, err)
	}
	c.CurrentContext = "missing"
	if _, _, err := c.Current(); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("Current() with an undefined context: err = %v", err)
	}
}

func TestServersExtensionRoundTrips(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	c := New("http://a:6443")
	c.SetServers([]string{"http://a:6443", "http://b:6443", "http://c:6443"})
	if err := Write(path, c); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	servers, ns, err := got.CurrentServers()
	if err != nil || strings.Join(servers, ",") != "http://a:6443,http://b:6443,http://c:6443" || ns != "default" {
		t.Errorf("CurrentServers() = %q, %q, %v; want a, b, c in order", servers, ns, err)
	}
	if server, _, _ := got.Current(); server != "http://a:6443" {
		t.Errorf("Current() = %q, want the first server (what kubectl uses)", server)
	}
	// One server: no extension at all.
	c.SetServers([]string{"http://b:6443"})
	if len(c.Clusters[0].Cluster.Extensions) != 0 || c.Clusters[0].Cluster.Server != "http://b:6443" {
		t.Errorf("SetServers(one) = %+v", c.Clusters[0].Cluster)
	}
}

func TestCredentialsRoundTripInlineAndInFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kubeconfig")
	c := New("https://127.0.0.1:6443")
	c.SetCredentials([]byte("CA PEM"), User{ClientCertificateData: []byte("CERT PEM"), ClientKeyData: []byte("KEY PEM")})
	if err := Write(path, c); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), "certificate-authority-data: Q0EgUEVN") {
		t.Errorf("the file does not hold the CA base64-encoded as kubectl reads it:\n%s", raw)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := got.CurrentCredentials()
	want := Credentials{CAData: []byte("CA PEM"), CertData: []byte("CERT PEM"), KeyData: []byte("KEY PEM")}
	if diff := cmp.Diff(want, cr); err != nil || diff != "" {
		t.Errorf("CurrentCredentials() (-want +got):\n%s%v", diff, err)
	}

	// Files named relative to the kubeconfig, as kubectl resolves them,
	// and a token.
	os.WriteFile(filepath.Join(dir, "ca.crt"), []byte("CA FROM FILE"), 0o600)
	os.WriteFile(path, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://x:6443", certificate-authority: ca.crt}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
users: [{name: u, user: {token: abc}}]
current-context: c
`), 0o600)
	got, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cr, err = got.CurrentCredentials()
	want = Credentials{CAData: []byte("CA FROM FILE"), Token: "abc"}
	if diff := cmp.Diff(want, cr); err != nil || diff != "" {
		t.Errorf("CurrentCredentials() with files (-want +got):\n%s%v", diff, err)
	}

	// A certificate without its key says so.
	got.Users[0].User = User{ClientCertificateData: []byte("CERT")}
	if _, err := got.CurrentCredentials(); err == nil || !strings.Contains(err.Error(), "without its key") {
		t.Errorf("CurrentCredentials() with a certificate and no key = %v, want an error", err)
	}
}
