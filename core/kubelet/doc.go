// Package kubelet is the node agent: it registers its Node, keeps its Lease
// fresh, and makes the containers of the pods bound to its node match their
// specs through a Runtime — starting, restarting with back-off, probing,
// stopping with grace — and reports what it sees in pod status. The same
// code drives the simulator's scripted containers and real containerd.
//
// Book: chapter 5, "The kubelet" (book/05-kubelet.md); chapter 10
// (book/10-container-runtime.md) runs it on containerd; chapter 18
// (book/18-hardening.md) resolves what a container may do.
package kubelet
