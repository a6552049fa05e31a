// Package containerdrt is the kubelet's Runtime on a real machine: pods'
// containers run by containerd (which runs runc, which asks the kernel
// for namespaces and cgroups), each pod in a network namespace that a
// PodNetwork (CNI, in realnode/podnet) wires up.
//
// The kubelet in core/kubelet drives it exactly as it drives the
// simulator's runtime: calls start work and return, and what happens
// afterwards (a container exits, is OOM-killed) arrives through List and
// OnChange. Everything the kubelet needs to find again after a restart is
// kept in containerd's own metadata, as labels on its container objects;
// the runtime holds no state of its own worth losing. Pods' volumes are
// directories and tmpfs mounts under Config.VolumeDir whose layout says
// what each is (volumes.go), so a restarted agent adopts them from disk.
//
// One containerd namespace per node keeps several agents on one
// containerd apart, as the tests run them.
//
// Book: chapter 10, "The container runtime and pod networking"
// (book/10-container-runtime.md); chapter 18 (book/18-hardening.md)
// applies a pod's securityContext; chapter 19
// (book/19-measuring-and-autoscaling.md) measures the containers through
// their cgroups (stats.go) and the machine through /proc (nodestats.go).
package containerdrt
