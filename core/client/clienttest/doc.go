// Package clienttest is the shared harness for component tests: an API
// server in process over a memory store, on a virtual loop, with a
// transport that can hold back watch events to make an informer lag the
// API, and cut watch streams to make it resume or relist.
//
// A component under test talks through Env.Transport; the test's own
// reads and writes go through Env.Client, straight to the server, so the
// test always sees the API as it is. Everything is deterministic: a fixed
// start time, seeded randomness, and one thread.
//
// Book: chapter 6, "Controllers and ReplicaSets"
// (book/06-controllers-replicasets.md), whose tests are built on it.
package clienttest
