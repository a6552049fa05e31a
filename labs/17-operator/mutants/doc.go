// Package mutants holds broken answers to lab 17, each a mistake operator
// authors make — the bug classes the Sieve paper found in real operators:
// acting on a stale read, forgetting what the finalizer guards, status
// from spec, a write that is not idempotent across a crash — and two more
// of the same family. The checker must fail every one
// (labs/17-operator/checker_test.go asserts it).
//
// Book: book/17-custom-resources.md, "Lab".
package mutants
