// Package kubeletlab is lab 05: the kubelet's restart decision — the
// restart policy and CrashLoopBackOff — checked against the contract on
// views drawn from each seed, then run inside the kubelet of simulated
// nodes whose containers crash, complete or run long. See README.md and
// book/05-kubelet.md, "Lab".
package kubeletlab
