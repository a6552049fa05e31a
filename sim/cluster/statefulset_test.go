package cluster

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/sim/scenario"
)

// partitionScenario is the statefulset scenario with its random faults
// replaced by one partition of node-1..node-4 in turn, each longer than
// the node grace period plus the eviction timeout plus the pods' grace:
// whichever node holds a pod, its pod is evicted while its containers
// keep running.
func partitionScenario(t *testing.T) *scenario.Scenario {
	s := load(t, "statefulset.yaml")
	s.Profile = nil
	s.Network.Loss, s.Network.LostResponse = 0, 0
	for i := 1; i <= 3; i++ {
		s.Faults = append(s.Faults, scenario.Fault{At: scenario.Duration{Duration: time.Duration(5+40*(i-1)) * time.Second},
			Action: "partition-node", Node: scenario.NodeName(i), For: scenario.Duration{Duration: 35 * time.Second}})
	}
	s.Duration.Duration = 150 * time.Second
	return s
}

// The real StatefulSet controller keeps every ordinal single through long
// partitions; a controller that replaces a pod as soon as its node is not
// Ready runs two copies of one ordinal (the old one on the partitioned
// node, the new one elsewhere), and statefulset-ordinals catches it; the
// shrinker cuts the schedule down.
func TestBrokenStatefulSetIsCaughtAndShrunk(t *testing.T) {
	s := partitionScenario(t)
	for seed := uint64(1); seed <= 4; seed++ {
		if r := run(t, s, seed); r.Violation != nil {
			t.Fatalf("the real controller fails seed %d: %v", seed, r.Violation)
		}
	}
	s.Cluster.Broken = "statefulset-replaces-on-notready"
	c, r, seed := caught(t, s, 4, "statefulset-ordinals: statefulset default/web ordinal", "StatefulSet controller")
	faults := c.Faults()
	small, sr := Shrink(s, seed, r, faults)
	if sr.Violation == nil || len(small.Faults) >= len(faults) {
		t.Fatalf("shrink: %d faults -> %d, violation %v", len(faults), len(small.Faults), sr.Violation)
	}
	t.Logf("seed %d caught: %v; shrunk %d faults to %d", seed, r.Violation, len(faults), len(small.Faults))
}
