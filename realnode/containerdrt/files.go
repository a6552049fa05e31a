package containerdrt

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/kubelet"
)

// A files volume (a ConfigMap's, a Secret's, the downward API's) is
// written so that a reader sees the old set of files or the new one, never
// a mix, the way Kubernetes' kubelet writes them:
//
//	config.yaml -> ..data/config.yaml      one symlink per top-level name
//	certs       -> ..data/certs
//	..data      -> ..2026_12_07_10_00_00.123456789
//	..2026_12_07_10_00_00.123456789/       the files themselves
//
// A new set is written into a new timestamped directory, then a symlink
// to it is made under a temporary name and renamed over "..data". rename
// replaces a name in one step, and a path is resolved one component at a
// time, so whoever opens config.yaml follows "..data" either before the
// rename (the old directory) or after it (the new one). Only then are the
// top-level symlinks of new names made and those of removed names
// deleted. The directory just replaced stays until the next write: a
// reader that followed "..data" an instant before the rename still finds
// its files, where removing it at once (as Kubernetes does) can answer
// "no such file" to a reader caught between the two steps of its lookup.
// The container mounts the volume's root, not "..data", so it sees each
// swap.

const (
	dataLink    = "..data"
	dataLinkTmp = "..data_tmp"
)

// checkFilePaths refuses paths that would land outside the volume or
// collide with the writer's own "..names": each must be relative, clean,
// without ".." elements, and its first element must not start with "..".
// A file may not also be a directory of another.
func checkFilePaths(files map[string]kubelet.File) error {
	for p := range files {
		switch {
		case p == "" || filepath.IsAbs(p):
			return fmt.Errorf("file path %q must be a relative path", p)
		case filepath.Clean(p) != p:
			return fmt.Errorf("file path %q is not clean (write it %q)", p, filepath.Clean(p))
		case slices.Contains(strings.Split(p, "/"), ".."):
			return fmt.Errorf("file path %q must not contain '..'", p)
		case strings.HasPrefix(p, ".."):
			return fmt.Errorf("file path %q must not start with '..'", p)
		}
		for dir := filepath.Dir(p); dir != "."; dir = filepath.Dir(dir) {
			if _, clash := files[dir]; clash {
				return fmt.Errorf("file path %q is inside %q, which is a file", p, dir)
			}
		}
	}
	return nil
}

// fileMode is the permission a File asks for: its Mode's permission bits,
// 0644 when it gives none.
func fileMode(f kubelet.File) fs.FileMode {
	if f.Mode == 0 {
		return 0o644
	}
	return fs.FileMode(f.Mode) & fs.ModePerm
}

// writeFiles makes volume directory dir hold exactly files, and says
// whether it had to write. Files already there with the same content and
// modes are left alone: nothing is rewritten on a sync that changed
// nothing, or after an agent restart. A new set is owned by group (the
// pod's fsGroup; noGroup leaves root's) before it is swapped in, so no
// reader sees it half owned. The paths must have passed checkFilePaths.
func writeFiles(dir string, files map[string]kubelet.File, group int) (bool, error) {
	if same, err := holdsFiles(dir, files); err != nil || same {
		return false, err
	}
	// MkdirTemp appends a random suffix: two writes within a nanosecond
	// still get two directories. It makes them 0700; containers running
	// as any user must read them.
	ts, err := os.MkdirTemp(dir, time.Now().UTC().Format("..2006_01_02_15_04_05.000000000_"))
	if err != nil {
		return false, err
	}
	if err := os.Chmod(ts, 0o755); err != nil {
		return false, err
	}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		full := filepath.Join(ts, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			os.RemoveAll(ts)
			return false, err
		}
		if err := os.WriteFile(full, files[p].Data, fileMode(files[p])); err != nil {
			os.RemoveAll(ts)
			return false, err
		}
		if err := os.Chmod(full, fileMode(files[p])); err != nil { // past the umask
			os.RemoveAll(ts)
			return false, err
		}
	}
	if group != noGroup {
		if err := ownTreeByGroup(ts, group); err != nil {
			os.RemoveAll(ts)
			return false, err
		}
	}
	// The swap.
	previous, _ := os.Readlink(filepath.Join(dir, dataLink))
	tmp := filepath.Join(dir, dataLinkTmp)
	os.Remove(tmp)
	if err := os.Symlink(filepath.Base(ts), tmp); err != nil {
		os.RemoveAll(ts)
		return false, err
	}
	if err := os.Rename(tmp, filepath.Join(dir, dataLink)); err != nil {
		os.Remove(tmp)
		os.RemoveAll(ts)
		return false, err
	}
	// Top-level names: new ones appear, gone ones go.
	top := map[string]bool{}
	for p := range files {
		top[strings.Split(p, "/")[0]] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return true, err
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == dataLink:
		case strings.HasPrefix(name, ".."):
			if name != filepath.Base(ts) && name != previous {
				if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
					return true, err
				}
			}
		case !top[name]:
			if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
				return true, err
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(top)) {
		link := filepath.Join(dir, name)
		target := filepath.Join(dataLink, name)
		if cur, err := os.Readlink(link); err == nil && cur == target {
			continue
		}
		os.RemoveAll(link)
		if err := os.Symlink(target, link); err != nil {
			return true, err
		}
	}
	return true, nil
}

// holdsFiles says whether dir's "..data" holds exactly files, with their
// content and modes, and every top-level name links to it.
func holdsFiles(dir string, files map[string]kubelet.File) (bool, error) {
	target, err := os.Readlink(filepath.Join(dir, dataLink))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	root := filepath.Join(dir, target)
	seen := 0
	same := true
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		f, ok := files[rel]
		if !ok || !d.Type().IsRegular() {
			same = false
			return filepath.SkipAll
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if fi.Mode().Perm() != fileMode(f) || !bytes.Equal(data, f.Data) {
			same = false
			return filepath.SkipAll
		}
		seen++
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if err != nil || !same || seen != len(files) {
		return false, nil
	}
	for p := range files {
		name := strings.Split(p, "/")[0]
		if cur, err := os.Readlink(filepath.Join(dir, name)); err != nil || cur != filepath.Join(dataLink, name) {
			return false, nil
		}
	}
	return true, nil
}
