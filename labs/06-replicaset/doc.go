// Package replicasetlab is the checker of lab 06: Diff, the decision of
// one ReplicaSet reconcile step, which a student writes in
// labs/06-replicaset/student.
//
// The checker draws a ReplicaSet and the pods it owns from each seed
// (scheduled or not, in every phase, ready or not, with restarts,
// creation times that often tie, some being deleted or finished) and
// compares Diff's answer with the exact one, which it works out its own
// way: each pod gets a tuple of ranks and the surplus is the lowest
// tuples. It then checks properties any answer must have: it never
// deletes a pod it should not touch, and one applied step converges.
// Last, it runs Diff inside the ReplicaSet controller of a simulated
// cluster (sim.go adapts it to replicaset.Config.Diff through
// cluster.Plugins), scaled up and down, and checks after every step that
// no ReplicaSet has more live pods than it was asked for, and liveness.
//
// Book: book/06-controllers-replicasets.md, "Lab".
package replicasetlab
