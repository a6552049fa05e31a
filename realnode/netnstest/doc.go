// Package netnstest runs a test binary inside a network namespace of its
// own, so tests that create bridges, veth pairs and pod network namespaces
// (realnode/podnet, the containerd runtime) cannot disturb the machine's
// real network, and everything they made disappears with the namespace.
//
// A package opts in with
//
//	func TestMain(m *testing.M) { netnstest.Main(m) }
//
// and each real-node test starts with netnstest.Require (and RequireCNI),
// which skips the test, saying what is missing and how to install it, when
// the machine cannot run it. CI sets TINYKUBE_REQUIRE_E2E=1, which turns
// those skips into failures: there a real-node test can never be skipped
// silently.
//
// How Main works: the test binary starts as usual. If it runs as root and
// is not yet inside a test namespace, it creates one with `ip netns add
// tk-test-<pid>-<random>`, brings its loopback up, runs itself again with
// the same arguments inside it (nsenter --net, in a private mount
// namespace; not `ip netns exec`, which remounts /sys and hides the cgroup
// mounts runc needs), and exits with the child's exit code after deleting
// the namespace. The child sees the marker
// TINYKUBE_NETNS in its environment and runs the tests.
//
// Book: chapter 10, "The container runtime and pod networking" (book/10-container-runtime.md).
package netnstest
