// Package wallclock is the real time behind core's clock.Clock seam.
//
// Book: chapter 0, "Introduction" (book/00-introduction.md, "The
// determinism rule").
package wallclock
