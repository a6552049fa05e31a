// Package apiserver gives a Store the semantics of the Kubernetes API:
// resource paths, create/get/list/update/patch/delete/watch, optimistic
// concurrency on resourceVersion, the status subresource, generation,
// graceful deletion with finalizers, and errors as Status objects. It
// also allocates Services' cluster IPs and node ports, one store key per
// address (allocation.go), and repairs leaked allocations (repair.go).
//
// It is transport-free. Handle takes a rest.Request and returns a
// rest.Response; realnode serves it over HTTP and the simulator over its
// simulated network, so both worlds run the same code.
//
//	rest.Request ──► route ──► verb handler ──► strategy hooks ──► Store
//	                   │             │  decode, default, validate      │
//	rest.Response ◄────┴─────────────┴── encode (resourceVersion) ◄────┘
//
// Book: chapter 3, "The API server" (book/03-api-server.md).
package apiserver
