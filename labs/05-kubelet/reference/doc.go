// Package reference is a solution to lab 05, written from the contract
// in labs/05-kubelet/student. Its parts are exported so that each mutant
// can break one of them.
//
// Book: book/05-kubelet.md, "Lab".
package reference
