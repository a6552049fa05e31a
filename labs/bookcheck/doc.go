// Package bookcheck keeps the book honest about the code.
//
// Chapters in book/ point into the source with anchors written as inline
// code: a repository-relative path, a colon, and a Go regular expression
// between slashes, such as
//
//	`core/apiserver/update.go:/^func \(s \*Server\) update/`
//
// An anchor resolves when the file exists, the expression compiles, and it
// matches at least one line of the file (each line is matched on its own,
// without its newline, so ^ and $ mean the start and end of a line).
//
// Like the xv6 book, tinykube's book names code by pattern rather than by
// line number, so a reference survives edits around it. A pattern can still
// go stale when a function is renamed, moved or deleted; the test in this
// package turns that into a build failure that names the chapter, the line
// and the anchor, instead of a student finding a dead reference.
//
// Anchors inside fenced code blocks are not checked (they are examples, as
// above), nor are spans whose pattern starts with a slash (URLs such as
// `http://host/`). Check also fails when book/ has no chapters or no anchors
// at all, so a misplaced root cannot make it pass by finding nothing.
//
// CheckPackageDocs keeps the code honest about the book in turn: every
// package under cmd/, core/, labs/, realnode/ and sim/ has a doc.go whose
// package comment names the chapter that explains it, as a file
// book/NN-topic.md that exists.
//
// Book: book/README.md, "Anchors", and chapter 0 (book/00-introduction.md,
// "Code: the layout test"), among the repository's other checkers.
package bookcheck
