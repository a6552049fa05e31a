package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/sim/scenario"
)

// calmStorage is the storage scenario without its random faults and lost
// messages, on nodes nodes: what a broken variant's test starts from.
func calmStorage(t *testing.T, nodes int) *scenario.Scenario {
	s := load(t, "storage.yaml")
	s.Profile = nil
	s.Network.Loss, s.Network.LostResponse = 0, 0
	s.Cluster.Nodes = nodes
	s.Duration.Duration = 60 * time.Second
	return s
}

// Every node reboots in turn (its disk survives): each ordinal's
// replacement finds the file its predecessor wrote, the same incarnation.
// Before a node's disk outlived its runtime, a rebooted node had lost
// every local volume and its pods never started again.
func TestStorageRebootsKeepData(t *testing.T) {
	s := calmStorage(t, 3)
	s.Duration.Duration = 120 * time.Second
	for i := 1; i <= 3; i++ {
		s.Faults = append(s.Faults, scenario.Fault{At: scenario.Duration{Duration: time.Duration(10+20*i) * time.Second},
			Action: "crash-node", Node: scenario.NodeName(i), For: scenario.Duration{Duration: 5 * time.Second}})
	}
	if r := run(t, s, 1); r.Violation != nil {
		t.Fatalf("reboots: %v", r.Violation)
	}
}

// The broken variants of the binder and the provisioner are each caught by
// their invariant; the real ones pass the same runs.
func TestStorageBrokenVariantsAreCaught(t *testing.T) {
	for _, tc := range []struct {
		broken, want string
		nodes        int
	}{
		// One node: every claim's volume is there, so a binder that
		// ignores claimRef finds one already bound.
		{"binder-takes-bound-volumes", "pv-single-claim:", 1},
		{"provisioner-sweeps-retained", "retain-keeps-data:", 3},
	} {
		t.Run(tc.broken, func(t *testing.T) {
			s := calmStorage(t, tc.nodes)
			if r := run(t, s, 1); r.Violation != nil {
				t.Fatalf("the real components fail: %v", r.Violation)
			}
			s.Cluster.Broken = tc.broken
			_, r, seed := caught(t, s, 3, tc.want, tc.broken)
			if !strings.Contains(r.Violation.Error(), "persistentvolume") {
				t.Errorf("seed %d: %v does not name the volume", seed, r.Violation)
			}
		})
	}
}

// A node whose disk is lost with it (lose-disk, then a reboot) has no
// directory for its local volumes: its pods do not start on an empty
// directory in their place (which would lose the data silently, and
// statefulset-data would say so) but wait, FailedMount, until someone
// deletes their claims — Kubernetes' limitation of local volumes too. The
// run ends in a liveness failure naming a pod, not in a safety violation.
func TestStorageLostDiskIsNoSilentLoss(t *testing.T) {
	s := calmStorage(t, 1)
	s.Faults = append(s.Faults,
		scenario.Fault{At: scenario.Duration{Duration: 20 * time.Second}, Action: "crash-node", Node: "node-1", For: scenario.Duration{Duration: 5 * time.Second}},
		scenario.Fault{At: scenario.Duration{Duration: 21 * time.Second}, Action: "lose-disk", Node: "node-1"})
	s.Liveness.Within.Duration = 30 * time.Second
	r := run(t, s, 1)
	if r.Violation == nil || !strings.HasPrefix(r.Violation.Error(), "liveness:") {
		t.Fatalf("violation %v, want a liveness failure (pods waiting for their lost volumes)", r.Violation)
	}
	t.Logf("%v", r.Violation)
}
