// Package reference is a solution to lab 12. Read it when you are done.
//
// Book: book/12-leader-election.md, "Lab".
package reference
