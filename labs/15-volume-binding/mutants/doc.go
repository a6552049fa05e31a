// Package mutants holds deliberately broken answers to lab 15, each the
// reference with one mistake. The checker's tests require that it fails
// every one.
//
// Book: book/15-configuration-and-storage.md, "Lab".
package mutants
