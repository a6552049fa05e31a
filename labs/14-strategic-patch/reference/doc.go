// Package reference is a solution to lab 14, written plainly from the
// contract in labs/14-strategic-patch/student, in the shape of
// core/apiserver's mergeList: read the patch, delete, merge, order. Its
// steps are exported so that each mutant can break one of them.
//
// Book: book/14-speaking-kubernetes.md, "Lab".
package reference
