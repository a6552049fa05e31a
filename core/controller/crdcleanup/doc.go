// Package crdcleanup is the custom resource cleanup controller: it deletes
// the objects of a CustomResourceDefinition being deleted, then lets the
// API server remove the definition.
//
// The API server gives every new definition the finalizer
// "customresourcecleanup.apiextensions.k8s.io", so deleting one only
// marks it (deletionTimestamp); its resource stays served. For each such
// definition the controller:
//
//	CRD informer ──▶ queue ──name──▶ Reconcile
//	                                  │ no Terminating condition yet? PUT status: Terminating=True
//	                                  │     InstanceDeletionInProgress (a conditional write: the CRD is current)
//	                                  │ LIST the objects (all namespaces), at a revision ≥ the CRD's
//	                                  │ DELETE each not yet being deleted (uid precondition)
//	                                  │ some left (finalizers)? Terminating=True InstanceDeletionCheck, look again
//	                                  │ a call failed?          Terminating=True InstanceDeletionFailed, retry
//	                                  └ none left: PUT status Terminating=False InstanceDeletionCompleted,
//	                                     then remove the finalizer (resourceVersion precondition)
//
// Every write is conditional on the definition's resourceVersion, and the
// empty list that ends the wait must be at a revision at least the
// definition's, so a stale cache or a crash at any point makes the
// controller repeat work, never skip it: no object of the resource is left
// in the store once the definition is gone. (As in Kubernetes, an API
// server that has not yet seen the deletion may still accept a create for
// a moment; tinykube's servers refuse creates once they see it.)
//
// In Kubernetes this controller runs inside the apiextensions API server
// (its "CRD finalizer"); tinykube runs it in the controller manager under
// the name "customresourcecleanup", with its own rules in the controller
// manager's role. Deleting the objects goes through the API like any
// client's deletes, so their own finalizers and the garbage collector's
// propagation apply.
//
// Book: book/17-custom-resources.md, "Code: deleting a definition".
package crdcleanup
