package apiserver

import (
	"slices"

	"github.com/tinykube/tinykube/core/api"
)

// A namespace's life, as in Kubernetes:
//
//	create ──▶ Active, spec.finalizers [kubernetes]
//	DELETE ──▶ Terminating: deletionTimestamp set, new content refused
//	           (the namespace controller deletes the content, then
//	           removes "kubernetes" through PUT .../namespaces/NAME/finalize)
//	last spec finalizer and metadata finalizer gone ──▶ removed
//
// The API server's part is the strategy below: the finalizer at creation,
// the Terminating phase at deletion, spec.finalizers changed only through
// the finalize subresource, and the removal once nothing is left to wait
// for (readyToDelete). The controller's part is core/controller/namespace.

// protectedNamespaces cannot be deleted. Kubernetes protects default,
// kube-system and kube-public; tinykube protects kube-node-lease too,
// because nothing here recreates it and the kubelets' leases live there.
var protectedNamespaces = systemNamespaces

// namespaceBeingPurged is Kubernetes' answer to a DELETE of a namespace that
// is already terminating.
const namespaceBeingPurged = "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system."

// checkNamespaceDeletable refuses to delete the protected namespaces, with
// Kubernetes' message. A namespace with content may be deleted: it turns
// Terminating and the namespace controller empties it.
func checkNamespaceDeletable(name string) error {
	if slices.Contains(protectedNamespaces, name) {
		return errForbidden(api.ResourceByPlural("", "namespaces"), name, "this namespace may not be deleted")
	}
	return nil
}

// prepareNamespaceForCreate gives a new namespace the "kubernetes"
// finalizer (kept if the client listed it, added if not) and the Active
// phase.
func prepareNamespaceForCreate(ns *api.Namespace) {
	if !slices.Contains(ns.Spec.Finalizers, api.FinalizerKubernetes) {
		ns.Spec.Finalizers = append(ns.Spec.Finalizers, api.FinalizerKubernetes)
	}
	ns.Status = api.NamespaceStatus{Phase: api.NamespaceActive}
}

// prepareForFinalize keeps everything of old except spec.finalizers, which
// come from obj: the finalize subresource changes nothing else, and only it
// changes them (an ordinary update keeps the old ones).
func prepareForFinalize(obj, old api.Object) (api.Object, error) {
	next := obj.(*api.Namespace)
	out := api.DeepCopy(old).(*api.Namespace)
	out.Spec.Finalizers = next.Spec.Finalizers
	if rv := next.ResourceVersion; rv != "" {
		out.ResourceVersion = rv
	}
	return out, nil
}

// markNamespaceTerminating is what a delete does to a namespace besides
// setting its deletionTimestamp.
func markNamespaceTerminating(obj api.Object) {
	if ns, ok := obj.(*api.Namespace); ok {
		ns.Status.Phase = api.NamespaceTerminating
	}
}

// pendingFinalizers reports whether obj still has finalizers to wait for
// before it can go: metadata.finalizers, and for a namespace also
// spec.finalizers.
func pendingFinalizers(obj api.Object) bool {
	if len(obj.GetObjectMeta().Finalizers) > 0 {
		return true
	}
	ns, ok := obj.(*api.Namespace)
	return ok && len(ns.Spec.Finalizers) > 0
}
