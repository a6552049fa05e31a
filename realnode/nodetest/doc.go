// Package nodetest starts the real parts a real-node test needs, each
// private to the test: a containerd with its own root, state and socket
// under the test's temp dir, and the busybox test image imported into it.
// Tests using it run inside their own network namespace (netnstest.Main)
// and call Require first.
//
// Book: chapter 10 (book/10-container-runtime.md, "Code: testing it without
// touching the machine").
package nodetest
