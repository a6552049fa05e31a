// Package reference is a solution to lab 19, written plainly from the
// contract in labs/19-hpa/student. Its rules are a struct so that each
// mutant can break one of them.
//
// Book: book/19-measuring-and-autoscaling.md, "Lab".
package reference
