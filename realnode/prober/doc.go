// Package prober runs a pod's health checks on a real node: an HTTP GET
// or a TCP connection to the pod's IP from the node (the node reaches
// every pod through the pod network's bridge), or a command run inside
// the container through the runtime. The kubelet decides what a result
// means (ready, or restart); this package only says whether one check
// passed.
//
// Probes run on the kubelet's loop and block it for at most the probe's
// timeoutSeconds; against a pod on the same machine an answer takes well
// under a millisecond.
//
// Book: chapter 10 (book/10-container-runtime.md, "Code: probes on a real
// node").
package prober
