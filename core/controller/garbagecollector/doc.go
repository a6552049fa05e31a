// Package garbagecollector deletes objects whose owners are gone, and
// carries out the Orphan and Foreground propagation policies of deletes.
//
// It watches every kind that commonly owns or is owned (pods, ReplicaSets,
// Deployments, Services, Endpoints, ConfigMaps, Secrets, ServiceAccounts,
// Namespaces), and every custom resource: it follows the
// CustomResourceDefinitions and starts or stops an informer per custom
// resource as they come and go (customkinds.go), so owner references to
// and from custom kinds resolve like any other. It
// keeps a graph from each object's uid to its owners and dependents,
// built from metadata.ownerReferences. A work queue keyed by uid drives
// three level-triggered decisions:
//
//	object not being deleted, owners all gone  -> delete it (Background)
//	owner marked, finalizer "orphan"           -> strip its ownerReferences
//	                                              from the dependents, then
//	                                              drop the finalizer
//	owner marked, finalizer "foregroundDeletion" -> delete the dependents;
//	                                              drop the finalizer once no
//	                                              blockOwnerDeletion one is left
//
// Owners are compared by uid, so an owner re-created under the same name
// does not adopt the old owner's dependents. An owner missing from the
// graph is looked up live before anything is deleted: the informer of its
// kind may simply not have seen it yet (Kubernetes calls such an owner a
// "virtual node").
//
// Book: chapter 9, "Workloads" (book/09-workloads.md, "Garbage collection"
// and "Code: the garbage collector"), after chapter 6
// (book/06-controllers-replicasets.md) on ownership and adoption; custom
// kinds in book/17-custom-resources.md.
package garbagecollector
