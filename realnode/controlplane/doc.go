// Package controlplane assembles a real tinykube server process: etcd
// (embedded in the data directory, or external), the store on it, the API
// server, its HTTP listener, the compactor, and the kubeconfig the CLI reads.
//
// Book: chapter 3, "The API server" (book/03-api-server.md).
package controlplane
