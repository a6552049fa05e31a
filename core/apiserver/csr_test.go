package apiserver

import (
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// testCSRPEM returns a PEM certificate request for CN=cn, O=orgs, signed
// with a key drawn from a fixed seed.
func testCSRPEM(t *testing.T, cn string, orgs ...string) []byte {
	t.Helper()
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	der, err := x509.CreateCertificateRequest(nil, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn, Organization: orgs}}, key)
	if err != nil {
		t.Fatalf("CreateCertificateRequest: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func newCSR(t *testing.T, name string) *api.CertificateSigningRequest {
	return &api.CertificateSigningRequest{
		ObjectMeta: api.ObjectMeta{Name: name},
		Spec: api.CertificateSigningRequestSpec{
			Request:    testCSRPEM(t, "system:node:n1", "system:nodes"),
			SignerName: api.SignerKubeAPIServerClientKubelet,
			Usages:     []string{"digital signature", "client auth"},
			// A client's claim about who it is: to be overwritten.
			Username: "system:masters-wannabe", Groups: []string{"system:masters"},
		},
	}
}

// doAs sends a request as user u.
func (f *fixture) doAs(u *rest.UserInfo, method, path string, body []byte) *rest.Response {
	f.t.Helper()
	return f.server.Handle(f.ctx, &rest.Request{Method: method, Path: path, ContentType: rest.ContentJSON, Body: body, User: u})
}

const csrPath = "/apis/certificates.k8s.io/v1/certificatesigningrequests"

func decodeCSR(t *testing.T, resp *rest.Response) *api.CertificateSigningRequest {
	t.Helper()
	if resp.Code/100 != 2 {
		t.Fatalf("answer %d, want 2xx: %s", resp.Code, resp.Body)
	}
	var c api.CertificateSigningRequest
	if err := json.Unmarshal(resp.Body, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func TestCSRCreateRecordsRequester(t *testing.T) {
	f := newFixture(t)
	u := &rest.UserInfo{Name: "system:bootstrap:abcdef", UID: "u-1", Groups: []string{"system:bootstrappers", "system:authenticated"},
		Extra: map[string][]string{"k": {"v"}}}
	body, _ := json.Marshal(newCSR(t, "node-csr-1"))
	got := decodeCSR(t, f.doAs(u, http.MethodPost, csrPath, body))
	want := api.CertificateSigningRequestSpec{Username: u.Name, UID: u.UID, Groups: u.Groups, Extra: u.Extra}
	gotWho := api.CertificateSigningRequestSpec{Username: got.Spec.Username, UID: got.Spec.UID, Groups: got.Spec.Groups, Extra: got.Spec.Extra}
	if diff := cmp.Diff(want, gotWho); diff != "" {
		t.Errorf("requester fields after create (-want +got):\n%s", diff)
	}
}

func TestCSRValidation(t *testing.T) {
	f := newFixture(t)
	five := int32(5)
	for _, tc := range []struct {
		name   string
		mutate func(*api.CertificateSigningRequest)
		want   string // in the message
	}{
		{"not PEM", func(c *api.CertificateSigningRequest) { c.Spec.Request = []byte("hello") }, "spec.request: Invalid value"},
		{"a certificate, not a request", func(c *api.CertificateSigningRequest) {
			c.Spec.Request = []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
		}, "PEM block type must be CERTIFICATE REQUEST"},
		{"no signer", func(c *api.CertificateSigningRequest) { c.Spec.SignerName = "" }, "spec.signerName: Required value"},
		{"bad signer", func(c *api.CertificateSigningRequest) { c.Spec.SignerName = "nodomain" }, "spec.signerName: Invalid value"},
		{"no usages", func(c *api.CertificateSigningRequest) { c.Spec.Usages = nil }, "spec.usages: Required value"},
		{"unknown usage", func(c *api.CertificateSigningRequest) { c.Spec.Usages = []string{"client auth", "flying"} }, `spec.usages[1]: Unsupported value: "flying"`},
		{"repeated usage", func(c *api.CertificateSigningRequest) { c.Spec.Usages = []string{"client auth", "client auth"} }, "spec.usages[1]: Duplicate value"},
		{"too short", func(c *api.CertificateSigningRequest) { c.Spec.ExpirationSeconds = &five }, "spec.expirationSeconds: Invalid value: 5"},
	} {
		c := newCSR(t, "bad")
		tc.mutate(c)
		body, _ := json.Marshal(c)
		resp := f.do(http.MethodPost, csrPath, rest.ContentJSON, string(body))
		if resp.Code != http.StatusUnprocessableEntity || !strings.Contains(status(t, resp).Message, tc.want) {
			t.Errorf("%s: create = %d %s, want 422 saying %q", tc.name, resp.Code, resp.Body, tc.want)
		}
	}
}

// TestCSRSubresources: /approval writes Approved/Denied only, /status the
// certificate and Failed only, the object itself neither, and the spec
// never changes.
func TestCSRSubresources(t *testing.T) {
	f := newFixture(t)
	csrs := client.For[*api.CertificateSigningRequest](f.client)
	created, err := csrs.Create(f.ctx, newCSR(t, "c1"), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	put := func(sub string, c *api.CertificateSigningRequest) *rest.Response {
		body, _ := json.Marshal(c)
		p := csrPath + "/" + c.Name
		if sub != "" {
			p += "/" + sub
		}
		return f.do(http.MethodPut, p, rest.ContentJSON, string(body))
	}
	approved := api.CertificateSigningRequestCondition{Type: api.CertificateApproved, Status: "True", Reason: "KubectlApprove"}
	failed := api.CertificateSigningRequestCondition{Type: api.CertificateFailed, Status: "True", Reason: "SignerValidationFailure"}
	cert := []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")

	// The main resource: status and spec edits are dropped.
	w := api.DeepCopy(created)
	w.Status.Conditions = []api.CertificateSigningRequestCondition{approved}
	w.Spec.SignerName = "example.com/other"
	w.Labels = map[string]string{"a": "b"}
	got := decodeCSR(t, put("", w))
	if len(got.Status.Conditions) != 0 || got.Spec.SignerName != api.SignerKubeAPIServerClientKubelet || got.Labels["a"] != "b" {
		t.Errorf("PUT of the object = conditions %v, signer %q, labels %v; want no conditions, the old signer, the new label",
			got.Status.Conditions, got.Spec.SignerName, got.Labels)
	}

	// /status cannot approve.
	w = api.DeepCopy(got)
	w.Status.Conditions = []api.CertificateSigningRequestCondition{approved}
	got = decodeCSR(t, put("status", w))
	if len(got.Status.Conditions) != 0 {
		t.Errorf("PUT /status with Approved = conditions %v, want none", got.Status.Conditions)
	}

	// /approval approves, and cannot write a certificate, Failed, or the spec.
	w = api.DeepCopy(got)
	w.Status.Conditions = []api.CertificateSigningRequestCondition{approved, failed}
	w.Status.Certificate = cert
	w.Spec.Usages = []string{"server auth"}
	got = decodeCSR(t, put("approval", w))
	if diff := cmp.Diff([]api.CertificateSigningRequestCondition{approved}, got.Status.Conditions); diff != "" || got.Status.Certificate != nil || got.Spec.Usages[1] != "client auth" {
		t.Errorf("PUT /approval: conditions (-want +got):\n%s certificate %q usages %v, want no certificate and the old usages", diff, got.Status.Certificate, got.Spec.Usages)
	}

	// /status writes the certificate and keeps the approval it did not send.
	w = api.DeepCopy(got)
	w.Status.Conditions = nil
	w.Status.Certificate = cert
	got = decodeCSR(t, put("status", w))
	if diff := cmp.Diff([]api.CertificateSigningRequestCondition{approved}, got.Status.Conditions); diff != "" || string(got.Status.Certificate) != string(cert) {
		t.Errorf("PUT /status with a certificate: conditions (-want +got):\n%s certificate %q", diff, got.Status.Certificate)
	}

	// Once approved, a request cannot be denied; once issued, the
	// certificate stays.
	w = api.DeepCopy(got)
	w.Status.Conditions = []api.CertificateSigningRequestCondition{{Type: api.CertificateDenied, Status: "True"}}
	if resp := put("approval", w); resp.Code != http.StatusUnprocessableEntity {
		t.Errorf("PUT /approval replacing Approved by Denied = %d %s, want 422", resp.Code, resp.Body)
	}
	w = api.DeepCopy(got)
	w.Status.Certificate = []byte("-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n")
	if resp := put("status", w); resp.Code != http.StatusUnprocessableEntity || !strings.Contains(status(t, resp).Message, "may not modify existing certificate") {
		t.Errorf("PUT /status with another certificate = %d %s, want 422", resp.Code, resp.Body)
	}
}

// TestCSRStatusNeedsApproval: the signer cannot issue a certificate for a
// request nobody approved.
func TestCSRStatusNeedsApproval(t *testing.T) {
	f := newFixture(t)
	csrs := client.For[*api.CertificateSigningRequest](f.client)
	c, err := csrs.Create(f.ctx, newCSR(t, "c1"), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c.Status.Certificate = []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	_, err = csrs.UpdateStatus(f.ctx, c, client.WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), "may only be set on a request with an Approved condition") {
		t.Errorf("UpdateStatus with a certificate before approval = %v, want a refusal", err)
	}
}

// TestCSRApprovalRoute: /approval exists for CSRs only.
func TestCSRApprovalRoute(t *testing.T) {
	f := newFixture(t)
	if resp := f.do(http.MethodPut, "/api/v1/namespaces/default/pods/p/approval", rest.ContentJSON, "{}"); resp.Code != http.StatusNotFound {
		t.Errorf("PUT pods/p/approval = %d, want 404", resp.Code)
	}
}
