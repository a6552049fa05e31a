// Package e2e runs tinykube on real parts: an API server with embedded
// etcd, agents running the kubelet on a private containerd, pods in CNI
// network namespaces — all inside a network namespace the test binary
// creates for itself (netnstest), so nothing touches the machine's own
// network or containerd.
//
// Book: chapter 10 (book/10-container-runtime.md, "Code: testing it
// without touching the machine"), chapter 11 (book/11-services.md) and
// chapter 13 (book/13-high-availability.md), which walk its tests.
package e2e
