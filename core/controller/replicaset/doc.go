// Package replicaset is the ReplicaSet controller: it keeps spec.replicas
// pods matching a ReplicaSet's selector alive, adopting matching orphans,
// releasing pods whose labels stop matching, creating pods from the
// template in slow-start batches and deleting the surplus in the order
// Kubernetes does. Expectations keep it from acting twice on its own
// writes while the informers catch up.
//
// Book: chapter 6, "Controllers and ReplicaSets"
// (book/06-controllers-replicasets.md).
package replicaset
