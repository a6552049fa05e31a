// Package disruption is the disruption controller: for every
// PodDisruptionBudget it counts the pods the budget's selector picks,
// works out how many must stay healthy, and writes the answer into the
// PDB's status — expectedPods, desiredHealthy, currentHealthy and
// disruptionsAllowed, with the DisruptionAllowed condition. The eviction
// subresource of the API server (core/apiserver/eviction.go) reads that
// status and spends it one eviction at a time.
//
// How many pods are expected depends on the budget. An integer
// minAvailable expects the pods that exist. A percentage, or any
// maxUnavailable, is a share of what the pods' controllers want: the
// replicas of each pod's Deployment (through its ReplicaSet), ReplicaSet
// or StatefulSet, each counted once. A pod whose controller cannot be
// found makes the budget fail safe: no disruption is allowed until it
// is.
//
// A pod the API server agreed to evict is recorded in the status'
// disruptedPods. It is not counted healthy until it is gone; an entry
// whose pod is still there after DeletionTimeout is dropped (the delete
// failed), and the controller wakes up then to recount.
//
// Book: book/14-speaking-kubernetes.md, "Code: scale, budgets and eviction".
package disruption
