// Package cel compiles and runs the CEL rules of a custom resource's
// schema (x-kubernetes-validations), with self bound to the value at the
// rule's place in the object and, on updates, oldSelf to its previous
// value.
//
// Book: book/17-custom-resources.md.
package cel
