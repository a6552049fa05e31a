// Package sieve checks controllers the way the Sieve paper (Sun et al.,
// OSDI '22) does: run a controller once from a fixed starting state, then
// run it again from the same state with its view of the cluster perturbed
// at chosen points, and require that once things settle the cluster looks
// the same as after the unperturbed run.
//
// The perturbations, all in a deterministic sim.World:
//
//	crash-before i   the controller's process dies just before its i-th API
//	                 call (the call never reaches the server), and restarts
//	crash-after i    the i-th call takes effect, its answer is lost, the
//	                 process dies at once, and restarts
//	late R           the watch events of resource R (or of every resource)
//	                 reach the controller seconds late, until healed
//	stale j          just after its j-th write the controller's reads are
//	                 served as of before that write, and its watch events
//	                 lag, until healed: it may not read its own write
//	stale-restart j  just after its j-th write the controller dies; it
//	                 restarts against a server whose reads are served as of
//	                 before that write and whose watch events lag, until
//	                 healed: the "time travel" of the paper
//
// The controller under test runs in its own sim.Process; whatever it needs
// from the rest of a cluster (the ReplicaSet controller under a Deployment,
// a pod driver standing in for kubelets) runs in another process that is
// never perturbed. Outcomes are compared over a normalized view of the
// store (see outcome.go): uids, resourceVersions, timestamps and generated
// name suffixes are noise; everything else must match.
//
//	Check(t, Case{...})
//	   │ baseline run ──► calls 1..N, writes, outcome
//	   ├─ for i in 1..N: crash-before i, crash-after i ──► outcome == baseline?
//	   ├─ late (all), late (each watched resource)     ──► outcome == baseline?
//	   └─ for each write j: stale j, stale-restart j   ──► outcome == baseline?
//
// A finding names its case and perturbation, shows the difference object
// by object (-unperturbed +perturbed) and the tail of the perturbed run's
// timeline. Runs are deterministic, so TestDebugOne replays one with its
// whole timeline (SIEVE_DEBUG=case SIEVE_KIND=kind SIEVE_CALL=i).
//
// What it cannot see: a controller that misbehaves for a while and then
// repairs the damage (two daemon pods on a node, briefly) settles like a
// correct one. The simulator's invariants, checked after every step
// (sim/cluster), are for those.
//
// Book: book/13-high-availability.md, "Code: Sieve-style checks".
package sieve
