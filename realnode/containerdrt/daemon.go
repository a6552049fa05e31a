package containerdrt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/namespaces"
)

// DefaultSocket is where a system containerd listens.
const DefaultSocket = "/run/containerd/containerd.sock"

// Daemon is a private containerd: its own root, state and socket under
// one directory, so tests (and `tinykube up` on a machine with no
// containerd running) never touch the system's.
type Daemon struct {
	Dir    string
	Socket string
	cmd    *exec.Cmd
	exited chan struct{}
}

// StartDaemon starts containerd with everything under dir and waits until
// it answers. containerd's CRI plugin is disabled: the kubelet talks to
// containerd's own API, not to CRI.
func StartDaemon(dir string) (*Daemon, error) {
	bin, err := exec.LookPath("containerd")
	if err != nil {
		return nil, errors.New("containerd is not installed (apt-get install containerd runc)")
	}
	if _, err := exec.LookPath("runc"); err != nil {
		return nil, errors.New("runc is not installed (apt-get install runc)")
	}
	if err := os.MkdirAll(dir, 0o711); err != nil {
		return nil, err
	}
	d := &Daemon{Dir: dir, Socket: filepath.Join(dir, "containerd.sock"), exited: make(chan struct{})}
	config := fmt.Sprintf(`version = 2
root = %q
state = %q
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = %q

[ttrpc]
  address = %q
`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), d.Socket, d.Socket+".ttrpc")
	configPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(configPath, []byte(config), 0o644); err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(filepath.Join(dir, "containerd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	d.cmd = exec.Command(bin, "--config", configPath)
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	// Its own process group: a Ctrl-C meant for the agent does not reach
	// containerd before the agent has had its say.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting containerd: %w", err)
	}
	go func() { d.cmd.Wait(); logf.Close(); close(d.exited) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if Ping(d.Socket) == nil {
			return d, nil
		}
		select {
		case <-d.exited:
			return nil, fmt.Errorf("containerd exited at start; see %s", filepath.Join(dir, "containerd.log"))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			d.Stop()
			return nil, fmt.Errorf("containerd did not answer on %s within 20s; see %s", d.Socket, filepath.Join(dir, "containerd.log"))
		}
	}
}

// Ping reports whether a containerd answers on socket.
func Ping(socket string) error {
	if _, err := os.Stat(socket); err != nil {
		return err
	}
	c, err := containerd.New(socket, containerd.WithTimeout(time.Second))
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = c.Version(ctx)
	return err
}

// Stop kills every task the daemon runs (in every namespace), so no shim
// or container outlives it, then stops containerd.
func (d *Daemon) Stop() error {
	if c, err := containerd.New(d.Socket, containerd.WithTimeout(time.Second)); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		if nss, err := c.NamespaceService().List(ctx); err == nil {
			defer removeCgroups(nss)
			for _, ns := range nss {
				nctx := namespaces.WithNamespace(ctx, ns)
				cs, _ := c.Containers(nctx)
				for _, ctr := range cs {
					if t, err := ctr.Task(nctx, nil); err == nil {
						t.Delete(nctx, containerd.WithProcessKill)
					}
				}
			}
		}
		cancel()
		c.Close()
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(10 * time.Second):
		d.cmd.Process.Kill()
		<-d.exited
	}
	unmountUnder(d.Dir)
	return nil
}

// unmountUnder detaches whatever is still mounted below dir (rootfs
// mounts of tasks that were not deleted cleanly).
func unmountUnder(dir string) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var targets []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			targets = append(targets, f[4])
		}
	}
	for i := len(targets) - 1; i >= 0; i-- {
		syscall.Unmount(targets[i], syscall.MNT_DETACH)
	}
}

// removeCgroups removes the (empty) cgroups runc made for each containerd
// namespace, /sys/fs/cgroup/CONTROLLER/NAMESPACE on cgroup v1, once their
// tasks are gone. rmdir only removes empty cgroups, so this is safe.
func removeCgroups(namespaces []string) {
	controllers, _ := filepath.Glob("/sys/fs/cgroup/*")
	for _, ns := range namespaces {
		for _, c := range append(controllers, "/sys/fs/cgroup") {
			dir := filepath.Join(c, ns)
			subs, _ := filepath.Glob(filepath.Join(dir, "*"))
			for _, sub := range subs {
				if st, err := os.Stat(sub); err == nil && st.IsDir() {
					syscall.Rmdir(sub)
				}
			}
			syscall.Rmdir(dir)
		}
	}
}
