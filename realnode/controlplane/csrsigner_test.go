package controlplane

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/realnode/pki"
)

func testCA(t *testing.T) *pki.CA {
	t.Helper()
	ca, err := pki.LoadOrCreateCA(t.TempDir(), "test-ca")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func csrPEM(t *testing.T, tmpl x509.CertificateRequest) []byte {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificateRequest(rand.Reader, &tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func TestSignRequest(t *testing.T) {
	ca := testCA(t)
	node := pkix.Name{CommonName: "system:node:n1", Organization: []string{"system:nodes"}}
	hour := int32(3600)
	for _, tc := range []struct {
		name    string
		signer  string
		tmpl    x509.CertificateRequest
		usages  []string
		exp     *int32
		wantErr string
		want    x509.ExtKeyUsage
	}{
		{"node client", api.SignerKubeAPIServerClientKubelet, x509.CertificateRequest{Subject: node}, []string{"client auth"}, &hour, "", x509.ExtKeyUsageClientAuth},
		{"kubelet serving", api.SignerKubeletServing, x509.CertificateRequest{Subject: node, IPAddresses: []net.IP{net.ParseIP("10.0.0.1")}, DNSNames: []string{"n1"}}, []string{"server auth"}, nil, "", x509.ExtKeyUsageServerAuth},
		{"user client", api.SignerKubeAPIServerClient, x509.CertificateRequest{Subject: pkix.Name{CommonName: "alice", Organization: []string{"dev"}}}, []string{"client auth"}, nil, "", x509.ExtKeyUsageClientAuth},
		{"user asks for masters", api.SignerKubeAPIServerClient, x509.CertificateRequest{Subject: pkix.Name{CommonName: "alice", Organization: []string{"system:masters"}}}, []string{"client auth"}, nil, "system:masters", 0},
		{"user asks for etcd's client name", api.SignerKubeAPIServerClient, x509.CertificateRequest{Subject: pkix.Name{CommonName: EtcdClientCN}}, []string{"client auth"}, nil, "control-plane certificate", 0},
		{"user asks for the kubelets' client name", api.SignerKubeAPIServerClient, x509.CertificateRequest{Subject: pkix.Name{CommonName: "kube-apiserver-kubelet-client"}}, []string{"client auth"}, nil, "control-plane certificate", 0},
		{"node client with a name", api.SignerKubeAPIServerClientKubelet, x509.CertificateRequest{Subject: node, DNSNames: []string{"x"}}, []string{"client auth"}, nil, "names no hosts", 0},
		{"unknown signer", "example.com/mine", x509.CertificateRequest{Subject: node}, []string{"client auth"}, nil, "not one this cluster signs", 0},
	} {
		csr := &api.CertificateSigningRequest{Spec: api.CertificateSigningRequestSpec{
			Request: csrPEM(t, tc.tmpl), SignerName: tc.signer, Usages: tc.usages, ExpirationSeconds: tc.exp}}
		certPEM, err := SignRequest(ca, csr)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: SignRequest error = %v, want one saying %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: SignRequest: %v", tc.name, err)
			continue
		}
		cert, err := pki.ParseCertificate(certPEM)
		if err != nil {
			t.Fatal(err)
		}
		if cert.Subject.CommonName != tc.tmpl.Subject.CommonName || !slices.Equal(cert.Subject.Organization, tc.tmpl.Subject.Organization) ||
			!slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{tc.want}) || len(cert.IPAddresses) != len(tc.tmpl.IPAddresses) {
			t.Errorf("%s: issued subject %v usages %v IPs %v, want the request's subject, usage %v, IPs %v",
				tc.name, cert.Subject, cert.ExtKeyUsage, cert.IPAddresses, tc.want, tc.tmpl.IPAddresses)
		}
		if _, err := cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{tc.want}}); err != nil {
			t.Errorf("%s: issued certificate does not verify: %v", tc.name, err)
		}
		if tc.exp != nil && cert.NotAfter.Sub(cert.NotBefore) > 2*3600*1e9 {
			t.Errorf("%s: validity %v, want about an hour", tc.name, cert.NotAfter.Sub(cert.NotBefore))
		}
	}
}

// TestCSRSignerSignsApproved: an approved request gets its certificate,
// a pending one nothing, an approved one the rules refuse a Failed
// condition.
func TestCSRSignerSignsApproved(t *testing.T) {
	ca := testCA(t)
	e := clienttest.New(t, 1, 2)
	s := StartCSRSigner(e.Loop, client.New(e.Transport), ca)
	defer s.Stop()
	csrs := client.For[*api.CertificateSigningRequest](e.Client)
	ctx := context.Background()
	node := pkix.Name{CommonName: "system:node:n1", Organization: []string{"system:nodes"}}
	mk := func(name, signer string, tmpl x509.CertificateRequest, approve bool) {
		_, err := csrs.Create(ctx, &api.CertificateSigningRequest{ObjectMeta: api.ObjectMeta{Name: name},
			Spec: api.CertificateSigningRequestSpec{Request: csrPEM(t, tmpl), SignerName: signer, Usages: []string{"client auth"}}}, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if approve {
			if _, err := csrs.Patch(ctx, "", name, "application/merge-patch+json",
				[]byte(`{"status":{"conditions":[{"type":"Approved","status":"True","reason":"Test"}]}}`), "approval", client.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	mk("approved", api.SignerKubeAPIServerClientKubelet, x509.CertificateRequest{Subject: node}, true)
	mk("pending", api.SignerKubeAPIServerClientKubelet, x509.CertificateRequest{Subject: node}, false)
	mk("bad", api.SignerKubeAPIServerClientKubelet, x509.CertificateRequest{Subject: pkix.Name{CommonName: "root"}}, true)
	e.Settle()
	for _, tc := range []struct {
		name       string
		wantCert   bool
		wantFailed bool
	}{{"approved", true, false}, {"pending", false, false}, {"bad", false, true}} {
		got, err := csrs.Get(ctx, "", tc.name)
		if err != nil {
			t.Fatal(err)
		}
		failed := slices.ContainsFunc(got.Status.Conditions, func(c api.CertificateSigningRequestCondition) bool { return c.Type == api.CertificateFailed })
		if (len(got.Status.Certificate) > 0) != tc.wantCert || failed != tc.wantFailed {
			t.Errorf("CSR %s: certificate %v, Failed %v; want %v, %v (conditions %v)", tc.name, len(got.Status.Certificate) > 0, failed, tc.wantCert, tc.wantFailed, got.Status.Conditions)
		}
	}
}

func TestLoadOrIssueKubeletClient(t *testing.T) {
	ca := testCA(t)
	dir := t.TempDir()
	first, err := LoadOrIssueKubeletClient(dir, ca)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(first.Certificate[0])
	if leaf.Subject.CommonName != "kube-apiserver-kubelet-client" || len(leaf.Subject.Organization) != 0 {
		t.Errorf("kubelet client subject = %v, want CN=kube-apiserver-kubelet-client and no groups", leaf.Subject)
	}
	again, err := LoadOrIssueKubeletClient(dir, ca)
	if err != nil || string(again.Certificate[0]) != string(first.Certificate[0]) {
		t.Errorf("second LoadOrIssueKubeletClient issued anew (err %v), want the kept one", err)
	}
	// Another CA (a new cluster in the same dir): issue again.
	other := testCA(t)
	third, err := LoadOrIssueKubeletClient(dir, other)
	if err != nil || string(third.Certificate[0]) == string(first.Certificate[0]) {
		t.Errorf("LoadOrIssueKubeletClient with another CA kept the old certificate (err %v)", err)
	}
}
