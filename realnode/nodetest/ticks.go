package nodetest

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// MachineTicks returns /proc/stat's idle (idle + iowait) and busy (user,
// nice, system, irq, softirq) clock ticks over all CPUs, so a test can
// tell whether the machine had spare CPU while it measured something.
func MachineTicks(t testing.TB) (idle, busy uint64) {
	t.Helper()
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	for i, f := range strings.Fields(line)[1:] {
		n, _ := strconv.ParseUint(f, 10, 64)
		switch {
		case i == 3 || i == 4:
			idle += n
		case i < 8:
			busy += n
		}
	}
	return idle, busy
}
