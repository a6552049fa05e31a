package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	coreaudit "github.com/tinykube/tinykube/core/audit"
)

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// dirNames returns the names of the files in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestRotation(t *testing.T) {
	dir := t.TempDir()
	clk := &fakeClock{time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	r, err := openRotating(filepath.Join(dir, "audit.log"), 100, 2, 0, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte(strings.Repeat("x", 39) + "\n") // 40 bytes: two fit in 100, three do not
	for i := 0; i < 9; i++ {
		if _, err := r.Write(line); err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(time.Minute)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	// 9 lines, 2 a file: rotations before lines 3, 5, 7 and 9 (at minutes
	// 2, 4, 6, 8); the current file and the 2 newest backups remain.
	want := []string{"audit-2026-12-01T10-06-00.000.log", "audit-2026-12-01T10-08-00.000.log", "audit.log"}
	if diff := cmp.Diff(want, dirNames(t, dir)); diff != "" {
		t.Errorf("files after 9 lines of 40 bytes, max 100 bytes, 2 backups (-want +got):\n%s", diff)
	}
	for _, name := range want {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if wantSize := map[bool]int{true: 40, false: 80}[name == "audit.log"]; len(b) != wantSize {
			t.Errorf("size of %s = %d, want %d", name, len(b), wantSize)
		}
	}
}

func TestRotationAgeAndStrangers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	// Old backups from an earlier run, and files that are not backups.
	for _, name := range []string{"audit-2026-11-01T00-00-00.000.log", "audit-2026-11-29T00-00-00.000.log", "audit-notes.log", "other.log"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("old\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	clk := &fakeClock{time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	r, err := openRotating(path, 10, 0, 7, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		r.Write([]byte("0123456789\n")) // longer than the limit: a file each
	}
	r.Close()
	want := []string{"audit-2026-11-29T00-00-00.000.log", "audit-2026-12-01T00-00-00.000.log", "audit-notes.log", "audit.log", "other.log"}
	if diff := cmp.Diff(want, dirNames(t, dir)); diff != "" {
		t.Errorf("files after a rotation with 7 days' age limit (-want +got):\n%s", diff)
	}
	// Two rotations in the same millisecond keep both backups.
	r, _ = openRotating(path, 10, 0, 0, clk.now)
	r.Write([]byte("0123456789\n"))
	r.Write([]byte("0123456789\n"))
	r.Close()
	if names := dirNames(t, dir); !cmp.Equal(names[1:3], []string{"audit-2026-12-01T00-00-00.000.log", "audit-2026-12-01T00-00-00.001.log"}) {
		t.Errorf("files after two rotations in one millisecond = %q, want both backups", names)
	}
}

func TestLoggerConcurrentAndClose(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "audit.log")
	l, err := Open(Config{Path: path, MaxSizeMB: 1, Errors: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 2000
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				l.Log(&coreaudit.Event{Kind: coreaudit.KindEvent, AuditID: fmt.Sprintf("%d-%d", w, i), RequestURI: strings.Repeat("/p", 50)})
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	l.Log(&coreaudit.Event{AuditID: "late"})
	if got := l.Dropped(); got != 1 {
		t.Errorf("Dropped() after one event past Close = %d, want 1", got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode = %v, want 0600", st.Mode().Perm())
	}
	// Every event is in one of the files, once, whole.
	seen := map[string]int{}
	for _, name := range dirNames(t, filepath.Dir(path)) {
		f, _ := os.Open(filepath.Join(filepath.Dir(path), name))
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var ev coreaudit.Event
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Fatalf("%s: a line is not an event: %v", name, err)
			}
			seen[ev.AuditID]++
		}
		f.Close()
	}
	if len(seen) != writers*each {
		t.Errorf("events in the files = %d, want %d", len(seen), writers*each)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s written %d times, want once", id, n)
		}
	}
	if n := len(dirNames(t, filepath.Dir(path))); n < 2 {
		t.Errorf("files after ~2.4 MB with a 1 MB limit = %d, want at least 2", n)
	}
}

// stuckWriter blocks every Write until released.
type stuckWriter struct {
	release chan struct{}
	mu      sync.Mutex
	lines   int
}

func (w *stuckWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	w.lines++
	w.mu.Unlock()
	return len(p), nil
}

func TestLoggerSlowDiskBoundsTheWait(t *testing.T) {
	w := &stuckWriter{release: make(chan struct{})}
	l, err := Open(Config{Path: "-", Stdout: w, MaxPendingBytes: 1000, BlockFor: 10 * time.Millisecond, Errors: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := 0; i < 100; i++ { // ~100 bytes each: the queue holds ~10
		l.Log(&coreaudit.Event{AuditID: fmt.Sprint(i), RequestURI: strings.Repeat("/", 40)})
	}
	elapsed := time.Since(start)
	// The writer holds one batch, the queue ~10 more; each later event
	// waits at most 10ms: 100 events × 10ms is 1s; it must be the
	// bound, not the disk, that ends each wait.
	if elapsed > 3*time.Second {
		t.Errorf("100 events on a stuck disk took %v, want each wait bounded by BlockFor", elapsed)
	}
	if l.Dropped() == 0 {
		t.Errorf("Dropped() on a stuck disk = 0, want the events beyond the queue dropped")
	}
	close(w.release)
	l.Close()
	w.mu.Lock()
	defer w.mu.Unlock()
	if int64(w.lines)+l.Dropped() != 100 {
		t.Errorf("written %d + dropped %d = %d, want 100 (none lost silently)", w.lines, l.Dropped(), int64(w.lines)+l.Dropped())
	}
}
