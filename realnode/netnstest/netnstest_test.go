package netnstest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

// TestInsideOwnNetNS checks what Main promises the tests: a namespace of
// their own whose only interface is an up loopback.
func TestInsideOwnNetNS(t *testing.T) {
	Require(t, "ip")
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	if len(ifs) != 1 || ifs[0].Name != "lo" {
		t.Fatalf("interfaces = %v, want only lo", ifs)
	}
	if ifs[0].Flags&net.FlagUp == 0 {
		t.Errorf("lo is down, want up")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	ln.Close()
}

// TestMainDeletesNetNS runs this binary as Main's parent would be run (marker
// unset) and checks that the namespace it made is gone afterwards and the
// child's exit code comes through.
func TestMainDeletesNetNS(t *testing.T) {
	Require(t, "ip")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		run      string
		wantExit int
	}{
		{run: "^TestInsideOwnNetNS$", wantExit: 0},
		{run: "^TestHelperFails$", wantExit: 1},
	} {
		cmd := exec.Command(self, "-test.run="+tc.run)
		cmd.Env = append(withoutEnv(EnvNetNS), "NETNSTEST_HELPER=1")
		out, err := cmd.CombinedOutput()
		if got := cmd.ProcessState.ExitCode(); got != tc.wantExit {
			t.Errorf("%s: exit code %d (%v), want %d; output:\n%s", tc.run, got, err, tc.wantExit, out)
		}
		leftovers, _ := filepath.Glob("/run/netns/tk-test-" + strconv.Itoa(cmd.Process.Pid) + "-*")
		if len(leftovers) != 0 {
			t.Errorf("%s: namespaces left behind: %v", tc.run, leftovers)
		}
	}
}

// TestHelperFails fails on purpose when run by TestMainDeletesNetNS.
func TestHelperFails(t *testing.T) {
	if os.Getenv("NETNSTEST_HELPER") != "1" {
		t.Skip("helper for TestMainDeletesNetNS")
	}
	t.Fatal("failing on purpose")
}

func TestRequireSkipsOrFails(t *testing.T) {
	for _, tc := range []struct {
		name     string
		e2e      string
		call     func(testing.TB)
		wantSkip bool
		want     string
	}{
		{"missing binary skips", "", func(tb testing.TB) { Require(tb, "no-such-binary-tk") }, true, `binary "no-such-binary-tk" is not in PATH`},
		{"missing binary fails in CI", "1", func(tb testing.TB) { Require(tb, "no-such-binary-tk") }, false, "failing instead of skipping"},
		{"missing plugin skips", "", func(tb testing.TB) { RequireCNI(tb, "no-such-plugin-tk") }, true, `CNI plugin "no-such-plugin-tk" is in none of`},
		{"missing plugin fails in CI", "1", func(tb testing.TB) { RequireCNI(tb, "no-such-plugin-tk") }, false, "apt-get install containerd runc containernetworking-plugins"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvRequireE2E, tc.e2e)
			f := runFake(tc.call)
			switch {
			case tc.wantSkip && f.skipped == "":
				t.Fatalf("not skipped (failed: %q), want a skip", f.failed)
			case !tc.wantSkip && f.failed == "":
				t.Fatalf("not failed (skipped: %q), want a failure", f.skipped)
			}
			if msg := f.skipped + f.failed; !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not contain %q", msg, tc.want)
			}
		})
	}
}

func TestRequireOutsideNetNS(t *testing.T) {
	t.Setenv(EnvNetNS, "")
	t.Setenv(EnvRequireE2E, "")
	f := runFake(func(tb testing.TB) { Require(tb) })
	if !strings.Contains(f.skipped, "not inside a test network namespace") {
		t.Errorf("skip message = %q, want it to say the test is not in a test network namespace", f.skipped)
	}
}

// fakeTB records a skip or failure and ends its goroutine, as testing.T does.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skip(args ...any) {
	f.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func runFake(call func(testing.TB)) *fakeTB {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		call(f)
	}()
	<-done
	return f
}

func withoutEnv(key string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, key+"=") {
			env = append(env, kv)
		}
	}
	return env
}
