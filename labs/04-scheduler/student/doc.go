// Package student is your code for lab 04: the scheduler's filter and its
// MostAllocated score. See labs/04-scheduler/README.md and
// book/04-scheduler.md, "Code: the filters" and "Code: scores, spreading
// and ties".
package student
