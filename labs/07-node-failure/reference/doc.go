// Package reference is a solution to lab 07, written from the contract
// in labs/07-node-failure/student. Its parts are exported so that each
// mutant can break one of them.
//
// Book: book/07-node-failure.md, "Lab".
package reference
