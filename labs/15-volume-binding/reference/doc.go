// Package reference is a solution to lab 15, written plainly from the
// contract in labs/15-volume-binding/student, in the shape of
// core/controller/volumebinder's Match and Fits. Its rules are exported
// so that each mutant can break one of them.
//
// Book: book/15-configuration-and-storage.md, "Lab".
package reference
