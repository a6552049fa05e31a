package api

// CertificateSigningRequest (certificates.k8s.io/v1) asks the cluster's
// signer for a certificate: a joining node sends one for its client
// certificate. Someone (or the approver controller, for a node with a
// valid join token) approves it through the approval subresource; the
// signer then writes the certificate into status.certificate.
type CertificateSigningRequest struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       CertificateSigningRequestSpec   `json:"spec"`
	Status     CertificateSigningRequestStatus `json:"status,omitempty"`
}

// CertificateSigningRequestSpec is the PEM request and who sent it. The
// API server fills username, uid, groups and extra from the requester;
// what a client sends there is ignored.
type CertificateSigningRequestSpec struct {
	Request           []byte              `json:"request"`
	SignerName        string              `json:"signerName"`
	ExpirationSeconds *int32              `json:"expirationSeconds,omitempty"`
	Usages            []string            `json:"usages,omitempty"`
	Username          string              `json:"username,omitempty"`
	UID               string              `json:"uid,omitempty"`
	Groups            []string            `json:"groups,omitempty"`
	Extra             map[string][]string `json:"extra,omitempty"`
}

// CertificateSigningRequestStatus holds the approval and the certificate.
type CertificateSigningRequestStatus struct {
	Conditions  []CertificateSigningRequestCondition `json:"conditions,omitempty"`
	Certificate []byte                               `json:"certificate,omitempty"`
}

// CertificateSigningRequestCondition is Approved, Denied or Failed.
type CertificateSigningRequestCondition struct {
	Type               string `json:"type"`
	Status             string `json:"status"`
	Reason             string `json:"reason,omitempty"`
	Message            string `json:"message,omitempty"`
	LastUpdateTime     *Time  `json:"lastUpdateTime,omitempty"`
	LastTransitionTime *Time  `json:"lastTransitionTime,omitempty"`
}

// Signer names and condition types of CertificateSigningRequests.
const (
	SignerKubeAPIServerClientKubelet = "kubernetes.io/kube-apiserver-client-kubelet"
	SignerKubeletServing             = "kubernetes.io/kubelet-serving"
	SignerKubeAPIServerClient        = "kubernetes.io/kube-apiserver-client"
	CertificateApproved              = "Approved"
	CertificateDenied                = "Denied"
	CertificateFailed                = "Failed"
)
