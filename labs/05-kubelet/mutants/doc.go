// Package mutants holds broken answers to lab 05, each a mistake people
// make with restart policies and back-off. The checker must fail every
// one (labs/05-kubelet/checker_test.go asserts it).
//
// Book: book/05-kubelet.md, "Lab".
package mutants
