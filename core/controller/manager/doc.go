// Package manager is the controller manager: the one roster of every
// controller tinykube runs (ReplicaSet, Endpoints, Deployment, garbage
// collector, CronJob, Job, DaemonSet, StatefulSet, node lifecycle, service
// load balancer, ServiceAccounts, the root CA publisher, the
// HorizontalPodAutoscaler and, given a cloud, the cluster autoscaler) and
// the one function that starts them. The simulator's
// controller-manager processes and the real servers both call Start, each
// with its own Loop, Client and Recorder, so adding a controller is one
// entry in Roster.
//
// Hooks are the seams: a lab plugs a student's decision function into the
// real controller (ReplicaSetDiff, RollingStep, NodeAssess, VolumeMatch), and the
// simulator swaps in a deliberately broken variant (sim/mutants) or a
// whole controller of your own (Replace) to see whether its invariants
// catch it. Nothing in core/ is broken on purpose.
//
// Book: book/06-controllers-replicasets.md, "Code: the controller manager".
package manager
