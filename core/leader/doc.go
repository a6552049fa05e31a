// Package leader elects one active replica among several copies of a
// component — the scheduler, the controller manager — with a Lease object
// as the lock.
//
// # The protocol
//
// The Lease (coordination.k8s.io/v1, e.g. kube-system/kube-scheduler) names
// its holder and how long a renewal counts for. Every candidate reads it
// every RetryPeriod:
//
//   - A candidate that sees the record change (a renewal, a new holder)
//     notes the moment on its own clock. Only once LeaseDuration has passed
//     on that clock without a change does it try to take the lease over,
//     with an update that carries the resourceVersion it read: if the
//     holder renewed in between, the update fails with a conflict and
//     nothing happens. Optimistic concurrency is the whole of the mutual
//     exclusion; the timing only decides when to try.
//   - The holder renews every RetryPeriod. It measures from the moment it
//     sent its last successful renewal; if RenewDeadline passes on its own
//     clock without another success, it stops acting (OnStoppedLeading) —
//     before any candidate could have taken over.
//
// No process ever compares its clock with a time another process wrote:
// renewTime in the record is for people reading it (`tinykube get lease`),
// not for the algorithm. Offsets between clocks therefore do not matter.
// Rates do. With the defaults (LeaseDuration 15s, RenewDeadline 10s), a
// holder whose clock runs slow by a factor (1−ρ) stops at most 10s/(1−ρ)
// after its last renewal, and a candidate whose clock runs fast by (1+ρ)
// takes over at least 15s/(1+ρ) after seeing it. The holder stops first as
// long as 10(1+ρ) < 15(1−ρ): ρ < 0.2, clocks whose rates differ by less
// than 20% of each other's. MaxDrift computes that bound for any setting.
// The simulator's clock-drift fault shows what happens beyond it: two
// replicas acting at once (examples/scenarios/leader-drift.yaml).
//
// # What the caller does
//
// The caller starts its components in OnStartedLeading and must stop them
// at once in OnStoppedLeading — Kubernetes' components exit the process.
// An Elector is used once: after it has lost, the caller makes a new one
// (with fresh components) to stand again.
//
// Book: chapter 12, "Leader election and clocks"
// (book/12-leader-election.md).
package leader
