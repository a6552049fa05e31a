package bench

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSchedulerRows runs the scheduler measurement briefly and checks the
// shape of its rows, never the speed.
func TestSchedulerRows(t *testing.T) {
	var out, progress bytes.Buffer
	if err := runSchedulerRows(context.Background(), &out, &progress, 50*time.Millisecond); err != nil {
		t.Fatalf("runSchedulerRows = %v", err)
	}
	table := out.String()
	if !strings.Contains(table, "scheduler (pure algorithm)") {
		t.Errorf("no heading \"scheduler (pure algorithm)\":\n%s", table)
	}
	for _, row := range []string{"1,000 nodes", "5,000 nodes"} {
		line := lineStarting(table, row)
		if line == "" {
			t.Errorf("the table has no row %q:\n%s", row, table)
			continue
		}
		fields := strings.Fields(strings.TrimPrefix(line, row))
		if v, err := strconv.ParseFloat(fields[0], 64); err != nil || v <= 0 {
			t.Errorf("row %q: pods/s = %q, want a positive number:\n%s", row, fields[0], table)
		}
	}
	if !strings.Contains(lineStarting(table, "5,000 nodes"), "(aim ≥ 1000 pods/s at 5,000 nodes)") {
		t.Errorf("the 5,000-node row does not state the aim:\n%s", table)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 5000: "5,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
