// Package reference is a solution to lab 06, written plainly from the
// contract in labs/06-replicaset/student, in the shape of
// core/controller/replicaset's manage and surplus. Its parts are exported
// so that each mutant can break one of them.
//
// Book: book/06-controllers-replicasets.md, "Lab".
package reference
