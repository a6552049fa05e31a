// Package kubeletserver is the HTTP server a node's agent runs beside its
// kubelet, as Kubernetes' kubelet serves port 10250: the API server proxies
// `tinykube logs` and `tinykube exec` to it. It reads log files and runs
// commands through a Backend that the agent implements over its container
// runtime, so the package itself knows nothing of containerd.
//
// Routes:
//
//	GET  /containerLogs/{namespace}/{pod}/{container}?follow=&tailLines=&previous=&limitBytes=
//	POST /exec/{namespace}/{pod}/{container}?command=A&command=B&timeoutSeconds=N
//	GET  /exec/{namespace}/{pod}/{container}?command=A&stdin=&stdout=&stderr=&tty=   (WebSocket)
//	GET  /attach/{namespace}/{pod}/{container}?stdin=&stdout=&stderr=&tty=             (WebSocket)
//	GET|POST /portForward/{namespace}/{pod}                                          (SPDY, or SPDY in a WebSocket)
//	GET  /stats/summary?only_cpu_and_memory=true                                     (JSON api.Summary)
//
// The POST exec is tinykube's own and not interactive: the command runs to
// its end or its timeout, and the answer is one JSON api.ExecResult holding
// the exit code and the combined output.
//
// The upgraded routes speak what kubectl speaks, so the API server relays
// kubectl's connection here byte for byte: exec and attach the channel
// protocol v5.channel.k8s.io (channel.go), port-forward SPDY streams in
// pairs per connection (portforward.go).
//
// Errors are Kubernetes Status objects; a Backend error that is an
// *api.StatusError keeps its code (a missing container is a 404).
//
// The server checks no credentials: listen only where the API server, and
// nobody else, can reach it.
//
// /stats/summary is what the node and its pods use (the Backend's
// Summarizer), which the metrics pipeline scrapes as it scrapes
// Kubernetes' kubelets.
//
// Book: chapter 10, "The container runtime and pod networking" (book/10-container-runtime.md);
// chapter 19 (book/19-measuring-and-autoscaling.md) for /stats/summary.
package kubeletserver
