// Package csrapproving is the approver of node certificates: it approves
// the CertificateSigningRequests a joining or renewing node sends for
// itself, and leaves every other request for a human (kubectl
// certificate approve|deny).
//
// A node joins with a join token, which authenticates it as a member of
// system:bootstrappers; it then asks for two certificates, a client one
// (signer kubernetes.io/kube-apiserver-client-kubelet) to talk to the API
// server as system:node:NAME, and a serving one
// (kubernetes.io/kubelet-serving) for its kubelet server. Approve decides
// from the request alone — who asked (the spec's requester fields, which
// the API server stamps), for which signer, with which subject, names
// and usages — and the controller writes the Approved condition through
// the approval subresource. The signer (realnode/controlplane) then
// issues the certificate.
//
//	CSR informer ──▶ queue ──name──▶ Reconcile
//	                                  │ approved, denied or issued already? done
//	                                  │ Approve(csr): a node's own certificate?
//	                                  └ yes: PUT /approval (Approved, AutoApproved)
//
// Book: book/16-identity-and-access.md.
package csrapproving
