package controlplane

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tinykube/tinykube/realnode/kubeletserver"
	"github.com/tinykube/tinykube/realnode/pki"
)

// kubeletClientName is the file name (without .crt/.key) of the
// certificate a server shows the kubelets, in DATA_DIR/pki.
const kubeletClientName = "kubelet-client"

// kubeletClientRenewBefore: a kubelet client certificate this close to
// its end is replaced at the next start.
const kubeletClientRenewBefore = 30 * 24 * time.Hour

// LoadOrIssueKubeletClient returns the client certificate this server
// shows kubelet servers (common name kubeletserver.APIServerClientName,
// no groups: it opens the kubelets' logs and exec and nothing of the
// API), kept in dir as kubelet-client.crt and .key (0600). It issues a
// new one from ca when there is none, it no longer verifies against ca,
// or it ends within 30 days. Each server of a cluster keeps its own.
func LoadOrIssueKubeletClient(dir string, ca *pki.CA) (tls.Certificate, error) {
	certFile := filepath.Join(dir, kubeletClientName+".crt")
	keyFile := filepath.Join(dir, kubeletClientName+".key")
	certPEM, cerr := os.ReadFile(certFile)
	keyPEM, kerr := os.ReadFile(keyFile)
	if cerr == nil && kerr == nil {
		if pair, err := tls.X509KeyPair(certPEM, keyPEM); err == nil && stillGood(pair, ca) {
			return pair, nil
		}
	} else if e := errors.Join(cerr, kerr); !errors.Is(e, os.ErrNotExist) {
		return tls.Certificate{}, fmt.Errorf("reading the kubelet client certificate in %s: %v", dir, e)
	}
	certPEM, keyPEM, err := ca.Issue(pki.Request{CommonName: kubeletserver.APIServerClientName, Client: true})
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("issuing the kubelet client certificate: %v", err)
	}
	if err := pki.WriteKeyPair(dir, kubeletClientName, certPEM, keyPEM); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

// stillGood: pair's leaf is signed by ca and lasts another 30 days.
func stillGood(pair tls.Certificate, ca *pki.CA) bool {
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil || time.Until(leaf.NotAfter) < kubeletClientRenewBefore {
		return false
	}
	_, err = leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	return err == nil
}
