// Package mutants holds deliberately broken answers to lab 04, each the
// reference with one mistake a student is likely to make. The checker's
// tests require that it fails every one of them: a mutant that passes
// means the checker cannot see that mistake.
//
// Book: book/04-scheduler.md, "Lab".
package mutants
