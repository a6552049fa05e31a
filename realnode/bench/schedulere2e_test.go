package bench

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/realnode/etcdstore"
)

// startTestEtcd starts an embedded etcd in a test's temporary directory.
func startTestEtcd(t *testing.T) *etcdstore.Embedded {
	t.Helper()
	cfg, err := loopbackEtcd(filepath.Join(t.TempDir(), "etcd"))
	if err != nil {
		t.Fatal(err)
	}
	etcd, err := etcdstore.StartEmbedded(cfg)
	if err != nil {
		t.Fatalf("StartEmbedded = %v", err)
	}
	t.Cleanup(func() { etcd.Close() })
	return etcd
}

// TestSchedulerE2ERows runs the end-to-end scheduler measurement on small
// clusters and checks that every pod was bound and the rows' shape, never
// the speed. (The bench's own sizes, 1,000 and 5,000 nodes, take minutes
// on a loaded machine; the rows' aim is checked on TestSchedulerE2EAim.)
func TestSchedulerE2ERows(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	etcd := startTestEtcd(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, progress bytes.Buffer
	if err := runSchedulerE2ERows(ctx, etcd.Client(), &out, &progress, []int{30, 200}, 300, 4); err != nil {
		t.Fatalf("runSchedulerE2ERows = %v; progress:\n%s", err, progress.String())
	}
	table := out.String()
	t.Logf("\n%s", table)
	if !strings.Contains(table, "scheduler end to end") {
		t.Errorf("no heading \"scheduler end to end\":\n%s", table)
	}
	for _, row := range []string{"30 nodes, end to end", "200 nodes, end to end"} {
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
	if strings.Contains(table, "aim") {
		t.Errorf("rows under 1,000 nodes state the aim, which is for 1,000 nodes and more:\n%s", table)
	}
}

// TestSchedulerE2EAim checks that rows of 1,000 nodes and more state the
// aim they are measured against, with their figures.
func TestSchedulerE2EAim(t *testing.T) {
	var out bytes.Buffer
	results := []e2eResult{
		{nodes: 1000, pods: 10000, elapsed: 5 * time.Second, creates: 4 * time.Second, cpu: 9 * time.Second},
		{nodes: 5000, pods: 10000, elapsed: 8 * time.Second, creates: 4 * time.Second, cpu: 15 * time.Second},
	}
	if err := writeSchedulerE2ERows(&out, results, 4); err != nil {
		t.Fatal(err)
	}
	table := out.String()
	for row, rate := range map[string]string{"1,000 nodes, end to end": "2000", "5,000 nodes, end to end": "1250"} {
		line := lineStarting(table, row)
		if !strings.Contains(line, "(aim ≥ 1000 pods/s)") {
			t.Errorf("row %q does not state the aim:\n%s", row, table)
		}
		if f := strings.Fields(strings.TrimPrefix(line, row)); len(f) == 0 || f[0] != rate {
			t.Errorf("row %q: pods/s = %v, want %s:\n%s", row, f, rate, table)
		}
	}
}
