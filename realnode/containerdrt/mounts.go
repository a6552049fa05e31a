package containerdrt

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/tinykube/tinykube/core/kubelet"
)

// A container's volume mounts are bind mounts (rbind, read-only when the
// mount or the volume asks) of the directories SetupVolumes made. runc
// makes the mount point inside the container's root filesystem when the
// image has none.

// volumeMounts turns the kubelet's Mounts for a container of pod uid into
// OCI mounts, or says which one cannot be made.
func (v *volumes) volumeMounts(uid string, ms []kubelet.Mount) ([]specs.Mount, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	if err := checkName("pod UID", uid); err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []specs.Mount
	for _, m := range ms {
		if !filepath.IsAbs(m.ContainerPath) {
			return nil, fmt.Errorf("volume %q: mount path %q must be absolute", m.Volume, m.ContainerPath)
		}
		src, kind, err := v.volumeSource(uid, m.Volume)
		if err != nil {
			return nil, err
		}
		if m.SubPath != "" {
			if src, err = subPathSource(src, m.SubPath, kind != kindFiles); err != nil {
				return nil, fmt.Errorf("volume %q: %w", m.Volume, err)
			}
		}
		opts := []string{"rbind", "rw"}
		// A files volume is the runtime's to write: a container that
		// changed it would be overwritten at the next swap, so it gets it
		// read-only, as Kubernetes mounts ConfigMaps and Secrets.
		if m.ReadOnly || kind == kindFiles {
			opts[1] = "ro"
		}
		out = append(out, specs.Mount{Destination: filepath.Clean(m.ContainerPath), Type: "bind", Source: src, Options: opts})
	}
	return out, nil
}

// volumeSource is where pod uid's volume name is on the node, and its
// kind. For host-path and local volumes that is the path their symlink
// records.
func (v *volumes) volumeSource(uid, name string) (string, string, error) {
	if err := checkName("volume name", name); err != nil {
		return "", "", err
	}
	for _, kind := range volumeKinds {
		path := filepath.Join(v.dir, uid, kind, name)
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", "", err
		}
		if fi.Mode().Type() == fs.ModeSymlink {
			target, err := os.Readlink(path)
			return target, kind, err
		}
		return path, kind, nil
	}
	return "", "", fmt.Errorf("volume %q of pod %s is not set up on this node (SetupVolumes comes first)", name, uid)
}

// subPathSource resolves sub inside the volume at root and returns the
// resolved path, or an error if it leaves the volume. sub is walked one
// element at a time: each element that is a symlink is resolved and must
// still be inside the volume, so no directory is ever made outside it.
// Missing directories are made (0755) when create is set, as Kubernetes
// makes a subPath that does not exist yet.
//
// The path handed to runc has no symlinks left, which leaves one race: a
// container that writes to the volume could replace a directory of it
// with a symlink between this check and runc's mount. Kubernetes closes it
// by opening each element with O_NOFOLLOW and bind-mounting the final file
// descriptor; see the book.
func subPathSource(root, sub string, create bool) (string, error) {
	if filepath.IsAbs(sub) {
		return "", fmt.Errorf("subPath %q must be a relative path", sub)
	}
	if slices.Contains(strings.Split(filepath.ToSlash(sub), "/"), "..") {
		return "", fmt.Errorf("subPath %q must not contain '..'", sub)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", fmt.Errorf("volume root: %w", err)
	}
	inside := func(p string) bool { return p == realRoot || strings.HasPrefix(p, realRoot+"/") }
	cur := realRoot
	for _, elem := range strings.Split(filepath.Clean(sub), "/") {
		if elem == "." || elem == "" {
			continue
		}
		next := filepath.Join(cur, elem)
		fi, err := os.Lstat(next)
		switch {
		case errors.Is(err, fs.ErrNotExist) && create:
			if err := os.Mkdir(next, 0o755); err != nil {
				return "", fmt.Errorf("subPath %q: %w", sub, err)
			}
		case errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("subPath %q does not exist in the volume", sub)
		case err != nil:
			return "", fmt.Errorf("subPath %q: %w", sub, err)
		case fi.Mode().Type() == fs.ModeSymlink:
			if next, err = filepath.EvalSymlinks(next); err != nil {
				return "", fmt.Errorf("subPath %q: %w", sub, err)
			}
			if !inside(next) {
				return "", fmt.Errorf("subPath %q resolves to %s, outside the volume (symlinks are followed)", sub, next)
			}
		}
		cur = next
	}
	return cur, nil
}
