package cluster

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
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

// retentionScenario is the statefulset scenario without faults, its set
// under whenScaled (and whenDeleted) policy, scaled from 3 to 1 at 20s.
func retentionScenario(t *testing.T, whenScaled string) *scenario.Scenario {
	t.Helper()
	s := load(t, "statefulset.yaml")
	s.Profile, s.Faults = nil, nil
	s.Network.Loss, s.Network.LostResponse = 0, 0
	for i, raw := range s.Objects {
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Fatal(err)
		}
		if obj["kind"] != "StatefulSet" {
			continue
		}
		obj["spec"].(map[string]any)["persistentVolumeClaimRetentionPolicy"] = map[string]any{"whenScaled": whenScaled, "whenDeleted": "Retain"}
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		s.Objects[i] = b
	}
	one := int32(1)
	s.Faults = []scenario.Fault{{At: scenario.Duration{Duration: 20 * time.Second}, Action: "scale", Kind: "StatefulSet", Name: "web", Replicas: &one}}
	s.Duration.Duration = 60 * time.Second
	return s
}

// A StatefulSet scaled from 3 to 1 under whenScaled=Delete loses the
// claims (and, by the default class's Delete reclaim, the volumes) of
// ordinals 1 and 2 with their pods, and keeps ordinal 0's bound; under
// Retain every claim stays.
func TestScaleDownDeletesCondemnedClaims(t *testing.T) {
	for _, tc := range []struct {
		whenScaled string
		claims     []string
	}{
		{"Delete", []string{"data-web-0:Bound"}},
		{"Retain", []string{"data-web-0:Bound", "data-web-1:Bound", "data-web-2:Bound"}},
	} {
		s := retentionScenario(t, tc.whenScaled)
		for seed := uint64(1); seed <= 2; seed++ {
			c, err := New(s, seed)
			if err != nil {
				t.Fatal(err)
			}
			if r := c.Run(); r.Violation != nil {
				t.Fatalf("whenScaled=%s seed %d: %v", tc.whenScaled, seed, r.Violation)
			}
			claims, err := client.For[*api.PersistentVolumeClaim](c.Admin).List(context.Background(), "default", client.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, cl := range claims.Items {
				got = append(got, cl.Name+":"+cl.Status.Phase)
			}
			if diff := cmp.Diff(tc.claims, got); diff != "" {
				t.Errorf("whenScaled=%s seed %d: claims after scaling to 1 (-want +got):\n%s", tc.whenScaled, seed, diff)
			}
			vols, err := client.For[*api.PersistentVolume](c.Admin).List(context.Background(), "", client.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(vols.Items) != len(tc.claims) {
				t.Errorf("whenScaled=%s seed %d: %d volumes after scaling to 1, want %d (one per claim left)", tc.whenScaled, seed, len(vols.Items), len(tc.claims))
			}
		}
	}
}
