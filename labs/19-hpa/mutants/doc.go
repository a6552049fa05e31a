// Package mutants holds broken answers to lab 19, each a mistake people
// make when they write the HorizontalPodAutoscaler's formula. The checker
// must fail every one (labs/19-hpa/checker_test.go asserts it).
//
// Book: book/19-measuring-and-autoscaling.md, "Lab".
package mutants
