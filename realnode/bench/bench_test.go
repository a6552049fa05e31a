package bench

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRunPrintsEveryRow runs the whole benchmark briefly, so that the code
// behind `tinykube bench` cannot rot between the runs people make of it.
// It checks the table's shape, never the speeds.
func TestRunPrintsEveryRow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, progress bytes.Buffer
	opts := Options{Duration: 200 * time.Millisecond, Workers: 2, Trials: 1, Progress: &progress,
		SchedulerNodes: []int{20}, SchedulerPods: 50}
	if err := Run(ctx, &out, opts); err != nil {
		t.Fatalf("Run(%+v) = %v; progress:\n%s", opts, err, progress.String())
	}
	table := out.String()
	if lineStarting(table, "20 nodes, end to end") == "" {
		t.Errorf("the table has no end-to-end scheduler row for 20 nodes:\n%s", table)
	}
	for _, row := range []string{"raw etcd puts (baseline)", "API creates, in-process", "API creates over HTTP", "API creates, protobuf HTTP", "custom resource creates over HTTP"} {
		line := lineStarting(table, row)
		if line == "" {
			t.Errorf("the table has no row %q:\n%s", row, table)
			continue
		}
		fields := strings.Fields(strings.TrimPrefix(line, row))
		if len(fields) < 4 {
			t.Errorf("row %q has %d columns after its name, want ops/s, ratio, p50, p99:\n%s", row, len(fields), table)
			continue
		}
		for i, name := range []string{"ops/s", "vs baseline"} {
			if v, err := strconv.ParseFloat(fields[i], 64); err != nil || v <= 0 {
				t.Errorf("row %q: %s = %q, want a positive number:\n%s", row, name, fields[i], table)
			}
		}
	}
}

func lineStarting(text, prefix string) string {
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

func TestQuantile(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var hundred []time.Duration
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, ms(i))
	}
	tests := []struct {
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{[]time.Duration{ms(5)}, 0.5, ms(5)},
		{[]time.Duration{ms(5)}, 0.99, ms(5)},
		{hundred, 0.5, ms(50)},
		{hundred, 0.99, ms(99)},
		{[]time.Duration{ms(1), ms(2), ms(3)}, 0.5, ms(2)},
	}
	for _, tt := range tests {
		if got := quantile(tt.sorted, tt.q); got != tt.want {
			t.Errorf("quantile(%d values, %v) = %v, want %v", len(tt.sorted), tt.q, got, tt.want)
		}
	}
}
