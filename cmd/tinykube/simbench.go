package main

import (
	"fmt"
	"io"
	"time"

	"github.com/tinykube/tinykube/sim/cluster"
)

// simBench prints how fast the simulator runs: virtual seconds per wall
// second for a busy cluster of 10 and 100 nodes, with churn and faults.
func simBench(w, progress io.Writer) error {
	fmt.Fprintln(w, "\nsimulator (whole cluster, one thread; churn and faults)")
	fmt.Fprintf(w, "%-26s %12s %12s %10s %12s\n", "cluster", "virtual", "wall", "x real", "events/s")
	for _, tc := range []struct {
		nodes int
		d     time.Duration
	}{{10, 5 * time.Minute}, {100, 2 * time.Minute}} {
		fmt.Fprintf(progress, "simulating %d nodes for %v...\n", tc.nodes, tc.d)
		c, err := cluster.New(cluster.BenchScenario(tc.nodes, tc.d), 1)
		if err != nil {
			return err
		}
		start := time.Now()
		r := c.Run()
		wall := time.Since(start)
		note := ""
		if tc.nodes == 10 {
			note = "  (aim ≥ 1000x at 10 nodes)"
		}
		if r.Violation != nil {
			note += "  VIOLATION: " + r.Violation.Error()
		}
		fmt.Fprintf(w, "%-26s %12v %12v %9.0fx %12.0f%s\n", fmt.Sprintf("%d nodes, %d pods", tc.nodes, tc.nodes*5),
			r.At.Round(time.Second), wall.Round(time.Millisecond), r.At.Seconds()/wall.Seconds(), float64(r.Steps)/wall.Seconds(), note)
	}
	fmt.Fprintln(w, "What limits it: every API call is encoded and decoded as JSON at both ends, as on a real network, and")
	fmt.Fprintln(w, "lease heartbeats (one per node every 2s) are most of the calls; at 100 nodes every kubelet's pod watch")
	fmt.Fprintln(w, "also sees every pod write before filtering it, as Kubernetes' field-selector watches do.")
	return nil
}
