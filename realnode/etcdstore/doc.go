// Package etcdstore implements store.Store on etcd, the store a real
// tinykube cluster keeps its state in. Every tinykube key is stored under a
// key prefix, so several clusters (or tests) can share one etcd. Conditional
// writes are etcd transactions comparing ModRevision or CreateRevision,
// lists are paged ranges at a fixed revision, watches ask for previous
// values, and etcd's compaction and future-revision errors become
// store.ErrCompacted and store.ErrFutureRevision.
//
// embed.go starts etcd inside the tinykube process (the default); Dial
// connects to an external etcd cluster instead.
//
// Book: chapter 2, "The store" (book/02-store.md).
package etcdstore
