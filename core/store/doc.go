// Package store defines the Store interface — a key-value store with etcd's
// semantics (one global revision, conditional writes, reads at a revision,
// watches from a revision, compaction) — and an in-memory implementation the
// simulator and unit tests use. realnode has the implementation on etcd; the
// conformance suite in storetest runs against both.
//
// Book: chapter 2, "The store" (book/02-store.md).
package store
