package netnstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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
	if _, err := exec.LookPath("ip"); err != nil {
		os.Exit(m.Run())
	}
	code, err := Run(context.Background(), "tk-test", os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "netnstest: %v\n", err)
	}
	os.Exit(code)
}

// Run creates a network namespace named PREFIX-<pid>-<random>, brings its
// loopback up, runs this executable with args inside it (stdin, stdout and
// stderr passed through, EnvNetNS set), deletes the namespace (also when
// the child failed or was interrupted) and returns the child's exit code.
// Interrupts, SIGTERM and SIGQUIT (go test's timeout asking for a goroutine
// dump) are passed on to the child, and so is SIGTERM when ctx ends;
// catching them here keeps this process alive long enough to delete the
// namespace. Main uses it for test binaries, `tinykube bench` for its pod
// start measurement.
func Run(ctx context.Context, prefix string, args []string, stdout, stderr io.Writer) (int, error) {
	ip, err := exec.LookPath("ip")
	if err != nil {
		return 1, err
	}
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		return 1, fmt.Errorf("nsenter (util-linux) is missing: %w", err)
	}
	name, err := newName(prefix)
	if err != nil {
		return 1, err
	}
	if err := run(ip, "netns", "add", name); err != nil {
		return 1, fmt.Errorf("creating network namespace %s: %w", name, err)
	}
	defer func() {
		if err := run(ip, "netns", "delete", name); err != nil {
			fmt.Fprintf(os.Stderr, "netnstest: deleting network namespace %s: %v (remove it with `ip netns delete %s`)\n", name, err, name)
		}
	}()
	if err := run(ip, "-n", name, "link", "set", "lo", "up"); err != nil {
		return 1, fmt.Errorf("bringing lo up in %s: %w", name, err)
	}
	self, err := os.Executable()
	if err != nil {
		return 1, fmt.Errorf("finding this executable: %w", err)
	}
	// nsenter rather than `ip netns exec`: the latter remounts /sys for the
	// new namespace, which hides the cgroup (v1) mounts runc needs. The
	// child gets a private mount namespace of its own instead, so the pod
	// network namespaces it bind-mounts vanish with it.
	cmd := exec.Command(nsenter, append([]string{"--net=/run/netns/" + name, "--", self}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	cmd.Env = append(os.Environ(), EnvNetNS+"="+name)
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 1, fmt.Errorf("starting %s in %s: %w", self, name, err)
	}
	exited := make(chan struct{})
	defer close(exited)
	go func() {
		// nsenter execs this binary in place, so the child is it.
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-ctx.Done():
				_ = cmd.Process.Signal(syscall.SIGTERM)
				<-exited
				return
			case <-exited:
				return
			}
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode(), nil
	default: // killed by a signal, or Wait failed
		return 1, fmt.Errorf("in network namespace %s: %w", name, err)
	}
}

// newName returns tk-test-<pid>-<random>: the pid tells whose namespace a
// leftover is, the random part keeps a reused pid from colliding with it.
func newName(prefix string) (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("naming the test network namespace: %w", err)
	}
	return fmt.Sprintf("%s-%d-%s", prefix, os.Getpid(), hex.EncodeToString(b)), nil
}

// run runs a command and folds its output into the error.
func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w: %s", name, args, err, out)
	}
	return nil
}
