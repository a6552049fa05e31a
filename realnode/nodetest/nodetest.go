package nodetest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tinykube/tinykube/realnode/containerdrt"
	"github.com/tinykube/tinykube/realnode/netnstest"
	"github.com/tinykube/tinykube/realnode/testimage"
)

// Require skips (or, in CI, fails) unless this test can run real nodes:
// root, in its own network namespace, with containerd, runc, busybox and
// the CNI plugins installed.
func Require(t testing.TB) {
	t.Helper()
	netnstest.RequireCNI(t, "bridge", "host-local", "loopback")
	netnstest.Require(t, "containerd", "runc", "ip")
	if _, err := os.Stat(testimage.DefaultBusybox); err != nil {
		netnstest.Require(t, "busybox") // says how to install it
	}
}

// Containerd starts a private containerd for the test and stops it (and
// everything it runs) when the test ends.
func Containerd(t testing.TB) *containerdrt.Daemon {
	t.Helper()
	// containerd's socket path must stay short (108 bytes), so the daemon
	// lives in a short temp dir rather than under t.TempDir's long name.
	dir, err := os.MkdirTemp("", "tkctd")
	if err != nil {
		t.Fatal(err)
	}
	d, err := containerdrt.StartDaemon(dir)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Stop()
		os.RemoveAll(dir)
	})
	return d
}

// ImportBusybox builds the busybox test image once per test binary and
// imports it into namespace ns of the daemon at socket.
func ImportBusybox(t testing.TB, socket, ns string) {
	t.Helper()
	path := filepath.Join(os.TempDir(), "tinykube-test-busybox.tar")
	if _, err := os.Stat(path); err != nil {
		tmp := fmt.Sprintf("%s.%d", path, os.Getpid())
		if err := testimage.BuildFile(tmp, testimage.Options{}); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil { // atomic: test binaries run side by side
			t.Fatal(err)
		}
	}
	cl, err := containerdrt.Dial(socket, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := containerdrt.Import(cl, ns, "", f, nil); err != nil {
		t.Fatal(err)
	}
}
