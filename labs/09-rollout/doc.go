// Package rolloutlab is the checker of lab 09: Step, one step of a
// Deployment's rolling update, and Bounds, which turns maxSurge and
// maxUnavailable into counts, both written by a student in
// labs/09-rollout/student.
//
// The checker draws a rollout from each seed (desired replicas, a
// strategy, a new ReplicaSet and up to three old ones, with pods
// available, unavailable, or reported available after they were scaled
// away) and compares Step's answer with the exact one, which it works
// out its own way: it removes old pods one at a time. It then checks
// properties any answer must have: it never goes above the surge, never
// takes availability below replicas - maxUnavailable, and, applied over
// and over while new pods come up, it finishes the rollout. Last, it runs
// both inside the Deployment controller of a simulated cluster (sim.go
// adapts them to deployment.Config.RollingStep through cluster.Plugins)
// under the rollout-bounds invariant and liveness.
//
// Book: book/09-workloads.md, "Lab".
package rolloutlab
