package apiserver

import (
	"context"
	"maps"
	"slices"

	"github.com/tinykube/tinykube/core/api"
)

// CertificateSigningRequests are written through three doors, and each
// may change one part of the object only:
//
//   - the object itself (create, PUT, PATCH): the spec, once, at create;
//     the API server stamps spec.username, uid, groups and extra from the
//     authenticated requester, so that an approver can trust them;
//   - /approval (kubectl certificate approve|deny): the Approved and
//     Denied conditions, nothing else;
//   - /status (the signer): the certificate and the other conditions
//     (Failed), never Approved or Denied.
//
// That split is what makes approval meaningful: whoever may write
// /status (the signer) cannot approve, and whoever approves cannot
// write a certificate.

// csrRequesterPlugin is the admission plugin that records who asks.
var csrRequesterPlugin = admissionPlugin{name: "CertificateSigningRequestRequester", admit: admitCSRRequester}

// admitCSRRequester fills spec.username, uid, groups and extra of a
// created CertificateSigningRequest from the authenticated user, throwing
// away whatever the client put there. An in-process caller (no user) is
// trusted as it is: the simulator and tests create requests on behalf of
// identities they model.
func admitCSRRequester(_ *Server, _ context.Context, r *admissionRequest) error {
	if r.op != opCreate || r.user == nil {
		return nil
	}
	csr, ok := r.obj.(*api.CertificateSigningRequest)
	if !ok {
		return nil
	}
	u := r.user
	csr.Spec.Username, csr.Spec.UID = u.Name, u.UID
	csr.Spec.Groups = slices.Clone(u.Groups)
	csr.Spec.Extra = nil
	if len(u.Extra) > 0 {
		csr.Spec.Extra = make(map[string][]string, len(u.Extra))
		for _, k := range slices.Sorted(maps.Keys(u.Extra)) {
			csr.Spec.Extra[k] = slices.Clone(u.Extra[k])
		}
	}
	return nil
}

// isApprovalCondition: the condition types only /approval writes.
func isApprovalCondition(t string) bool {
	return t == api.CertificateApproved || t == api.CertificateDenied
}

// prepareForApproval keeps everything of old except the Approved and
// Denied conditions, which come from obj: a write through /approval can
// approve or deny and nothing more (the other conditions, the
// certificate and the spec are old's).
func prepareForApproval(obj, old api.Object) (api.Object, error) {
	n, ok := obj.(*api.CertificateSigningRequest)
	if !ok {
		return prepareForStatusUpdate(obj, old)
	}
	o := old.(*api.CertificateSigningRequest)
	conds := mergeConditions(n.Status.Conditions, o.Status.Conditions, isApprovalCondition)
	rv := n.ResourceVersion
	setAllButStatus(n, o)
	n.ResourceVersion = rv
	n.Status = o.Status
	n.Status.Conditions = conds
	return n, nil
}

// prepareCSRForStatusUpdate keeps old's Approved and Denied conditions
// over whatever a /status write sent: the signer writes the certificate
// and Failed, not the approval. n already carries everything but status
// from old (prepareForStatusUpdate).
func prepareCSRForStatusUpdate(n, o *api.CertificateSigningRequest) {
	n.Status.Conditions = mergeConditions(n.Status.Conditions, o.Status.Conditions,
		func(t string) bool { return !isApprovalCondition(t) })
}

// mergeConditions returns the conditions of next whose type mine
// accepts, followed by the conditions of old whose type it does not: the
// writer's own part of the list replaced, the rest kept.
func mergeConditions(next, old []api.CertificateSigningRequestCondition, mine func(string) bool) []api.CertificateSigningRequestCondition {
	var out []api.CertificateSigningRequestCondition
	for _, c := range next {
		if mine(c.Type) {
			out = append(out, c)
		}
	}
	for _, c := range old {
		if !mine(c.Type) {
			out = append(out, c)
		}
	}
	return out
}
