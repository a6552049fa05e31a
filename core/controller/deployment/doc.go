// Package deployment is the Deployment controller: it rolls a pod template
// out through ReplicaSets. Each template gets its own ReplicaSet, named
// <deployment>-<pod-template-hash> and numbered with a revision; a rollout
// moves replicas from the old ReplicaSets to the new one, and the
// ReplicaSet controller turns those numbers into pods.
//
// A rolling update of 4 replicas, maxSurge 1, maxUnavailable 1:
//
//	            old RS (v1)   new RS (v2)   total   available ≥ 3
//	start         4              0            4       4
//	surge         4              1            5       4   (new ≤ 4+1 total)
//	scale down    3              1            4       3   (old down by 1)
//	new ready     3              1            4       4
//	surge         3              2            5       4
//	  …           …              …
//	done          0              4            4       4
//
//	RollingStep, a pure decision the controller then applies:
//	  scaleNew: scale new up while Σ spec.replicas ≤ replicas+maxSurge
//	  scaleOld: else scale old down while available ≥ replicas−maxUnavailable
//	  (unhealthy old replicas first, oldest ReplicaSet first)
//
// Recreate scales every old ReplicaSet to 0, waits until their pods are
// gone, then scales the new one up. A rollback is a template that hashes
// to an old ReplicaSet: that one is reused and gets the next revision.
// Old ReplicaSets scaled to 0 are history, kept up to
// spec.revisionHistoryLimit.
//
// Files: controller.go (informers, queue), sync.go (Reconcile, which
// ReplicaSet is new, ownership), rolling.go (RollingStep and applying
// it), recreate.go, revision.go
// (hash, revisions, history), status.go (counts and conditions).
//
// Book: chapter 9, "Workloads" (book/09-workloads.md).
package deployment
