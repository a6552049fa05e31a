// Package mutants is the gallery of deliberate mistakes: each a named,
// plausible bug in one component — a scheduler that forgets the pods it
// just bound, a Job controller that counts from its cache, a proxy that
// never removes a backend — kept to prove that the simulator's invariants
// catch it. A scenario names one with `cluster.broken`; the simulator
// plugs it in through the components' own seams (the scheduler's Schedule,
// the controller manager's Hooks and roster, the proxy's table) so that
// core/ holds only the real components.
//
// Every mutant says what the mistake is and which invariant catches it,
// and sim/cluster's tests run each against its scenario and require that
// invariant to fire. Lab mutants (a student's likely mistakes in one
// function) live beside each lab instead, in labs/NN-*/mutants.
//
// Book: book/08-simulator.md (invariants and the mistakes they catch), and
// each mistake's own chapter: book/04-scheduler.md, book/09-workloads.md,
// book/11-services.md, book/13-high-availability.md,
// book/16-identity-and-access.md.
package mutants
