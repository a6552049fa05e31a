// Package core is the root of tinykube's deterministic half: the object
// model, the store, the API server, the client, and every component
// (scheduler, controllers, kubelet, proxy). Nothing below core starts a
// goroutine, sleeps, reads the wall clock, draws global randomness or does
// IO; all of that is handed in through interfaces (clock.Clock, a seeded
// *rand.Rand, store.Store, client.Transport …), which the simulator drives
// in virtual time and realnode with the real world.
//
// determinism_test.go enforces the rule; layout_test.go enforces what each
// folder of the module may import (DESIGN.md's layout table). Book:
// chapter 0, "Introduction" (book/00-introduction.md).
package core
