// Package kubelet is the node agent: it registers its Node, keeps its Lease
// fresh, and makes the containers of the pods bound to its node match their
// specs through a Runtime — starting, restarting with back-off, probing,
// stopping with grace — and reports what it sees in pod status. The same
// code drives the simulator's scripted containers and real containerd.
//
// Book: the kubelet chapter.
package kubelet
