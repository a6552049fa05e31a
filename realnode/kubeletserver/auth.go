package kubeletserver

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
)

// APIServerClientName is the common name of the client certificate the
// API server shows the kubelet (issued by the cluster CA, kept in the
// server's DATA_DIR/pki). The kubelet server answers it and nobody else:
// logs, exec, attach and port-forward reach into pods, and only the API
// server, which authorized the user's request, may ask for them. The
// stats summary is read with the same certificate (Kubernetes authorizes
// it as nodes/stats; here the certificate is the whole authorization).
const APIServerClientName = "kube-apiserver-kubelet-client"

// TLSConfig is the kubelet server's TLS: it presents serving (the node's
// kubelet-serving certificate) and verifies a client certificate against
// clientCAs when one is shown. A missing or unverified certificate does
// not fail the handshake; RequireAPIServer answers it 401, so that the
// client reads why.
func TLSConfig(serving tls.Certificate, clientCAs *x509.CertPool) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{serving},
		ClientCAs:    clientCAs,
		ClientAuth:   tls.VerifyClientCertIfGiven,
		MinVersion:   tls.VersionTLS12,
	}
}

// RequireAPIServer answers 401 to every request that did not come over
// TLS with a client certificate verified against the server's client CAs
// and named APIServerClientName, and passes the others to next.
func RequireAPIServer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fromAPIServer(r) {
			writeError(w, api.NewStatusError(http.StatusUnauthorized, api.ReasonUnauthorized, nil,
				"Unauthorized: the kubelet serves only the API server (a client certificate from the cluster CA named %s); use kubectl logs, exec, attach or port-forward through the API server", APIServerClientName))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// fromAPIServer: r's TLS connection carries a verified chain whose leaf
// is the API server's kubelet client certificate.
func fromAPIServer(r *http.Request) bool {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
		return false
	}
	leaf := r.TLS.VerifiedChains[0][0]
	if leaf.Subject.CommonName != APIServerClientName {
		return false
	}
	for _, u := range leaf.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth {
			return true
		}
	}
	return false
}
