// Package scenario reads simulator scenarios: the cluster's shape, the
// objects to apply, the faults to inject (at fixed times, or drawn per seed
// from a profile), the network, and what must hold.
//
// Book: chapter 8, "The simulator" (book/08-simulator.md, "Code:
// scenarios").
package scenario
