// Package mutants holds broken answers to lab 12, each a mistake people
// make when they write a lease-based election. The checker must fail
// every one (labs/12-leader/checker_test.go asserts it).
//
// Book: book/12-leader-election.md, "Lab".
package mutants
