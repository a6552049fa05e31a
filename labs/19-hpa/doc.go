// Package hpalab is the checker of lab 19: Recommend, the
// HorizontalPodAutoscaler's replica calculation — the usage ratio, the
// tolerance band, and the cautious guesses for pods without a metric and
// pods not ready yet — written by a student in labs/19-hpa/student.
//
// The checker first compares Recommend's answers with the contract on
// inputs drawn from each seed, and says why the expected answer is what
// it is. Then it plugs the student's Recommend into the
// HorizontalPodAutoscaler controller of simulated clusters (the real
// controller, through podautoscaler.Hooks, in place of the roster's) and
// runs scenarios with a load spike, load wobbling around the target, and
// metric gaps: the simulator's hpa-bounds, hpa-stabilization and
// hpa-tolerance invariants and its liveness judge every rescale, and the
// lab's own check holds the replica count between what the scenario's
// load can need at the least and at the most.
//
// Book: book/19-measuring-and-autoscaling.md, "Lab".
package hpalab
