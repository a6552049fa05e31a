// Package mutants holds deliberately broken answers to lab 09, each the
// reference with one mistake. The checker's tests require that it fails
// every one.
//
// Book: book/09-workloads.md, "Lab".
package mutants
