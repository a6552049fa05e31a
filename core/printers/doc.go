// Package printers renders objects the way kubectl shows them: tables for
// get (with the wide, all-namespaces and show-kind variants), the name form
// of -o name, and describe. Output is meant to be byte-for-byte what a
// student would see from kubectl for the same object, so that the book's
// transcripts and the real tool agree; where tinykube's types lack a field
// kubectl reads, the column shows what kubectl shows for an unset field.
//
// Every function is pure: it reads objects and a caller-supplied "now" and
// writes text. Nothing here reads the clock, so golden tests are exact.
//
// Book: chapter 3 (book/03-api-server.md).
package printers
