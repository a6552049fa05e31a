package csrapproving

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net"
	"net/url"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

// request builds a PEM certificate request from tmpl, signed by a key
// drawn from a fixed seed.
func request(t *testing.T, tmpl x509.CertificateRequest) []byte {
	t.Helper()
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	der, err := x509.CreateCertificateRequest(nil, &tmpl, key)
	if err != nil {
		t.Fatalf("CreateCertificateRequest: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

var n1Subject = pkix.Name{CommonName: "system:node:n1", Organization: []string{"system:nodes"}}

func csr(t *testing.T, signer string, tmpl x509.CertificateRequest, user string, groups []string, usages ...string) *api.CertificateSigningRequest {
	return &api.CertificateSigningRequest{
		ObjectMeta: api.ObjectMeta{Name: "node-csr"},
		Spec: api.CertificateSigningRequestSpec{Request: request(t, tmpl), SignerName: signer, Usages: usages,
			Username: user, Groups: groups},
	}
}

func TestApprove(t *testing.T) {
	boot := []string{"system:bootstrappers", "system:authenticated"}
	node := []string{"system:nodes", "system:authenticated"}
	plain := x509.CertificateRequest{Subject: n1Subject}
	serving := x509.CertificateRequest{Subject: n1Subject, DNSNames: []string{"n1"}, IPAddresses: []net.IP{net.ParseIP("10.0.0.1")}}
	client, srv := api.SignerKubeAPIServerClientKubelet, api.SignerKubeletServing
	for _, tc := range []struct {
		name string
		csr  *api.CertificateSigningRequest
		want bool
	}{
		{"joining node's client certificate", csr(t, client, plain, "system:bootstrap:abcdef", boot, "digital signature", "client auth"), true},
		{"renewal by the node itself", csr(t, client, plain, "system:node:n1", node, "client auth", "key encipherment"), true},
		{"another node asks for n1", csr(t, client, plain, "system:node:n2", node, "client auth"), false},
		{"an ordinary user", csr(t, client, plain, "alice", []string{"system:authenticated"}, "client auth"), false},
		{"client certificate with a name", csr(t, client, serving, "system:bootstrap:abcdef", boot, "client auth"), false},
		{"client certificate asking server auth too", csr(t, client, plain, "system:bootstrap:abcdef", boot, "client auth", "server auth"), false},
		{"client certificate without client auth", csr(t, client, plain, "system:bootstrap:abcdef", boot, "digital signature"), false},
		{"admin's subject", csr(t, client, x509.CertificateRequest{Subject: pkix.Name{CommonName: "kubernetes-admin", Organization: []string{"system:masters"}}}, "system:bootstrap:abcdef", boot, "client auth"), false},
		{"nodes and masters", csr(t, client, x509.CertificateRequest{Subject: pkix.Name{CommonName: "system:node:n1", Organization: []string{"system:nodes", "system:masters"}}}, "system:bootstrap:abcdef", boot, "client auth"), false},
		{"no organization", csr(t, client, x509.CertificateRequest{Subject: pkix.Name{CommonName: "system:node:n1"}}, "system:bootstrap:abcdef", boot, "client auth"), false},
		{"kubelet serving from the node", csr(t, srv, serving, "system:node:n1", node, "digital signature", "key encipherment", "server auth"), true},
		{"kubelet serving from a bootstrapper", csr(t, srv, serving, "system:bootstrap:abcdef", boot, "server auth"), true},
		{"kubelet serving for another node", csr(t, srv, serving, "system:node:n2", node, "server auth"), false},
		{"kubelet serving without names", csr(t, srv, plain, "system:node:n1", node, "server auth"), false},
		{"kubelet serving with a URI", csr(t, srv, x509.CertificateRequest{Subject: n1Subject, DNSNames: []string{"n1"}, URIs: []*url.URL{{Scheme: "spiffe", Host: "x"}}}, "system:node:n1", node, "server auth"), false},
		{"kubelet serving with client auth", csr(t, srv, serving, "system:node:n1", node, "server auth", "client auth"), false},
		{"another signer", csr(t, api.SignerKubeAPIServerClient, plain, "system:bootstrap:abcdef", boot, "client auth"), false},
	} {
		got, why := Approve(tc.csr)
		if got != tc.want {
			t.Errorf("%s: Approve = %v (%s), want %v", tc.name, got, why, tc.want)
		}
		if !got && why == "" {
			t.Errorf("%s: Approve refused without saying why", tc.name)
		}
	}
}

// TestControllerApproves: the controller approves a joining node's
// request through /approval and leaves a stranger's pending.
func TestControllerApproves(t *testing.T) {
	e := clienttest.New(t, 1, 2)
	c := New(Config{Loop: e.Loop, Client: client.New(e.Transport)})
	c.Start()
	defer c.Stop()
	csrs := client.For[*api.CertificateSigningRequest](e.Client)
	ctx := context.Background()
	good := csr(t, api.SignerKubeAPIServerClientKubelet, x509.CertificateRequest{Subject: n1Subject}, "system:bootstrap:abcdef", []string{"system:bootstrappers"}, "client auth")
	good.Name = "good"
	bad := csr(t, api.SignerKubeAPIServerClient, x509.CertificateRequest{Subject: n1Subject}, "alice", nil, "client auth")
	bad.Name = "bad"
	for _, r := range []*api.CertificateSigningRequest{good, bad} {
		if _, err := csrs.Create(ctx, r, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	e.Settle()
	for name, want := range map[string]string{"good": ReasonAutoApproved, "bad": ""} {
		got, err := csrs.Get(ctx, "", name)
		if err != nil {
			t.Fatal(err)
		}
		reason := ""
		for _, cond := range got.Status.Conditions {
			if cond.Type == api.CertificateApproved {
				reason = cond.Reason
			}
		}
		if reason != want {
			t.Errorf("CSR %s: Approved reason = %q, want %q (conditions %v)", name, reason, want, got.Status.Conditions)
		}
	}
}
