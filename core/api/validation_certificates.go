package api

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// KeyUsages are the usages a CertificateSigningRequest may ask for, as
// Kubernetes spells them (certificates.k8s.io/v1 KeyUsage).
var KeyUsages = []string{
	"signing", "digital signature", "content commitment", "key encipherment",
	"key agreement", "data encipherment", "cert sign", "crl sign",
	"encipher only", "decipher only", "any", "server auth", "client auth",
	"code signing", "email protection", "s/mime", "ipsec end system",
	"ipsec tunnel", "ipsec user", "timestamping", "ocsp signing",
	"microsoft sgc", "netscape sgc",
}

// MinCSRExpirationSeconds is the shortest certificate a request may ask
// for (ten minutes, as in Kubernetes).
const MinCSRExpirationSeconds = 600

// ParseCertificateRequest parses a CertificateSigningRequest's
// spec.request: one PEM block of type CERTIFICATE REQUEST holding a
// PKCS#10 request whose signature checks out (the requester holds the
// key). The error says which of these failed.
func ParseCertificateRequest(request []byte) (*x509.CertificateRequest, error) {
	block, _ := pem.Decode(request)
	if block == nil {
		return nil, errors.New("PEM block type must be CERTIFICATE REQUEST")
	}
	if block.Type != "CERTIFICATE REQUEST" {
		return nil, fmt.Errorf("PEM block type must be CERTIFICATE REQUEST, not %s", block.Type)
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the PKCS#10 request does not parse: %v", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("the request's signature does not verify: %v", err)
	}
	return csr, nil
}

// validateCertificateSigningRequest checks a request as created: the
// name, a parseable PEM request, a signer name of the form
// "example.com/signer-name", known usages without repeats and a duration
// of at least ten minutes. spec.username and the other requester fields
// are the API server's, not checked here.
func validateCertificateSigningRequest(csr *CertificateSigningRequest) FieldErrors {
	errs := validateObjectMeta(&csr.ObjectMeta, false, isPathSegmentName, "metadata")
	spec := path("spec")
	if _, err := ParseCertificateRequest(csr.Spec.Request); err != nil {
		errs = append(errs, FieldInvalid(spec.child("request").String(), "<PEM data>", err.Error()))
	}
	switch {
	case csr.Spec.SignerName == "":
		errs = append(errs, FieldRequired(spec.child("signerName").String(), ""))
	default:
		for _, msg := range isSignerName(csr.Spec.SignerName) {
			errs = append(errs, FieldInvalid(spec.child("signerName").String(), csr.Spec.SignerName, msg))
		}
	}
	if e := csr.Spec.ExpirationSeconds; e != nil && *e < MinCSRExpirationSeconds {
		errs = append(errs, FieldInvalid(spec.child("expirationSeconds").String(), *e, "may not specify a duration less than 600 seconds (10 minutes)"))
	}
	if len(csr.Spec.Usages) == 0 {
		errs = append(errs, FieldRequired(spec.child("usages").String(), "usages must be provided"))
	}
	seen := map[string]bool{}
	for i, u := range csr.Spec.Usages {
		p := spec.child("usages").index(i).String()
		switch {
		case !slices.Contains(KeyUsages, u):
			errs = append(errs, FieldNotSupported(p, u, KeyUsages))
		case seen[u]:
			errs = append(errs, FieldDuplicate(p, u))
		}
		seen[u] = true
	}
	return errs
}

// isPathSegmentName accepts any name that can be one segment of a URL
// path, as Kubernetes does for CertificateSigningRequests (whose names are
// often hashes: "node-csr-…").
func isPathSegmentName(s string) []string {
	switch {
	case s == "." || s == "..":
		return []string{fmt.Sprintf("may not be '%s'", s)}
	case strings.ContainsAny(s, "/%"):
		return []string{"may not contain '/' or '%'"}
	}
	return nil
}

// isSignerName checks "domain/path": a DNS subdomain, a slash, and a
// non-empty rest.
func isSignerName(s string) []string {
	domain, rest, ok := strings.Cut(s, "/")
	if !ok || rest == "" || len(IsDNS1123Subdomain(domain)) > 0 {
		return []string{"must be a fully qualified domain and path of the form 'example.com/signer-name'"}
	}
	return nil
}

// validateCertificateSigningRequestUpdate checks what a write may do to
// a request's status, whichever subresource it came through: Approved and
// Denied have status "True", exclude each other and, once set, stay;
// no condition type appears twice; a certificate is PEM, appears only on
// an approved request and, once written, never changes. (Which
// subresource may change which part is the API server's strategy.)
func validateCertificateSigningRequestUpdate(n, o *CertificateSigningRequest) FieldErrors {
	var errs FieldErrors
	p := path("status").child("conditions")
	seen := map[string]bool{}
	for i, c := range n.Status.Conditions {
		ip := p.index(i)
		if c.Type == "" {
			errs = append(errs, FieldRequired(ip.child("type").String(), ""))
		}
		if seen[c.Type] && (c.Type == CertificateApproved || c.Type == CertificateDenied || c.Type == CertificateFailed) {
			errs = append(errs, FieldDuplicate(ip.child("type").String(), c.Type))
		}
		seen[c.Type] = true
		switch c.Type {
		case CertificateApproved, CertificateDenied:
			if c.Status != string(ConditionTrue) {
				errs = append(errs, FieldNotSupported(ip.child("status").String(), c.Status, []string{string(ConditionTrue)}))
			}
		default:
			if c.Status != string(ConditionTrue) && c.Status != string(ConditionFalse) && c.Status != string(ConditionUnknown) {
				errs = append(errs, FieldNotSupported(ip.child("status").String(), c.Status, []string{string(ConditionTrue), string(ConditionFalse), string(ConditionUnknown)}))
			}
		}
	}
	if seen[CertificateApproved] && seen[CertificateDenied] {
		errs = append(errs, FieldInvalid(p.String(), "Approved, Denied", "Approved and Denied conditions are mutually exclusive"))
	}
	for _, c := range o.Status.Conditions {
		if (c.Type == CertificateApproved || c.Type == CertificateDenied || c.Type == CertificateFailed) && !seen[c.Type] {
			errs = append(errs, FieldForbidden(p.String(), fmt.Sprintf("updates may not remove a condition of type %q", c.Type)))
		}
	}
	cp := path("status").child("certificate").String()
	if len(n.Status.Certificate) > 0 {
		if len(o.Status.Certificate) > 0 && string(n.Status.Certificate) != string(o.Status.Certificate) {
			errs = append(errs, FieldForbidden(cp, "updates may not modify existing certificate content"))
		}
		if !seen[CertificateApproved] {
			errs = append(errs, FieldForbidden(cp, "may only be set on a request with an Approved condition"))
		}
		if block, _ := pem.Decode(n.Status.Certificate); block == nil || block.Type != "CERTIFICATE" {
			errs = append(errs, FieldInvalid(cp, "<certificate data>", "must be PEM CERTIFICATE blocks"))
		}
	} else if len(o.Status.Certificate) > 0 {
		errs = append(errs, FieldForbidden(cp, "updates may not remove existing certificate content"))
	}
	return errs
}
