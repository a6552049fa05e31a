// Package schedulerlab is the checker of lab 04: the scheduler's filter
// (Fits) and its MostAllocated score, which a student writes in
// labs/04-scheduler/student.
//
// The checker draws clusters from each seed (nodes with allocatable
// resources, pods already on them, labels, taints, cordons) and pods to
// place (requests, node selectors, tolerations), asks the student's
// functions about every pod and node, and compares their answers with
// core/scheduler's Filter and Score, which the simulator's scheduler runs.
// It then places the pods greedily with the student's functions and
// checks that no node is over-committed and that the pods pack onto as
// few nodes as the reference packs them. Last, it runs the two functions
// inside the scheduler of a simulated cluster (sim.go adapts them to
// scheduler.Config.Schedule through cluster.Plugins) under the
// node-capacity invariant and liveness, and checks the packing there.
//
// Book: book/04-scheduler.md, "Lab".
package schedulerlab
