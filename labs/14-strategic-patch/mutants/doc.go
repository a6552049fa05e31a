// Package mutants holds deliberately broken answers to lab 14, each the
// reference with one mistake. The checker's tests require that it fails
// every one.
//
// Book: book/14-speaking-kubernetes.md, "Lab".
package mutants
