package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/tinykube/tinykube/realnode/netnstest"
	"github.com/tinykube/tinykube/realnode/testimage"
)

// The pod start measurement makes bridges, veth pairs and pod network
// namespaces. It must never make them in the machine's own network, so it
// runs in a network namespace of its own, made here and deleted after,
// exactly as the real-node tests do (realnode/netnstest): the process
// re-executes itself under nsenter in a fresh namespace, with a private
// mount namespace so the pod namespaces it bind-mounts vanish with it.
// The marker is the tests' own, netnstest.EnvNetNS, so a test already
// inside its namespace can call PodStart directly.

// InOwnNetNS creates a network namespace tk-bench-<pid>-<random>, brings
// its loopback up, runs this executable with args inside it (stdout and
// stderr passed through), and deletes the namespace, also when the child
// fails or ctx ends (the child is then sent SIGTERM). It needs root, ip
// and nsenter; PodStartMissing says which are absent.
func InOwnNetNS(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("bench: naming a network namespace: %v", err)
	}
	name := fmt.Sprintf("tk-bench-%d-%s", os.Getpid(), hex.EncodeToString(b))
	if err := runCmd("ip", "netns", "add", name); err != nil {
		return fmt.Errorf("bench: creating network namespace %s: %v", name, err)
	}
	defer func() {
		if derr := runCmd("ip", "netns", "delete", name); derr != nil && err == nil {
			err = fmt.Errorf("bench: deleting network namespace %s: %v (remove it with `ip netns delete %s`)", name, derr, name)
		}
	}()
	if err := runCmd("ip", "-n", name, "link", "set", "lo", "up"); err != nil {
		return fmt.Errorf("bench: bringing lo up in %s: %v", name, err)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: finding this executable to run it again in %s: %v", name, err)
	}
	// nsenter, not `ip netns exec`: the latter remounts /sys, which hides
	// the cgroup mounts runc needs (see realnode/netnstest).
	cmd := exec.CommandContext(ctx, "nsenter", append([]string{"--net=/run/netns/" + name, "--", self}, args...)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Env = append(os.Environ(), netnstest.EnvNetNS+"="+name)
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	// On cancel, SIGTERM lets the child clean up (stop containerd, remove
	// its directory) before the namespace goes.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("bench: the pod start measurement in network namespace %s failed (%v); its errors are above", name, exit)
		}
		return fmt.Errorf("bench: running the pod start measurement in %s: %v", name, err)
	}
	return nil
}

// insideOwnNetNS returns an error unless this process runs in the network
// namespace named by netnstest.EnvNetNS (set by InOwnNetNS and by
// netnstest.Main).
func insideOwnNetNS() error {
	name := os.Getenv(netnstest.EnvNetNS)
	if name == "" {
		return fmt.Errorf("bench: the pod start measurement must run in a network namespace of its own (%s is unset; start it through InOwnNetNS)", netnstest.EnvNetNS)
	}
	var want, got unix.Stat_t
	if err := unix.Stat(filepath.Join("/run/netns", name), &want); err != nil {
		return fmt.Errorf("bench: network namespace %s: %v", name, err)
	}
	if err := unix.Stat("/proc/thread-self/ns/net", &got); err != nil {
		return fmt.Errorf("bench: reading this thread's network namespace: %v", err)
	}
	if want.Dev != got.Dev || want.Ino != got.Ino {
		return fmt.Errorf("bench: %s=%s, but this process is not in that network namespace", netnstest.EnvNetNS, name)
	}
	return nil
}

// PodStartMissing returns why the pod start measurement cannot run on
// this machine, one reason a string, or nil when it can.
func PodStartMissing() []string {
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "not running as root (it makes a network namespace, bridges and containers)")
	}
	for _, bin := range []string{"ip", "nsenter", "containerd", "runc"} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, bin+" is not in PATH")
		}
	}
	for _, p := range []string{"bridge", "host-local", "loopback"} {
		found := false
		for _, dir := range netnstest.CNIPluginDirs {
			if fi, err := os.Stat(filepath.Join(dir, p)); err == nil && fi.Mode()&0o111 != 0 {
				found = true
			}
		}
		if !found {
			missing = append(missing, "CNI plugin "+p+" is missing")
		}
	}
	if _, err := os.Stat(testimage.DefaultBusybox); err != nil {
		missing = append(missing, "no static busybox at "+testimage.DefaultBusybox)
	}
	return missing
}

// PodStartInstall is how to install what PodStartMissing looks for.
const PodStartInstall = "apt-get install containerd runc containernetworking-plugins busybox-static iproute2 util-linux"

func runCmd(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w: %s", name, args, err, out)
	}
	return nil
}
