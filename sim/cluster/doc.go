// Package cluster assembles a whole simulated cluster from a scenario: the
// API server over an in-memory store, a control-plane process (scheduler,
// ReplicaSet and node controllers), and for every node a machine (its
// simulated container runtime) and a kubelet process. It injects the
// scenario's faults, checks the safety invariants after every event and the
// liveness promise once faults heal, and reports the first violation with
// the time, the objects and the command that replays it.
//
// Book: the simulator chapter.
package cluster
