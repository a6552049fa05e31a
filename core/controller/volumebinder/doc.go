// Package volumebinder binds PersistentVolumeClaims to PersistentVolumes,
// as Kubernetes' persistent-volume controller does, and protects claims
// that pods use from deletion (the pvc-protection controller's job).
//
//	claim Pending ──match──▶ PV.claimRef=claim ──▶ claim.volumeName=PV ──▶ both Bound
//	      │ no match, class has a provisioner
//	      ▼
//	claim annotated storage-provisioner (and, WaitForFirstConsumer, the
//	scheduler's selected-node) ──▶ the provisioner makes a PV already
//	carrying claimRef ──▶ the binder finishes the binding as above
//	claim deleted ──▶ PV Released ──▶ Retain: stays; Delete: the provisioner
//	removes the data and the PV
//
// The volume side is written first: a crash between the two writes leaves
// a PV that names a claim which does not name it, which the next sync of
// either object completes; the other order could hand one volume to two
// claims. The package's Match is the matching step.
//
// Book: book/15-configuration-and-storage.md.
package volumebinder
