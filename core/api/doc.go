// Package api defines tinykube's objects in the shape Kubernetes gives them
// on the wire: Pods, Nodes, ReplicaSets, Deployments, Services and the rest,
// with apiVersion, kind, metadata, spec and status. It also holds what is true
// of an object regardless of where it is stored: resource quantities, label
// selectors, validation with field paths, and defaulting.
//
// The package uses only the standard library, so every other package can
// depend on it. Book: chapter 1, "Objects" (book/01-objects.md).
package api
