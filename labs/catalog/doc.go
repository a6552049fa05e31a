// Package catalog wires every lab to the three kinds of code a checker
// runs: the student's (labs/NN-*/student), the reference solution and the
// kept mutants. The lab command runs the student's code, or on request the
// reference or a mutant (make lab NN=04 IMPL=reference); each checker's
// own test (labs/lab/labtest) runs all three.
//
// Book: chapter 8 (book/08-simulator.md, "Lab"), and book/README.md,
// "Labs".
package catalog
