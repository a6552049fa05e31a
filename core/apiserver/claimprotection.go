package apiserver

import (
	"slices"

	"github.com/tinykube/tinykube/core/api"
)

// protectClaim puts the kubernetes.io/pvc-protection finalizer on a new
// claim, as Kubernetes' StorageObjectInUseProtection admission plugin
// does. The volume binder also adds it, but only once it has seen the
// claim; a claim deleted before then (or while the binder is down) would
// go at once, out from under a pod that has just started to use it. With
// the finalizer in place from the first write, a deleted claim waits until
// the binder has checked that no pod uses it.
func protectClaim(obj api.Object) {
	c, ok := obj.(*api.PersistentVolumeClaim)
	if !ok || slices.Contains(c.Finalizers, api.ClaimProtectionFinalizer) {
		return
	}
	c.Finalizers = append(c.Finalizers, api.ClaimProtectionFinalizer)
}
