// Package cluster assembles a whole simulated cluster from a scenario: one
// or more API servers over an in-memory store, the scheduler and
// controller-manager replicas (every controller), each its own process
// that acts only while it holds its Lease, and for every node a machine
// (its simulated container runtime) and a kubelet process. It injects the
// scenario's faults, checks the safety invariants after every event and
// the liveness promise once faults heal, and reports the first violation
// with the time, the objects and the command that replays it; Shrink
// looks for a smaller fault schedule that still fails. Plugins is the
// seam through which a lab runs a student's function inside the real
// components of a whole run, and through which a scenario's
// cluster.broken plugs in a mistake from sim/mutants. The controller
// managers start core/controller/manager's roster, the kubelets come from
// kubelet.Start: the same assemblies as on real machines.
//
// Golden timelines (testdata/golden, golden_test.go) show what chosen
// scenarios do, line by line; -update rewrites them.
//
// Book: chapter 8, "The simulator" (book/08-simulator.md); chapter 9
// (book/09-workloads.md) for the workloads' invariants, chapter 11
// (book/11-services.md) for simulated traffic, chapters 12 and 13
// (book/12-leader-election.md, book/13-high-availability.md) for elected
// replicas, several servers and recorded histories; chapter 19
// (book/19-measuring-and-autoscaling.md) for the load on services and
// what nodes and pods use (load.go).
package cluster
