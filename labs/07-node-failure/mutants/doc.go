// Package mutants holds broken answers to lab 07, each a mistake people
// make when they write a failure detector. The checker must fail every
// one (labs/07-node-failure/checker_test.go asserts it).
//
// Book: book/07-node-failure.md, "Lab".
package mutants
