// Package labtest holds the self-tests every lab's checker must pass: a
// checker that passes broken code teaches the wrong lesson, so each lab
// proves that its checker accepts the reference, rejects every kept mutant,
// fails the starter code with "not implemented" (never a panic), replays
// each failure from its seed alone, and prints the same report twice for
// the same seeds.
//
// Book: chapter 8 (book/08-simulator.md, "Lab"), on how every lab's
// checker is built and tested.
package labtest
