// Package agent assembles a real node: the kubelet from core/kubelet on a
// real-time loop, containerd as its runtime, CNI for pod networks, real
// probes, and the node's HTTP server for logs and exec. `tinykube agent`
// runs one against a remote API server; `tinykube up` runs one beside
// the server in the same process.
//
// Book: chapter 10, "The container runtime and pod networking"
// (book/10-container-runtime.md, "Code: the agent and the commands").
package agent
