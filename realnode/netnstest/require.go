package netnstest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// EnvRequireE2E, set to 1, makes Require fail a test instead of skipping
// it. CI sets it so that a real-node test can never pass by being skipped.
const EnvRequireE2E = "TINYKUBE_REQUIRE_E2E"

// CNIPluginDirs are the directories RequireCNI looks in: where Debian's
// containernetworking-plugins package installs them, and the upstream
// default.
var CNIPluginDirs = []string{"/usr/lib/cni", "/opt/cni/bin"}

const install = "apt-get install containerd runc containernetworking-plugins busybox-static iproute2"

// Require skips t (fails it when TINYKUBE_REQUIRE_E2E=1) unless the test
// runs as root, inside the network namespace Main made, and every named
// binary is in PATH. Call it first in every real-node test.
func Require(t testing.TB, binaries ...string) {
	t.Helper()
	missing := missingBasics()
	for _, b := range binaries {
		if _, err := exec.LookPath(b); err != nil {
			missing = append(missing, fmt.Sprintf("binary %q is not in PATH", b))
		}
	}
	verdict(t, missing)
}

// RequireCNI is Require plus: every named CNI plugin (bridge, host-local,
// loopback, ...) is in one of CNIPluginDirs.
func RequireCNI(t testing.TB, plugins ...string) {
	t.Helper()
	missing := missingBasics()
	for _, p := range plugins {
		if !CNIPluginPresent(p) {
			missing = append(missing, fmt.Sprintf("CNI plugin %q is in none of %s", p, strings.Join(CNIPluginDirs, ", ")))
		}
	}
	verdict(t, missing)
}

// missingBasics checks what every real-node test needs: root, and the
// test network namespace, so nothing the test does touches the host's
// network.
func missingBasics() []string {
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "not running as root (real-node tests create network namespaces and bridges)")
	}
	if err := InOwn(); err != nil {
		missing = append(missing, err.Error())
	}
	return missing
}

// InOwn returns an error unless this process runs in the network
// namespace named by TINYKUBE_NETNS.
func InOwn() error {
	name := os.Getenv(EnvNetNS)
	if name == "" {
		return fmt.Errorf("not inside a test network namespace (%s is unset: the package's TestMain must call netnstest.Main, which needs root and the ip command)", EnvNetNS)
	}
	var want, got unix.Stat_t
	if err := unix.Stat(filepath.Join("/run/netns", name), &want); err != nil {
		return fmt.Errorf("test network namespace %s: %v", name, err)
	}
	if err := unix.Stat("/proc/thread-self/ns/net", &got); err != nil {
		return fmt.Errorf("reading this thread's network namespace: %v", err)
	}
	if want.Dev != got.Dev || want.Ino != got.Ino {
		return fmt.Errorf("%s=%s, but this process is not in that network namespace", EnvNetNS, name)
	}
	return nil
}

// CNIPluginPresent reports whether an executable CNI plugin of that name
// is in CNIPluginDirs.
func CNIPluginPresent(name string) bool {
	for _, dir := range CNIPluginDirs {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return true
		}
	}
	return false
}

// verdict skips or fails t when something is missing.
func verdict(t testing.TB, missing []string) {
	t.Helper()
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("real-node test cannot run: %s; install with `%s` and run the tests as root", strings.Join(missing, "; "), install)
	if os.Getenv(EnvRequireE2E) == "1" {
		t.Fatalf("%s (failing instead of skipping because %s=1)", msg, EnvRequireE2E)
	}
	t.Skip(msg)
}
