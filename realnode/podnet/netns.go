package podnet

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// A pod's network namespace outlives any process in it: it is kept alive
// by a bind mount of its nsfs file onto an ordinary file (StateDir/netns/<id>),
// exactly what `ip netns add` does under /run/netns. CNI plugins and the
// container runtime are handed that path.

// createNetNS creates a new network namespace and pins it at path, which
// must not exist yet.
//
// unshare(CLONE_NEWNET) moves only the calling OS thread into the new
// namespace, so it runs on a goroutine locked to its thread. The goroutine
// returns without unlocking: the Go runtime then destroys that thread
// instead of handing a thread in the wrong namespace to other goroutines.
func createNetNS(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return fmt.Errorf("creating the netns mount point: %w", err)
	}
	f.Close()

	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Deliberately no UnlockOSThread: see above.
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("unshare(CLONE_NEWNET): %w", err)
			return
		}
		self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
		if err := unix.Mount(self, path, "none", unix.MS_BIND, ""); err != nil {
			errc <- fmt.Errorf("bind-mounting %s on %s: %w", self, path, err)
			return
		}
		errc <- nil
	}()
	if err := <-errc; err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// removeNetNS unpins the namespace at path and removes the file; the kernel
// frees the namespace once no process and no other mount hold it. A path
// that does not exist is not an error, nor is a file that is no longer a
// mount point (a crash between mount and remove, or a reboot).
func removeNetNS(path string) error {
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unmounting %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", path, err)
	}
	return nil
}

// isNetNS reports whether path is a pinned network namespace (an nsfs
// mount), not just the empty file left behind when the mount is gone.
func isNetNS(path string) bool {
	var st unix.Statfs_t
	return unix.Statfs(path, &st) == nil && st.Type == unix.NSFS_MAGIC
}

// InNetNS runs fn on an OS thread switched into the network namespace at
// path, for tests and for anything that must open a socket inside a
// pod. Sockets keep the namespace they were created in, so a listener made
// by fn serves from the pod after fn returns. The thread is discarded
// afterwards rather than switched back, so no other goroutine ever runs in
// the pod's namespace by accident.
func InNetNS(path string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Deliberately no UnlockOSThread: the thread dies with the goroutine.
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- fmt.Errorf("opening netns %s: %w", path, err)
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("entering netns %s: %w", path, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}
