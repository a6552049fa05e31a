// Package mutants holds deliberately broken answers to lab 16, each the
// reference with one mistake. The checker's tests require that it fails
// every one.
//
// Book: book/16-identity-and-access.md, "Lab".
package mutants
