// Package student is your code for lab 12: the rule of leader election.
// See labs/12-leader/README.md and book/12-leader-election.md.
package student
