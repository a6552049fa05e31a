// Package storetest is the conformance suite for store.Store. Every Store
// implementation runs it (the in-memory one in core/store, the etcd one in
// realnode/etcdstore), so both behave the same way, down to the edge cases
// etcd defines: revision numbering, compaction boundaries, watch replay.
//
// The suite never waits in real time itself: core stays deterministic. A
// caller whose store delivers watch events from another goroutine passes a
// WaitFunc with a deadline; the in-memory store needs none.
//
// Book: chapter 2, "The store" (book/02-store.md).
package storetest
