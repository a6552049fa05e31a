package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"

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

// InOwnNetNS runs this executable with args in a network namespace of its
// own (netnstest.Run), deleted afterwards, also when the child fails or
// ctx ends (the child is then sent SIGTERM, so it can stop containerd and
// remove its directory first). It needs root, ip and nsenter;
// PodStartMissing says which are absent.
func InOwnNetNS(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	code, err := netnstest.Run(ctx, "tk-bench", args, stdout, stderr)
	if err != nil {
		return fmt.Errorf("bench: running the pod start measurement: %v", err)
	}
	if code != 0 {
		return fmt.Errorf("bench: the pod start measurement failed (exit status %d); its errors are above", code)
	}
	return nil
}

// insideOwnNetNS returns an error unless this process runs in the network
// namespace InOwnNetNS (or netnstest.Main) made.
func insideOwnNetNS() error {
	if err := netnstest.InOwn(); err != nil {
		return fmt.Errorf("bench: the pod start measurement must run in a network namespace of its own (start it through InOwnNetNS): %v", err)
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
		if !netnstest.CNIPluginPresent(p) {
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
