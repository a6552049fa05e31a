package csrapproving

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
)

// ReasonAutoApproved is the reason of the Approved condition the
// controller writes.
const ReasonAutoApproved = "AutoApproved"

// Approve reports whether csr is a node's request for its own
// certificate that the cluster grants without a human, and if not, why
// not (a sentence naming the rule that failed). The rules:
//
//   - signer kubernetes.io/kube-apiserver-client-kubelet: the subject is
//     exactly CN=system:node:NAME, O=system:nodes; no names (DNS, IP,
//     email, URI); usages "client auth", optionally with "digital
//     signature" and "key encipherment"; asked by a member of
//     system:bootstrappers (a joining node) or by system:node:NAME itself
//     (a renewal).
//   - signer kubernetes.io/kubelet-serving: the same subject; at least one
//     name, DNS names and IP addresses only; usages "server auth",
//     optionally with "digital signature" and "key encipherment"; asked
//     by system:node:NAME itself or a bootstrapper.
//
// Approve reads only csr (spec.username and groups are the API server's
// record of who asked, not the client's claim).
func Approve(csr *api.CertificateSigningRequest) (bool, string) {
	node, _, why := CheckNodeRequest(csr)
	if why != "" {
		return false, why
	}
	if why := requesterMayAsk(csr, node); why != "" {
		return false, why
	}
	return true, ""
}

// CheckNodeRequest checks the shape of a request to a node signer — all
// of Approve's rules but the one about who asked — and returns the node
// it names and the parsed request, or why it is not a node certificate
// request. The signer checks the same before it signs.
func CheckNodeRequest(csr *api.CertificateSigningRequest) (node string, req *x509.CertificateRequest, why string) {
	var usage string
	switch csr.Spec.SignerName {
	case api.SignerKubeAPIServerClientKubelet:
		usage = "client auth"
	case api.SignerKubeletServing:
		usage = "server auth"
	default:
		return "", nil, fmt.Sprintf("signer %q is not a node signer", csr.Spec.SignerName)
	}
	req, err := api.ParseCertificateRequest(csr.Spec.Request)
	if err != nil {
		return "", nil, "spec.request: " + err.Error()
	}
	node, why = nodeSubject(req)
	if why != "" {
		return "", nil, why
	}
	if why := checkUsages(csr.Spec.Usages, usage); why != "" {
		return "", nil, why
	}
	if len(req.EmailAddresses) > 0 || len(req.URIs) > 0 {
		return "", nil, "the request names email addresses or URIs; a node certificate has none"
	}
	switch csr.Spec.SignerName {
	case api.SignerKubeAPIServerClientKubelet:
		if len(req.DNSNames) > 0 || len(req.IPAddresses) > 0 {
			return "", nil, "a node client certificate names no hosts, but the request has DNS or IP names"
		}
	case api.SignerKubeletServing:
		if len(req.DNSNames)+len(req.IPAddresses) == 0 {
			return "", nil, "a kubelet serving certificate needs at least one DNS name or IP address"
		}
	}
	return node, req, ""
}

// nodeSubject returns NAME of a subject that is exactly
// CN=system:node:NAME, O=system:nodes, or why the subject is not.
func nodeSubject(req *x509.CertificateRequest) (string, string) {
	s := req.Subject
	node, ok := strings.CutPrefix(s.CommonName, "system:node:")
	if !ok || node == "" {
		return "", fmt.Sprintf("the subject's common name %q is not system:node:NAME", s.CommonName)
	}
	if !slices.Equal(s.Organization, []string{auth.Nodes}) {
		return "", fmt.Sprintf("the subject's organizations %q are not exactly [%s]", s.Organization, auth.Nodes)
	}
	if len(s.Country)+len(s.Province)+len(s.Locality)+len(s.StreetAddress)+len(s.PostalCode)+len(s.OrganizationalUnit) > 0 || s.SerialNumber != "" {
		return "", "the subject has more than a common name and the organization " + auth.Nodes
	}
	return node, ""
}

// requesterMayAsk says why the requester may not ask for node's
// certificate ("" when it may): it must be a bootstrapper or the node.
func requesterMayAsk(csr *api.CertificateSigningRequest, node string) string {
	if slices.Contains(csr.Spec.Groups, auth.Bootstrappers) {
		return ""
	}
	if csr.Spec.Username == "system:node:"+node && slices.Contains(csr.Spec.Groups, auth.Nodes) {
		return ""
	}
	return fmt.Sprintf("requester %q is neither in %s nor node %s itself", csr.Spec.Username, auth.Bootstrappers, node)
}

// checkUsages says why usages are not want plus optionally "digital
// signature" and "key encipherment" ("" when they are).
func checkUsages(usages []string, want string) string {
	if !slices.Contains(usages, want) {
		return fmt.Sprintf("the usages %q do not include %q", usages, want)
	}
	for _, u := range usages {
		if u != want && u != "digital signature" && u != "key encipherment" {
			return fmt.Sprintf("usage %q is not one a node certificate of this signer has", u)
		}
	}
	return ""
}

// decided reports whether csr was approved or denied already, or has its
// certificate.
func decided(csr *api.CertificateSigningRequest) bool {
	if len(csr.Status.Certificate) > 0 {
		return true
	}
	for _, c := range csr.Status.Conditions {
		if c.Type == api.CertificateApproved || c.Type == api.CertificateDenied {
			return true
		}
	}
	return false
}
