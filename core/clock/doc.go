// Package clock is the seam between core and time for code that only needs
// to tell the time. Nothing in core reads the wall clock: the API server is
// handed a Clock in its Config and stamps creation and deletion times,
// bindings and address reservations with it. The simulator hands it its
// virtual loop (loop.Virtual tells the time too), realnode hands it
// realnode/wallclock, and tests a Fixed instant that they move by hand.
// Components that also need timers get them, with the time, from their
// core/loop Loop instead.
//
// Book: chapter 0, "Introduction" (book/00-introduction.md, "The
// determinism rule"), and chapter 3, "The API server"
// (book/03-api-server.md), whose Config takes one.
package clock
