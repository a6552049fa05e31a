// Package namespace is the namespace controller: it empties a namespace
// that is being deleted and then lets the API server remove it.
//
// Deleting a namespace only marks it (deletionTimestamp, status.phase
// Terminating) because every namespace carries the "kubernetes" finalizer in
// spec.finalizers from its creation; the API server refuses new content in
// it from then on. For each such namespace the controller deletes every
// object of every namespaced kind of the API's resource table, and of
// every namespaced custom resource of the CustomResourceDefinitions it
// reads on each pass (discovery.go), as an
// ordinary client would, so that graceful deletion and the objects' own
// finalizers are respected: a pod on a node waits for its kubelet, an
// object with a finalizer waits for whoever owns the finalizer. It reports
// what it still waits for in the namespace's conditions, with Kubernetes'
// types, reasons and messages (NamespaceContentRemaining "Some resources are
// remaining: pods. has 2 resource instances", NamespaceFinalizersRemaining,
// NamespaceDeletionContentFailure …), looks again a little later, and once
// nothing is left removes "kubernetes" through the namespace's finalize
// subresource (PUT /api/v1/namespaces/NAME/finalize). The API server removes
// the namespace when its last finalizer is gone.
//
//	Namespace informer ──▶ queue ──name──▶ Reconcile
//	                                        │ GET namespace (live, uid check)
//	                                        │ LIST customresourcedefinitions (the custom kinds)
//	                                        │ for each namespaced kind: LIST, DELETE
//	                                        │ PUT status (conditions, when changed)
//	                                        └ nothing left? PUT finalize : look again later
//
// Book: book/14-speaking-kubernetes.md, "Code: deleting a namespace";
// custom content in book/17-custom-resources.md.
package namespace
