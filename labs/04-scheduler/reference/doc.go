// Package reference is a solution to lab 04, written plainly from the
// contracts in labs/04-scheduler/student. The checker's own tests run it
// to show the checker passes a correct answer; its parts are exported so
// that the mutants can each break one of them.
//
// Book: book/04-scheduler.md, "Lab".
package reference
