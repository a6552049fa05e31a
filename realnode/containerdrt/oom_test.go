package containerdrt

import (
	"os"
	"path/filepath"
	"testing"
)

// oomKilledIn reads the kernel's oom_kill count from either cgroup
// hierarchy's file, whatever else the file holds, and says false for what
// it cannot read.
func TestOOMKilledIn(t *testing.T) {
	root := t.TempDir()
	write := func(rel, body string) {
		f := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("k8s/v2-killed/memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n")
	write("k8s/v2-alive/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n")
	write("memory/k8s/v1-killed/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
	write("memory/k8s/v1-alive/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n")
	for path, want := range map[string]bool{
		"/k8s/v2-killed": true, "/k8s/v2-alive": false, "/k8s/v1-killed": true, "k8s/v1-alive": false,
		"/k8s/gone": false, "": false, "system.slice:cri:abc": false, "/../k8s/v2-killed": true,
	} {
		if got := oomKilledIn(root, path); got != want {
			t.Errorf("oomKilledIn(%q) = %v, want %v", path, got, want)
		}
	}
}
