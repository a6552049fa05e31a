package containerdrt

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/tinykube/tinykube/core/kubelet"
)

// A pod's volumes live on the node under VolumeDir, one directory per pod
// and per kind of volume, as Kubernetes keeps them under
// /var/lib/kubelet/pods/<uid>/volumes/<plugin>/<name>:
//
//	VolumeDir/<pod uid>/empty-dir/<name>   a directory (a tmpfs for Medium "Memory")
//	VolumeDir/<pod uid>/files/<name>       files written atomically (files.go; a tmpfs for a Secret)
//	VolumeDir/<pod uid>/host-path/<name>   a symlink to the node's path
//	VolumeDir/<pod uid>/local/<name>       a symlink to the local volume's directory
//
// The kind is in the path, never guessed from what a volume holds: a
// container may write anything into an emptyDir, even a "..data". The
// symlinks of host-path and local record where those volumes are, so the
// runtime keeps no volume state in memory: a restarted agent finds every
// volume on disk, and CreateContainer needs nothing but the pod's UID.
// Removing a pod's directory removes the symlinks, never what they point
// at.

// The kinds of volume, as directory names.
const (
	kindEmptyDir = "empty-dir"
	kindFiles    = "files"
	kindHostPath = "host-path"
	kindLocal    = "local"
)

var volumeKinds = []string{kindEmptyDir, kindFiles, kindHostPath, kindLocal}

// volumes makes and removes pods' volumes under dir. Its methods hold mu:
// the kubelet calls from its loop, tests from anywhere.
type volumes struct {
	dir string
	mu  sync.Mutex
}

var _ kubelet.VolumeRuntime = (*Runtime)(nil)

// SetupVolumes implements kubelet.VolumeRuntime.
func (r *Runtime) SetupVolumes(podUID string, vols []kubelet.PodVolume) error {
	return r.vols.setup(podUID, vols)
}

// TeardownVolumes implements kubelet.VolumeRuntime.
func (r *Runtime) TeardownVolumes(podUID string) error {
	return r.vols.teardown(podUID)
}

// want is one volume as it should be on disk.
type want struct {
	kind  string
	tmpfs bool   // a tmpfs mounted at the volume's directory
	size  int64  // the tmpfs's size, 0 for the kernel's default
	link  string // the symlink's target, for host-path and local
}

func wantOf(v kubelet.PodVolume) (want, error) {
	switch {
	case v.EmptyDir != nil:
		switch v.EmptyDir.Medium {
		case "":
			return want{kind: kindEmptyDir}, nil
		case "Memory":
			return want{kind: kindEmptyDir, tmpfs: true, size: v.EmptyDir.SizeLimitBytes}, nil
		}
		return want{}, fmt.Errorf("volume %q: emptyDir.medium %q is not supported (\"\" or \"Memory\")", v.Name, v.EmptyDir.Medium)
	case v.Files != nil:
		return want{kind: kindFiles, tmpfs: v.Files.Secret}, nil
	case v.HostPath != nil:
		if !filepath.IsAbs(v.HostPath.Path) {
			return want{}, fmt.Errorf("volume %q: hostPath.path %q is not an absolute path", v.Name, v.HostPath.Path)
		}
		return want{kind: kindHostPath, link: filepath.Clean(v.HostPath.Path)}, nil
	case v.Local != nil:
		if !filepath.IsAbs(v.Local.Path) {
			return want{}, fmt.Errorf("volume %q: local.path %q is not an absolute path", v.Name, v.Local.Path)
		}
		return want{kind: kindLocal, link: filepath.Clean(v.Local.Path)}, nil
	}
	return want{}, fmt.Errorf("volume %q has no source", v.Name)
}

// checkName refuses a pod UID or volume name that is not one plain path
// element: it becomes a directory name on the node.
func checkName(what, name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return fmt.Errorf("%s %q cannot name a directory on the node", what, name)
	}
	return nil
}

// setup makes pod uid's volumes match vols. Everything is checked before
// anything changes on disk; then each volume is made or kept, and entries
// no longer wanted (or of another kind now) are removed.
func (v *volumes) setup(uid string, vols []kubelet.PodVolume) error {
	if err := checkName("pod UID", uid); err != nil {
		return err
	}
	wants := map[string]want{}
	for _, pv := range vols {
		if err := checkName("volume name", pv.Name); err != nil {
			return err
		}
		if _, dup := wants[pv.Name]; dup {
			return fmt.Errorf("volume %q is listed twice", pv.Name)
		}
		w, err := wantOf(pv)
		if err != nil {
			return err
		}
		if pv.Files != nil {
			if err := checkFilePaths(pv.Files.Files); err != nil {
				return fmt.Errorf("volume %q: %w", pv.Name, err)
			}
		}
		wants[pv.Name] = w
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	podDir := filepath.Join(v.dir, uid)
	// Remove first what is no longer wanted, so that a volume that changed
	// kind never exists twice.
	for _, kind := range volumeKinds {
		entries, err := os.ReadDir(filepath.Join(podDir, kind))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("pod %s volumes: %w", uid, err)
		}
		for _, e := range entries {
			if w, ok := wants[e.Name()]; ok && w.kind == kind {
				continue
			}
			if err := removeVolume(filepath.Join(podDir, kind, e.Name())); err != nil {
				return fmt.Errorf("pod %s: removing volume %q: %w", uid, e.Name(), err)
			}
		}
	}
	for _, pv := range vols {
		w := wants[pv.Name]
		path := filepath.Join(podDir, w.kind, pv.Name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("pod %s: %w", uid, err)
		}
		group := noGroup
		if pv.FSGroup != nil {
			group = int(*pv.FSGroup)
		}
		var err error
		switch w.kind {
		case kindEmptyDir:
			if err = ensureDir(path, 0o777, w); err == nil && group != noGroup {
				err = ownByGroup(path, group, true)
			}
		case kindFiles:
			if err = ensureDir(path, 0o755, w); err == nil && group != noGroup {
				err = ownByGroup(path, group, false)
			}
			if err == nil {
				_, err = writeFiles(path, groupReadable(pv.Files.Files, group), group)
			}
		case kindHostPath:
			if err = checkHostPath(pv.HostPath.Path, pv.HostPath.Type); err == nil {
				err = ensureLink(path, w.link)
			}
		case kindLocal:
			if fi, serr := os.Stat(w.link); serr != nil {
				err = fmt.Errorf("local path: %w (the local volume's directory must exist on this node)", serr)
			} else if !fi.IsDir() {
				err = fmt.Errorf("local path %s is not a directory", w.link)
			} else {
				err = ensureLink(path, w.link)
			}
		}
		if err != nil {
			return fmt.Errorf("pod %s: volume %q: %w", uid, pv.Name, err)
		}
	}
	return nil
}

// teardown removes everything pod uid's volumes hold on the node, tmpfs
// unmounted first, but never what a host-path or local symlink points at.
func (v *volumes) teardown(uid string) error {
	if err := checkName("pod UID", uid); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	podDir := filepath.Join(v.dir, uid)
	for _, kind := range volumeKinds {
		entries, err := os.ReadDir(filepath.Join(podDir, kind))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("pod %s volumes: %w", uid, err)
		}
		for _, e := range entries {
			if err := removeVolume(filepath.Join(podDir, kind, e.Name())); err != nil {
				return fmt.Errorf("pod %s: removing volume %q: %w", uid, e.Name(), err)
			}
		}
	}
	if err := os.RemoveAll(podDir); err != nil {
		return fmt.Errorf("pod %s volumes: %w", uid, err)
	}
	return nil
}

// removeVolume unmounts path if a tmpfs is mounted there, then removes it
// (a symlink is removed, not followed).
func removeVolume(path string) error {
	mounted, err := isMountPoint(path)
	if err != nil {
		return err
	}
	if mounted {
		// Detached: a container still holding a bind of it keeps its
		// copy until it exits; the node's view goes now.
		if err := unix.Unmount(path, unix.MNT_DETACH); err != nil {
			return fmt.Errorf("unmounting %s: %w", path, err)
		}
	}
	return os.RemoveAll(path)
}

// ensureDir makes the directory of an emptyDir or files volume, with a
// tmpfs mounted on it when w says so. A directory that is already as w
// wants is kept as it is: its content survives an agent restart. One that
// is not (a tmpfs where a disk directory is wanted, or the reverse) is
// removed and made again.
func ensureDir(path string, perm os.FileMode, w want) error {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.IsDir():
		mounted, err := isMountPoint(path)
		if err != nil {
			return err
		}
		if mounted == w.tmpfs {
			return nil
		}
		if err := removeVolume(path); err != nil {
			return err
		}
	case err == nil:
		if err := os.Remove(path); err != nil {
			return err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if err := os.Mkdir(path, perm); err != nil {
		return err
	}
	if w.tmpfs {
		opts := "mode=" + strconv.FormatUint(uint64(perm), 8)
		if w.size > 0 {
			opts += ",size=" + strconv.FormatInt(w.size, 10)
		}
		if err := unix.Mount("tmpfs", path, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
			os.Remove(path)
			return fmt.Errorf("mounting a tmpfs at %s: %w", path, err)
		}
		return nil
	}
	return os.Chmod(path, perm) // past the umask: any container user may write an emptyDir
}

// ensureLink makes path a symlink to target, replacing whatever else is
// there.
func ensureLink(path, target string) error {
	if cur, err := os.Readlink(path); err == nil && cur == target {
		return nil
	}
	if err := removeVolume(path); err != nil {
		return err
	}
	return os.Symlink(target, path)
}

// isMountPoint says whether something is mounted at path: its device
// differs from its parent's. The runtime mounts only tmpfs there, so a
// mount point is one of its own.
func isMountPoint(path string) (bool, error) {
	var st, parent unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return false, nil
		}
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return false, nil
	}
	if err := unix.Lstat(filepath.Dir(path), &parent); err != nil {
		return false, fmt.Errorf("%s: %w", filepath.Dir(path), err)
	}
	return st.Dev != parent.Dev, nil
}

// checkHostPath checks (or makes) a hostPath volume's path as its type
// asks, Kubernetes' HostPathType: "" checks nothing; DirectoryOrCreate
// and FileOrCreate make what is missing (an empty directory 0755, an
// empty file 0644, never the file's parent directory); the others require
// what exists to be of their kind. Symlinks are followed.
func checkHostPath(path, typ string) error {
	kinds := map[string]fs.FileMode{
		"Directory": fs.ModeDir, "DirectoryOrCreate": fs.ModeDir,
		"File": 0, "FileOrCreate": 0,
		"Socket": fs.ModeSocket, "CharDevice": fs.ModeDevice | fs.ModeCharDevice, "BlockDevice": fs.ModeDevice,
	}
	if typ == "" {
		return nil
	}
	kind, known := kinds[typ]
	if !known {
		return fmt.Errorf("hostPath.type %q is not one of \"\", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice", typ)
	}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		switch typ {
		case "DirectoryOrCreate":
			if err := os.MkdirAll(path, 0o755); err != nil {
				return fmt.Errorf("hostPath %s (DirectoryOrCreate): %w", path, err)
			}
			return os.Chmod(path, 0o755)
		case "FileOrCreate":
			f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
			if err != nil {
				return fmt.Errorf("hostPath %s (FileOrCreate): %w (its directory must exist)", path, err)
			}
			f.Close()
			return os.Chmod(path, 0o644)
		}
		return fmt.Errorf("hostPath %s does not exist on this node (type %s requires it)", path, typ)
	}
	if err != nil {
		return fmt.Errorf("hostPath %s: %w", path, err)
	}
	got := fi.Mode().Type() &^ fs.ModeIrregular
	if got != kind {
		return fmt.Errorf("hostPath %s is %s, but type %s requires %s", path, describeType(got), typ, describeType(kind))
	}
	return nil
}

func describeType(m fs.FileMode) string {
	switch m {
	case 0:
		return "a regular file"
	case fs.ModeDir:
		return "a directory"
	case fs.ModeSocket:
		return "a socket"
	case fs.ModeDevice | fs.ModeCharDevice:
		return "a character device"
	case fs.ModeDevice:
		return "a block device"
	case fs.ModeNamedPipe:
		return "a named pipe"
	}
	return "of type " + m.String()
}

// VolumeDir is where the runtime keeps pods' volumes (for tests and
// debugging: VolumeDir/<pod uid>/<kind>/<name>).
func (r *Runtime) VolumeDir() string { return r.vols.dir }
