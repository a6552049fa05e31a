// Package mutants holds deliberately broken answers to lab 06, each the
// reference with one mistake. The checker's tests require that it fails
// every one.
//
// Book: book/06-controllers-replicasets.md, "Lab".
package mutants
