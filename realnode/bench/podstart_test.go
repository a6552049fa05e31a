package bench

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/realnode/netnstest"
	"github.com/tinykube/tinykube/realnode/nodetest"
)

// As root, the tests run in a network namespace of their own, which the
// pod start measurement requires; the other tests only use loopback. Run
// with hostileServerEnv set, the binary is the hostile test's API server.
func TestMain(m *testing.M) {
	if serveHostileIfAsked() {
		return
	}
	netnstest.Main(m)
}

// TestPodStartPrintsBothRows runs the pod start measurement with a few
// pods, so that the code behind `tinykube bench` cannot rot. It checks
// the table's rows and that every number is positive, never the speeds.
func TestPodStartPrintsBothRows(t *testing.T) {
	nodetest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out, progress bytes.Buffer
	opts := PodStartOptions{Pods: 3, Trials: 1, Progress: &progress}
	if err := PodStart(ctx, &out, opts); err != nil {
		t.Fatalf("PodStart(%+v) = %v; progress:\n%s", opts, err, progress.String())
	}
	table := out.String()
	t.Logf("progress:\n%s\ntable:\n%s", progress.String(), table)
	for _, row := range []string{"bare containerd + CNI (baseline)", "tinykube pod, create → Running"} {
		line := lineStarting(table, row)
		if line == "" {
			t.Errorf("the table has no row %q:\n%s", row, table)
			continue
		}
		fields := strings.Fields(strings.TrimPrefix(line, row))
		if len(fields) != 6 {
			t.Errorf("row %q has %d columns after its name, want starts, p50, p99, max and two ratios:\n%s", row, len(fields), table)
			continue
		}
		if fields[0] != "3" {
			t.Errorf("row %q: starts = %s, want 3:\n%s", row, fields[0], table)
		}
		for i, name := range []string{"p50", "p99", "max", "p50 ×", "p99 ×"} {
			v, err := strconv.ParseFloat(strings.TrimSuffix(fields[i+1], "ms"), 64)
			if err != nil || v <= 0 {
				t.Errorf("row %q: %s = %q, want a positive number:\n%s", row, name, fields[i+1], table)
			}
		}
	}
}

// TestReplicasPrintsRows runs one trial of the replica measurement (a
// ReplicaSet of 10 scaled to 50 on the node) and checks that its row
// has two positive times and two ratios, never the speeds.
func TestReplicasPrintsRows(t *testing.T) {
	nodetest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, progress bytes.Buffer
	opts := PodStartOptions{Trials: 1, SkipStarts: true, Progress: &progress}
	if err := PodStart(ctx, &out, opts); err != nil {
		t.Fatalf("PodStart(%+v) = %v; progress:\n%s", opts, err, progress.String())
	}
	table := out.String()
	t.Logf("progress:\n%s\ntable:\n%s", progress.String(), table)
	for _, mode := range replicaModes {
		row := mode.name
		line := lineStarting(table, row)
		if line == "" {
			t.Errorf("the table has no row %q:\n%s", row, table)
			continue
		}
		fields := strings.Fields(strings.TrimPrefix(line, row))
		if len(fields) < 6 {
			t.Errorf("row %q has %d columns after its name, want two times and four ratios:\n%s", row, len(fields), table)
			continue
		}
		for i, name := range []string{"10 up", "× Swarm", "× before", "10→50", "× Swarm", "× before"} {
			v, err := strconv.ParseFloat(strings.TrimSuffix(fields[i], "s"), 64)
			if err != nil || v <= 0 {
				t.Errorf("row %q: %s = %q, want a positive number:\n%s", row, name, fields[i], table)
			}
		}
	}
}
