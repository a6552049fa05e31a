package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

// TestSimBenchRows runs the simulator rows of `tinykube bench` on tiny
// shapes: a row that ends prints its x real time and aim, and a row over
// its wall budget is stopped and says how far it got.
func TestSimBenchRows(t *testing.T) {
	saved := simBenchRows
	defer func() { simBenchRows = saved }()
	for _, tc := range []struct {
		name   string
		budget time.Duration
		want   string
	}{
		{"ends", time.Minute, "x  (aim ≥ 5x)"},
		{"over budget", time.Nanosecond, "STOPPED at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			simBenchRows = simBenchRows[:0:0]
			simBenchRows = append(simBenchRows, saved[0])
			simBenchRows[0].nodes, simBenchRows[0].pods, simBenchRows[0].d = 2, 4, 20*time.Second
			simBenchRows[0].aim, simBenchRows[0].budget = 5, tc.budget
			var out strings.Builder
			if err := simBench(&out, io.Discard); err != nil {
				t.Fatalf("simBench: %v", err)
			}
			row := ""
			for _, line := range strings.Split(out.String(), "\n") {
				if strings.HasPrefix(line, "2 nodes, 4 pods") {
					row = line
				}
			}
			if !strings.Contains(row, tc.want) || strings.Contains(row, "VIOLATION") {
				t.Errorf("simBench row = %q, want it to contain %q and no VIOLATION\n%s", row, tc.want, out.String())
			}
		})
	}
}
