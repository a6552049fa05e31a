package netnstest

import (
	"net"
	"os/exec"
	"testing"
)

// UplinkAddress is the node address Uplink gives the test namespace, in
// TEST-NET-1 (192.0.2.0/24, reserved for documentation and tests).
const UplinkAddress = "192.0.2.1"

// Uplink makes the test's network namespace look like a node's: an
// interface with an address and a default route. A fresh namespace has
// only lo, so the node itself could not even open a connection to a
// service's cluster IP (connect fails with "network is unreachable"
// before the proxy's DNAT runs). The interface is one end of a veth pair
// whose other end stays in the same namespace, without an address (a
// dummy interface would do, but not every kernel has the module): the
// default gateway never answers ARP, so nothing routed out of it goes
// anywhere, and no traffic leaves the namespace. Calling it twice is
// harmless. It needs root and the test namespace (Require first).
func Uplink(t testing.TB) string {
	t.Helper()
	if ifc, err := net.InterfaceByName("tkuplink"); err == nil && ifc != nil {
		return UplinkAddress
	}
	for _, args := range [][]string{
		{"link", "add", "tkuplink", "type", "veth", "peer", "name", "tkuplink-peer"},
		{"link", "set", "tkuplink-peer", "up"},
		{"addr", "add", UplinkAddress + "/24", "dev", "tkuplink"},
		{"link", "set", "tkuplink", "up"},
		{"route", "add", "default", "via", "192.0.2.254", "dev", "tkuplink"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	return UplinkAddress
}
