package controlplane

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/csrapproving"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/realnode/kubeletserver"
	"github.com/tinykube/tinykube/realnode/pki"
)

// The CSR signer issues the certificates that CertificateSigningRequests
// ask for, once someone approved them: a node's client and serving
// certificates (approved by csrapproving) and users' client certificates
// (approved by a human with kubectl certificate approve). It signs from
// the cluster CA, so it runs in a server; it checks each request against
// its signer's rules again before signing (approval is a decision about
// who asked, the rules are about what the certificate may say), and
// writes the certificate, or a Failed condition saying why not, through
// /status.

// Signer rules, condition reasons.
const (
	reasonSignerFailure = "SignerValidationFailure"
	// defaultCertValidity is how long an issued certificate lasts when
	// the request does not say.
	defaultCertValidity = 365 * 24 * time.Hour
)

// CSRSigner signs approved requests for the signers it knows. It lives
// on one loop.
type CSRSigner struct {
	ca     *pki.CA
	client *client.Client
	csrs   *client.Informer[*api.CertificateSigningRequest]
	queue  *client.Queue
}

// StartCSRSigner starts a signer on l that watches requests through c and
// signs with ca. Run it where the controller manager runs (under its
// leader election: one signer acts at a time), e.g. as one more start of
// the kube-controller-manager group in startControllers:
//
//	func(l *runloop.Loop, c *client.Client) { StartCSRSigner(l, c, s.CA()) }
//
// Contract: called on l.
func StartCSRSigner(l loop.Loop, c *client.Client, ca *pki.CA) *CSRSigner {
	s := &CSRSigner{ca: ca, client: c}
	s.csrs = client.NewInformer[*api.CertificateSigningRequest](l, c, "", client.ListOptions{})
	s.queue = client.NewQueue(l, s.reconcile)
	enqueue := func(csr *api.CertificateSigningRequest) {
		if toSign(csr) {
			s.queue.Add(client.Key(csr))
		}
	}
	s.csrs.AddHandlers(client.Handlers[*api.CertificateSigningRequest]{
		Add:    enqueue,
		Update: func(_, csr *api.CertificateSigningRequest) { enqueue(csr) },
	})
	s.csrs.Start()
	return s
}

// Stop stops the signer.
func (s *CSRSigner) Stop() {
	s.queue.Stop()
	s.csrs.Stop()
}

// toSign: approved, not denied or failed, no certificate yet, and for a
// signer this one serves.
func toSign(csr *api.CertificateSigningRequest) bool {
	if len(csr.Status.Certificate) > 0 || !slices.Contains(signers, csr.Spec.SignerName) {
		return false
	}
	approved := false
	for _, c := range csr.Status.Conditions {
		switch c.Type {
		case api.CertificateDenied, api.CertificateFailed:
			return false
		case api.CertificateApproved:
			approved = true
		}
	}
	return approved
}

// signers are the signer names this signer serves.
var signers = []string{api.SignerKubeAPIServerClientKubelet, api.SignerKubeletServing, api.SignerKubeAPIServerClient}

// reconcile signs the request named by key, or marks it Failed.
func (s *CSRSigner) reconcile(key string) error {
	_, name := client.SplitKey(key)
	csr, ok := s.csrs.Get("", name)
	if !ok || !toSign(csr) {
		return nil
	}
	next := api.DeepCopy(csr)
	cert, err := SignRequest(s.ca, csr)
	if err != nil {
		now := api.NewTime(time.Now())
		next.Status.Conditions = append(next.Status.Conditions, api.CertificateSigningRequestCondition{
			Type: api.CertificateFailed, Status: string(api.ConditionTrue), Reason: reasonSignerFailure,
			Message: err.Error(), LastUpdateTime: now, LastTransitionTime: now,
		})
	} else {
		next.Status.Certificate = cert
	}
	_, err = client.For[*api.CertificateSigningRequest](s.client).UpdateStatus(context.Background(), next, client.WriteOptions{})
	if api.IsNotFound(err) {
		return nil
	}
	return err
}

// SignRequest checks csr against its signer's rules and signs it with ca,
// taking the subject and names from the request (after the check, so
// they are what the rules allow) and the validity from
// spec.expirationSeconds (a year when unset). The rules:
//
//   - kube-apiserver-client-kubelet and kubelet-serving: a node's
//     certificate, as csrapproving.CheckNodeRequest checks it;
//   - kube-apiserver-client: a client certificate for any user but
//     system:masters members and system:node: names (those only through
//     the admin's kubeconfig and the node signers), usages client auth
//     (with digital signature, key encipherment), no names.
func SignRequest(ca *pki.CA, csr *api.CertificateSigningRequest) ([]byte, error) {
	validity := defaultCertValidity
	if e := csr.Spec.ExpirationSeconds; e != nil {
		validity = time.Duration(*e) * time.Second
	}
	switch csr.Spec.SignerName {
	case api.SignerKubeAPIServerClientKubelet, api.SignerKubeletServing:
		_, req, why := csrapproving.CheckNodeRequest(csr)
		if why != "" {
			return nil, fmt.Errorf("signer %s refuses: %s", csr.Spec.SignerName, why)
		}
		r := pki.Request{CommonName: req.Subject.CommonName, Organization: req.Subject.Organization, Validity: validity}
		if csr.Spec.SignerName == api.SignerKubeletServing {
			r.DNSNames, r.IPs, r.Server = req.DNSNames, req.IPAddresses, true
		} else {
			r.Client = true
		}
		return ca.SignCSR(csr.Spec.Request, r)
	case api.SignerKubeAPIServerClient:
		req, err := api.ParseCertificateRequest(csr.Spec.Request)
		if err != nil {
			return nil, fmt.Errorf("signer %s refuses: spec.request: %v", csr.Spec.SignerName, err)
		}
		if why := checkUserRequest(req.Subject.CommonName, req.Subject.Organization, csr.Spec.Usages, len(req.DNSNames)+len(req.IPAddresses)+len(req.EmailAddresses)+len(req.URIs)); why != "" {
			return nil, fmt.Errorf("signer %s refuses: %s", csr.Spec.SignerName, why)
		}
		return ca.SignCSR(csr.Spec.Request, pki.Request{CommonName: req.Subject.CommonName, Organization: req.Subject.Organization,
			Client: true, Validity: validity})
	}
	return nil, fmt.Errorf("signer %q is not one this cluster signs for (it signs %v)", csr.Spec.SignerName, signers)
}

// checkUserRequest says why a kube-apiserver-client request may not be
// signed ("" when it may).
func checkUserRequest(cn string, orgs, usages []string, names int) string {
	switch {
	case cn == "":
		return "the subject has no common name (the user name)"
	case slices.Contains(orgs, "system:masters"):
		return "certificates for system:masters come from the cluster's CA directly, never through a request"
	case strings.HasPrefix(cn, "system:node:"):
		return "node certificates come from the node signers (kube-apiserver-client-kubelet)"
	case slices.Contains(reservedNames, cn):
		return fmt.Sprintf("%q is the name of a control-plane certificate, which comes from the cluster's CA directly", cn)
	case names > 0:
		return "a client certificate names no hosts, emails or URIs"
	case !slices.Contains(usages, "client auth"):
		return "the usages do not include client auth"
	}
	for _, u := range usages {
		if u != "client auth" && u != "digital signature" && u != "key encipherment" {
			return fmt.Sprintf("usage %q is not one a client certificate has", u)
		}
	}
	return ""
}

// reservedNames are the common names that open doors below the API: etcd
// (its client and peers) and the kubelets (the API server's client
// certificate). The CA issues them to the servers directly; no request
// may get one.
var reservedNames = []string{EtcdClientCN, EtcdPeerCN, kubeletserver.APIServerClientName}
