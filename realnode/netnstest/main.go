package netnstest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
)

// EnvNetNS is set, in the re-executed test binary, to the name of the
// network namespace it runs in. Its presence tells Main not to re-execute
// again and tells Require that the test is isolated.
const EnvNetNS = "TINYKUBE_NETNS"

// Main is meant to be a package's TestMain. As root with `ip` available and
// outside a test namespace, it runs the test binary again inside a fresh
// network namespace and exits with its exit code; otherwise it runs the
// tests in place (Require then decides, test by test, to skip or fail).
// Main never returns.
func Main(m *testing.M) {
	if os.Getenv(EnvNetNS) != "" || os.Geteuid() != 0 {
		os.Exit(m.Run())
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		os.Exit(m.Run())
	}
	os.Exit(runInNetNS(ip))
}

// runInNetNS creates a network namespace, runs this binary inside it with
// the same arguments, deletes the namespace (also when the child failed or
// was interrupted) and returns the child's exit code.
func runInNetNS(ip string) int {
	name, err := newName()
	if err != nil {
		fmt.Fprintf(os.Stderr, "netnstest: %v\n", err)
		return 1
	}
	if err := run(ip, "netns", "add", name); err != nil {
		fmt.Fprintf(os.Stderr, "netnstest: creating network namespace %s: %v\n", name, err)
		return 1
	}
	defer func() {
		if err := run(ip, "netns", "delete", name); err != nil {
			fmt.Fprintf(os.Stderr, "netnstest: deleting network namespace %s: %v (remove it with `ip netns delete %s`)\n", name, err, name)
		}
	}()
	if err := run(ip, "-n", name, "link", "set", "lo", "up"); err != nil {
		fmt.Fprintf(os.Stderr, "netnstest: bringing lo up in %s: %v\n", name, err)
		return 1
	}

	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "netnstest: finding the test binary: %v\n", err)
		return 1
	}
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		fmt.Fprintf(os.Stderr, "netnstest: nsenter (util-linux) is missing: %v\n", err)
		return 1
	}
	// nsenter rather than `ip netns exec`: the latter remounts /sys for the
	// new namespace, which hides the cgroup (v1) mounts runc needs. The
	// child gets a private mount namespace of its own instead, so the pod
	// network namespaces it bind-mounts vanish with it.
	args := append([]string{"--net=/run/netns/" + name, "--", self}, os.Args[1:]...)
	cmd := exec.Command(nsenter, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), EnvNetNS+"="+name)
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}

	// Signals meant for the tests (Ctrl-C, SIGQUIT from go test's timeout
	// asking for a goroutine dump) are passed on to the child; catching them
	// here keeps this process alive long enough to delete the namespace.
	// nsenter execs the test binary in place, so the child is it.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "netnstest: starting the tests in %s: %v\n", name, err)
		return 1
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode()
	default: // killed by a signal, or Wait failed
		fmt.Fprintf(os.Stderr, "netnstest: tests in %s: %v\n", name, err)
		return 1
	}
}

// newName returns tk-test-<pid>-<random>: the pid tells whose namespace a
// leftover is, the random part keeps a reused pid from colliding with it.
func newName() (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("naming the test network namespace: %w", err)
	}
	return fmt.Sprintf("tk-test-%d-%s", os.Getpid(), hex.EncodeToString(b)), nil
}

// run runs a command and folds its output into the error.
func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w: %s", name, args, err, out)
	}
	return nil
}
