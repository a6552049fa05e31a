package containerdrt

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"

	"github.com/tinykube/tinykube/core/kubelet"
)

// A pod's fsGroup owns its emptyDir and files volumes, as Kubernetes'
// kubelet gives it the volumes whose ownership it manages: every
// container runs with fsGroup among its groups (security.go), so a
// process of any uid can use them.
//
//   - An emptyDir's root gets the group and mode 2777: setgid, so that
//     what a container creates there takes the group too, and every file
//     stays shared between the pod's containers whatever their uids. The
//     runtime only makes the root; the volume starts empty, and the
//     setgid bit carries the group down, so nothing is walked later
//     (Kubernetes' fsGroupChangePolicy OnRootMismatch, in effect).
//   - A files volume (ConfigMap, Secret, downward API, projected) is the
//     runtime's to write: each new set of files gets the group, files
//     gain group read (a Secret's 0400 becomes 0440, so a non-root
//     container reads its own Secret), and directories setgid and group
//     read and search. The modes are part of what writeFiles compares, so
//     a set already written this way is not rewritten.
//
// Only the group changes; files stay owned by root.

// noGroup: a volume of a pod without fsGroup keeps root's group.
const noGroup = -1

// ownByGroup gives directory path to group gid, setgid, with group read
// and search, and write when writable.
func ownByGroup(path string, gid int, writable bool) error {
	if err := os.Lchown(path, -1, gid); err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	add := fs.ModeSetgid | 0o050
	if writable {
		add |= 0o020
	}
	return os.Chmod(path, fi.Mode()&(fs.ModePerm|fs.ModeSetgid|fs.ModeSticky)|add)
}

// ownTreeByGroup gives everything under root (root included) to group
// gid: symlinks and files change group only (groupReadable set the
// files' modes), directories also become setgid with group read and
// search.
func ownTreeByGroup(root string, gid int) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return ownByGroup(path, gid, false)
		}
		return os.Lchown(path, -1, gid)
	})
}

// groupReadable returns files with group read added to every mode when
// gid is a group (not noGroup); files itself is not changed.
func groupReadable(files map[string]kubelet.File, gid int) map[string]kubelet.File {
	if gid == noGroup {
		return files
	}
	out := maps.Clone(files)
	for p, f := range out {
		f.Mode = int32(fileMode(f) | 0o440)
		out[p] = f
	}
	return out
}
