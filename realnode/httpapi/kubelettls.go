package httpapi

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// KubeletTLS is how the API server reaches kubelet servers: over HTTPS,
// presenting Client (the server's kubelet client certificate, see
// controlplane.LoadOrIssueKubeletClient) and trusting a kubelet only if
// its certificate chains to CA and was issued to system:node:NAME for the
// node the request is about. A Node's published address is whatever the
// node (or anyone allowed to write Node status) says; the certificate is
// what the cluster's CA says. So a forged address reaches a kubelet that
// cannot prove to be that node, and the relay stops there.
type KubeletTLS struct {
	CA     *x509.CertPool
	Client tls.Certificate
}

// kubeletTransports keeps one transport per node, each verifying that
// node's identity, so connections to a kubelet are reused.
type kubeletTransports struct {
	tls *KubeletTLS // nil: plain HTTP (tests, and clusters built before TLS)
	mu  sync.Mutex
	by  map[string]*http.Transport
}

// scheme is the kubelet servers' URL scheme.
func (k *kubeletTransports) scheme() string {
	if k.tls == nil {
		return "http"
	}
	return "https"
}

// forNode returns the transport to node's kubelet.
func (k *kubeletTransports) forNode(node string) *http.Transport {
	k.mu.Lock()
	defer k.mu.Unlock()
	if t := k.by[node]; t != nil {
		return t
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	t := &http.Transport{DialContext: dialer.DialContext, IdleConnTimeout: 90 * time.Second}
	if k.tls != nil {
		t.TLSClientConfig = &tls.Config{
			Certificates: []tls.Certificate{k.tls.Client},
			MinVersion:   tls.VersionTLS12,
			// The host name is not what identifies a kubelet (its
			// address is the node's claim); VerifyConnection checks the
			// chain and the node's name instead.
			InsecureSkipVerify: true,
			VerifyConnection:   verifyKubelet(k.tls.CA, node),
		}
	}
	if k.by == nil {
		k.by = map[string]*http.Transport{}
	}
	k.by[node] = t
	return t
}

// verifyKubelet accepts a kubelet's certificate only if it chains to ca,
// is good for serving, and names system:node:NODE.
func verifyKubelet(ca *x509.CertPool, node string) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return fmt.Errorf("the kubelet presented no certificate")
		}
		leaf := cs.PeerCertificates[0]
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			return fmt.Errorf("the kubelet's certificate is not from the cluster CA: %v", err)
		}
		if want := "system:node:" + node; leaf.Subject.CommonName != want {
			return fmt.Errorf("the kubelet's certificate belongs to %q, not %q: refusing to relay (is the node's address forged?)", leaf.Subject.CommonName, want)
		}
		return nil
	}
}
