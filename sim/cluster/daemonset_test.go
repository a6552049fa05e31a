package cluster

import (
	"testing"
)

// The DaemonSet scenario holds with the real controller, and a controller
// that creates pods for a node without waiting for the ones it already
// created to show up (daemonset-ignores-existing) is caught by
// daemonset-one-per-node.
func TestBrokenDaemonSetIsCaughtByOnePerNode(t *testing.T) {
	s := load(t, "daemonset.yaml")
	for seed := uint64(1); seed <= 3; seed++ {
		if r := run(t, s, seed); r.Violation != nil {
			t.Fatalf("the real controller fails seed %d: %v", seed, r.Violation)
		}
	}
	s.Cluster.Broken = "daemonset-ignores-existing"
	_, r, seed := caught(t, s, 5, "daemonset-one-per-node: DaemonSet default/agent has two live pods on node", "DaemonSet controller")
	t.Logf("seed %d caught: %v", seed, r.Violation)
}
