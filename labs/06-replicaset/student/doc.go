// Package student is your code for lab 06: the decision at the heart of a
// ReplicaSet's reconcile step. See labs/06-replicaset/README.md and
// book/06-controllers-replicasets.md, "Code: Reconcile" and "Code: which
// pods to delete".
package student
