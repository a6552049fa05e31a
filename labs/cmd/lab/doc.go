// Command lab runs the book's labs against the student's code in
// labs/NN-*/student. The Makefile's lab, grade and soak targets call it:
//
//	go run ./labs/cmd/lab -lab 04 [-seed 17] [-run FitsAll] [-seeds 50] [-impl reference]
//	go run ./labs/cmd/lab -grade [-impl reference]
//
// -impl runs other code than the student's: the reference solution (what
// passing looks like) or one of the kept mutants, "mutant:NAME" (what a
// known mistake looks like). It exits 1 when a lab fails, so that `make
// lab` reads as a failure; a grade always exits 0 once it has printed the
// points.
//
// Book: chapter 8 (book/08-simulator.md, "Lab"), and book/README.md, "How
// to read it".
package main
