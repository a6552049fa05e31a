// Package runloop runs core components in real time: a Loop whose
// callbacks run one at a time on one goroutine, with the wall clock, real
// timers, and streams followed by waiting on their Ready channels. It is
// the real-world twin of loop.Virtual; the components cannot tell them
// apart.
//
// Book: chapter 8, "The simulator" (book/08-simulator.md, "Code: the Loop
// seam").
package runloop
