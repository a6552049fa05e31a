// Package operatorlab is the checker of lab 17: the decisions of an
// operator that its authors get wrong, written by a student in
// labs/17-operator/student as four functions the database operator
// (core/operator/database) calls through its Hooks — Promote (make a pod
// the primary safely under stale caches), Cleanup (what the finalizer
// guards), Status (what was observed, never what was asked) and
// CatalogEntry (an idempotent write).
//
// The checker first holds Status and CatalogEntry to their contracts on
// inputs drawn from each seed (rules.go). Then it runs the real operator
// with the student's functions plugged in (impl.go; the student calls
// the cluster through labs/17-operator/ops) in simulated clusters
// (sim.go: scenarios with operators: [database] whose operator crashes,
// crashes around its calls, loses answers, reads stale data and is cut
// off), where the operator's own invariants — never two primaries, status
// tells the truth, cleanup always completes, catalog entries unique — are
// checked after every step and once settled. Last, sim/sieve checks the
// operator with the student's functions as Sieve does (sieve.go): every
// run perturbed at a call boundary or a write must settle as the
// unperturbed one.
//
// Book: book/17-custom-resources.md, "Lab".
package operatorlab
