// Package loop is where component code runs. A Loop runs a component's
// callbacks one at a time — never two at once — tells the time, runs
// callbacks later (timers), and runs a callback whenever a watch stream has
// news. Components are written against Loop and nothing else: informers,
// work queues and reconcilers never start goroutines or sleep.
//
// Two worlds implement it. The simulator runs every loop of every process
// on one thread in virtual time (Virtual here is its heart: a priority
// queue of callbacks ordered by time, then by the order they were
// scheduled). realnode runs each component's loop on a goroutine with the
// wall clock. The component cannot tell the difference, which is the point.
//
// Book: chapter 0, "Introduction" (book/00-introduction.md), and chapter 8,
// "The simulator" (book/08-simulator.md, "Code: the Loop seam").
package loop
