// Package operators runs tinykube's operators (core/operator/...) on real
// machines: the same code the simulator runs, on a goroutine-driven loop
// with the wall clock, talking HTTP to a real API server as its own user.
//
// Book: book/17-custom-resources.md
package operators
