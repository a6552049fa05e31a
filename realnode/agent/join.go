package agent

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/httpapi"
	"github.com/tinykube/tinykube/realnode/pki"
)

// Joining. A new node holds a join token, K10<CA hash>::<secret>, and the
// address of a server. It must not send the secret to whoever answers at
// that address: it first fetches the cluster's CA certificate without
// any credential (GET /cacerts, the only request it makes without
// verifying the server), checks that its hash is the token's, and stops
// if not. From then on every connection verifies the server against that
// CA. It sends the secret as a bearer token (the server authenticates it
// as a member of system:bootstrappers) to create two
// CertificateSigningRequests — its client certificate, system:node:NAME in
// system:nodes, and its kubelet server's certificate for its name and
// address — and waits until the cluster approves (csrapproving) and
// signs (the server's CSR signer) them. The keys never leave the node.
// From then on the node is system:node:NAME, and the token is no longer
// needed: a restarted agent with valid certificates skips all this.

// Files of a node's credentials, in STATE_DIR/pki.
const (
	credCA      = "ca.crt"
	credClient  = "kubelet-client" // .crt, .key
	credServing = "kubelet-serving"
)

// renewBefore: credentials that end sooner than this are not reused; the
// agent joins again (with its token).
const renewBefore = 24 * time.Hour

// JoinConfig is what a node needs to join.
type JoinConfig struct {
	// Servers is one API server URL or several, comma-separated
	// ("https://10.0.0.1:6443"); the first that answers is used.
	Servers string
	// Token is the join token, K10<sha256 of the CA>::<secret>.
	Token    string
	NodeName string
	// Address is the node's IP, named in its serving certificate;
	// Hostname too when it differs from NodeName (os.Hostname when empty).
	Address, Hostname string
	// StateDir is the node's state directory; credentials go to its pki/.
	StateDir string
	// Timeout bounds the wait for the certificates (5 minutes when 0).
	Timeout time.Duration
	// Log receives progress lines (nothing when nil).
	Log io.Writer
}

// Credentials are a node's TLS material.
type Credentials struct {
	CAPEM []byte
	// CA holds the cluster CA alone: servers are verified against it,
	// and so is the API server's certificate at the kubelet server.
	CA *x509.CertPool
	// Client is system:node:NAME's client certificate; Serving the
	// kubelet server's.
	Client, Serving tls.Certificate
}

// Transport returns an API transport to servers (comma-separated URLs)
// that verifies them against the CA and presents the node's client
// certificate.
func (c *Credentials) Transport(servers string) *httpapi.Transport {
	t := httpapi.NewTransport(servers)
	t.Client = &http.Client{Transport: tlsTransport(&tls.Config{RootCAs: c.CA, Certificates: []tls.Certificate{c.Client}, MinVersion: tls.VersionTLS12})}
	return t
}

// tlsTransport is httpapi.DefaultClient's transport with cfg.
func tlsTransport(cfg *tls.Config) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       cfg,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
	}
}

// Join returns the node's credentials: those kept in STATE_DIR/pki when
// they are valid for NodeName, signed by the CA the token names (when a
// token is given) and good for another day; otherwise it joins as the
// comment above describes and keeps what it received (pki/ 0700, keys
// 0600). Every failure says what to do.
func Join(ctx context.Context, cfg JoinConfig) (*Credentials, error) {
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}
	dir := filepath.Join(cfg.StateDir, "pki")
	var token *pki.JoinToken
	if cfg.Token != "" {
		t, err := pki.ParseJoinToken(cfg.Token)
		if err != nil {
			return nil, err
		}
		token = &t
	}
	creds, err := LoadCredentials(dir, cfg.NodeName)
	if err == nil && (token == nil || pki.Hash(creds.CAPEM) == token.CAHash) {
		logf("node %s: using its certificates in %s", cfg.NodeName, dir)
		return creds, nil
	}
	if token == nil {
		return nil, fmt.Errorf("node %s has no valid certificates in %s (%v) and no join token to get them: pass --token K10…, from DATA_DIR/token on a server or 'tinykube token create'", cfg.NodeName, dir, err)
	}
	server, caPEM, err := fetchPinnedCA(ctx, cfg.Servers, token.CAHash)
	if err != nil {
		return nil, err
	}
	logf("node %s: the server at %s has the cluster CA the token names (sha256 %s…)", cfg.NodeName, server, token.CAHash[:12])
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("the CA from %s/cacerts has the right hash but is not a PEM certificate", server)
	}
	boot := httpapi.NewTransport(server)
	boot.Client = &http.Client{Transport: &bearer{token: token.Secret, next: tlsTransport(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})}}
	j := &joiner{cfg: cfg, api: client.New(boot), logf: logf, server: server}
	clientCert, clientKey, err := j.certificate(ctx, api.SignerKubeAPIServerClientKubelet, []string{"digital signature", "client auth"}, nil, nil)
	if err != nil {
		return nil, err
	}
	hostname := cfg.Hostname
	if hostname == "" {
		hostname, _ = os.Hostname()
	}
	dns := []string{cfg.NodeName}
	if hostname != "" && hostname != cfg.NodeName {
		dns = append(dns, hostname)
	}
	var ips []net.IP
	if ip := net.ParseIP(cfg.Address); ip != nil {
		ips = append(ips, ip)
	}
	servingCert, servingKey, err := j.certificate(ctx, api.SignerKubeletServing, []string{"digital signature", "server auth"}, dns, ips)
	if err != nil {
		return nil, err
	}
	if err := writeCredentials(dir, caPEM, clientCert, clientKey, servingCert, servingKey); err != nil {
		return nil, err
	}
	logf("node %s: joined; certificates kept in %s", cfg.NodeName, dir)
	return LoadCredentials(dir, cfg.NodeName)
}

// maxCABytes bounds the answer of /cacerts read before the CA is trusted.
const maxCABytes = 1 << 20

// fetchPinnedCA asks each server in turn for its CA (GET /cacerts, no
// credentials, the server not verified) until one answers, and returns
// it if its hash is want. On a mismatch it stops at once: nothing else is
// sent to anyone.
func fetchPinnedCA(ctx context.Context, servers, want string) (string, []byte, error) {
	insecure := &http.Client{Timeout: 10 * time.Second, Transport: tlsTransport(&tls.Config{InsecureSkipVerify: true})}
	var errs []error
	for _, s := range strings.Split(servers, ",") {
		s = strings.TrimRight(strings.TrimSpace(s), "/")
		if s == "" {
			continue
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s+"/cacerts", nil)
		if err != nil {
			return "", nil, fmt.Errorf("server %q: %v", s, err)
		}
		resp, err := insecure.Do(req)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", s, err))
			continue
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxCABytes))
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			errs = append(errs, fmt.Errorf("%s/cacerts answered %s (%v)", s, resp.Status, err))
			continue
		}
		if got := pki.Hash(body); got != want {
			return "", nil, fmt.Errorf("the server at %s presents a CA whose sha256 is %s, but the join token expects %s: refusing to join, and the token's secret was not sent. "+
				"Check that --server is a server of the cluster the token comes from (and that nothing in between answers in its place)", s, got, want)
		}
		return s, body, nil
	}
	if len(errs) == 0 {
		return "", nil, fmt.Errorf("no server to join: pass --server https://HOST:6443")
	}
	return "", nil, fmt.Errorf("no server answered GET /cacerts: %v", errors.Join(errs...))
}

// bearer adds the join secret to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// joiner asks the cluster for one certificate at a time.
type joiner struct {
	cfg    JoinConfig
	api    *client.Client
	logf   func(string, ...any)
	server string
}

// certificate draws a key, sends a CertificateSigningRequest for
// system:node:NAME to signer and waits for the certificate. It returns
// both in PEM.
func (j *joiner) certificate(ctx context.Context, signer string, usages, dns []string, ips []net.IP) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: "system:node:" + j.cfg.NodeName, Organization: []string{"system:nodes"}},
		DNSNames: dns, IPAddresses: ips,
	}, key)
	if err != nil {
		return nil, nil, err
	}
	csrs := client.For[*api.CertificateSigningRequest](j.api)
	created, err := csrs.Create(ctx, &api.CertificateSigningRequest{
		ObjectMeta: api.ObjectMeta{GenerateName: "node-csr-" + j.cfg.NodeName + "-"},
		Spec: api.CertificateSigningRequestSpec{Request: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}),
			SignerName: signer, Usages: usages},
	}, client.WriteOptions{})
	if err != nil {
		return nil, nil, j.explain(err)
	}
	j.logf("node %s: asked for a %s certificate (CertificateSigningRequest %s)", j.cfg.NodeName, signer, created.Name)
	cert, err := j.wait(ctx, created.Name)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if _, err := tls.X509KeyPair(cert, keyPEM); err != nil {
		return nil, nil, fmt.Errorf("CertificateSigningRequest %s: the issued certificate does not match the node's key: %v", created.Name, err)
	}
	return cert, keyPEM, nil
}

// explain turns the API's refusal of the join secret into what to do.
func (j *joiner) explain(err error) error {
	switch api.ReasonOf(err) {
	case api.ReasonUnauthorized:
		return fmt.Errorf("the server at %s refused the join token's secret (401 Unauthorized): the token is wrong, expired or deleted. "+
			"Use the contents of DATA_DIR/token on a server, or make a token with 'tinykube token create' (%v)", j.server, err)
	case api.ReasonForbidden:
		return fmt.Errorf("the server at %s accepted the join token but its identity may not create CertificateSigningRequests (403): "+
			"the cluster's RBAC lacks the node-bootstrapper binding for system:bootstrappers (%v)", j.server, err)
	}
	return fmt.Errorf("asking %s for the node's certificate: %v", j.server, err)
}

// Waiting for a certificate polls with back-off from pollFirst to
// pollMax, and says it still waits every progressEvery.
const (
	pollFirst     = 250 * time.Millisecond
	pollMax       = 5 * time.Second
	progressEvery = 15 * time.Second
)

// wait polls the request until it has a certificate, is denied or
// failed, or the timeout passes.
func (j *joiner) wait(ctx context.Context, name string) ([]byte, error) {
	timeout := j.cfg.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	csrs := client.For[*api.CertificateSigningRequest](j.api)
	delay, lastNote := pollFirst, time.Now()
	state := "not read yet"
	for {
		csr, err := csrs.Get(ctx, "", name)
		switch {
		case err == nil:
			if len(csr.Status.Certificate) > 0 {
				return csr.Status.Certificate, nil
			}
			state = "Pending"
			for _, c := range csr.Status.Conditions {
				switch c.Type {
				case api.CertificateDenied, api.CertificateFailed:
					return nil, fmt.Errorf("CertificateSigningRequest %s was %s (%s): %s", name, strings.ToLower(c.Type), c.Reason, c.Message)
				case api.CertificateApproved:
					state = "Approved, waiting for the signer"
				}
			}
		case api.ReasonOf(err) == api.ReasonUnauthorized || api.ReasonOf(err) == api.ReasonForbidden:
			return nil, j.explain(err)
		case ctx.Err() == nil:
			state = err.Error()
		}
		if time.Since(lastNote) >= progressEvery {
			j.logf("node %s: still waiting for CertificateSigningRequest %s (%s); approve it with 'tinykube certificate approve %s' if nothing approves it", j.cfg.NodeName, name, state, name)
			lastNote = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no certificate for CertificateSigningRequest %s after %v (%s): is the approver running (a server's controller manager), and was the request approved?", name, timeout, state)
		case <-time.After(delay):
		}
		delay = min(2*delay, pollMax)
	}
}

// writeCredentials keeps the CA and both key pairs in dir (0700; keys
// 0600).
func writeCredentials(dir string, caPEM, clientCert, clientKey, servingCert, servingKey []byte) error {
	if err := pki.WriteKeyPair(dir, credClient, clientCert, clientKey); err != nil {
		return err
	}
	if err := pki.WriteKeyPair(dir, credServing, servingCert, servingKey); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(dir, credCA+".tmp")
	if err := os.WriteFile(tmp, caPEM, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, credCA))
}

// LoadCredentials reads a node's credentials from dir and checks them:
// both certificates verify against the kept CA for their usage, name
// system:node:NODE, and last another day. The error says what is wrong.
func LoadCredentials(dir, node string) (*Credentials, error) {
	caPEM, err := os.ReadFile(filepath.Join(dir, credCA))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("%s is not a PEM certificate", filepath.Join(dir, credCA))
	}
	c := &Credentials{CAPEM: caPEM, CA: pool}
	for _, f := range []struct {
		name  string
		usage x509.ExtKeyUsage
		out   *tls.Certificate
	}{{credClient, x509.ExtKeyUsageClientAuth, &c.Client}, {credServing, x509.ExtKeyUsageServerAuth, &c.Serving}} {
		pair, err := tls.LoadX509KeyPair(filepath.Join(dir, f.name+".crt"), filepath.Join(dir, f.name+".key"))
		if err != nil {
			return nil, err
		}
		leaf, err := x509.ParseCertificate(pair.Certificate[0])
		if err != nil {
			return nil, err
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{f.usage}}); err != nil {
			return nil, fmt.Errorf("%s.crt: %v", f.name, err)
		}
		if want := "system:node:" + node; leaf.Subject.CommonName != want {
			return nil, fmt.Errorf("%s.crt is for %q, not %q", f.name, leaf.Subject.CommonName, want)
		}
		if time.Until(leaf.NotAfter) < renewBefore {
			return nil, fmt.Errorf("%s.crt ends at %s", f.name, leaf.NotAfter.Format(time.RFC3339))
		}
		pair.Leaf = leaf
		*f.out = pair
	}
	return c, nil
}
