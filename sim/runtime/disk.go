package runtime

import (
	"fmt"
	"maps"
	"path"
	"slices"
)

// Disk is a simulated node's disk: the directories of its local volumes
// (made by the local-path provisioner, localpath.Storage) and of its
// hostPath volumes, with the files pods write into them. It belongs to the
// node, not to a boot of it: a Runtime made after a reboot is given the
// same Disk (UseDisk), so what a pod wrote is there for the next one. It
// is wiped only when a scenario says the disk is lost (Lose).
//
// For the storage invariants it records which directories were ever
// deleted, and every file's incarnation: a number given when the file is
// written while absent, kept while it is overwritten. A file lost and
// written again has a new incarnation, so a checker can tell a predecessor's
// data from a replacement's fresh copy of the same text.
type Disk struct {
	node    string
	dirs    map[string]map[string]*diskFile // directory -> file -> content
	deleted []string                        // paths deleted, in order, for invariants
	nextInc int
}

type diskFile struct {
	data        []byte
	incarnation int
}

// NewDisk returns node's empty disk.
func NewDisk(node string) *Disk { return &Disk{node: node, dirs: map[string]map[string]*diskFile{}} }

// Root is where the node's volumes live on its simulated disk.
const Root = "/var/lib/tinykube/volumes/"

// Create makes the directory of volume name (idempotent: an existing one
// keeps its content).
func (d *Disk) Create(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("node %s: a volume directory needs a name", d.node)
	}
	p := Root + name
	d.mkdir(p)
	return p, nil
}

// Delete removes a directory and its files; a missing one is no error.
func (d *Disk) Delete(dir string) error {
	dir = path.Clean(dir)
	if _, ok := d.dirs[dir]; ok {
		delete(d.dirs, dir)
		d.deleted = append(d.deleted, dir)
	}
	return nil
}

// Has reports whether the directory at path exists.
func (d *Disk) Has(dir string) bool {
	_, ok := d.dirs[path.Clean(dir)]
	return ok
}

// Dirs returns the directories, sorted.
func (d *Disk) Dirs() []string { return slices.Sorted(maps.Keys(d.dirs)) }

// Deleted returns the paths deleted through Delete, in order.
func (d *Disk) Deleted() []string { return slices.Clone(d.deleted) }

// Lose wipes the disk: the scenario's "disk lost" fault. It is no
// deletion (Deleted does not list what it took): nobody asked for it.
func (d *Disk) Lose() { clear(d.dirs) }

// File returns the content of file name in directory dir and its
// incarnation (see Disk).
func (d *Disk) File(dir, name string) (data string, incarnation int, ok bool) {
	f := d.dirs[path.Clean(dir)][path.Clean(name)]
	if f == nil {
		return "", 0, false
	}
	return string(f.data), f.incarnation, true
}

// Files returns the names of the files of directory dir, sorted.
func (d *Disk) Files(dir string) []string { return slices.Sorted(maps.Keys(d.dirs[path.Clean(dir)])) }

func (d *Disk) mkdir(dir string) {
	if _, ok := d.dirs[dir]; !ok {
		d.dirs[dir] = map[string]*diskFile{}
	}
}

func (d *Disk) read(dir, name string) ([]byte, bool) {
	f := d.dirs[dir][name]
	if f == nil {
		return nil, false
	}
	return f.data, true
}

// write stores a file of directory dir, which must exist (false: it does
// not, as after Lose or Delete); a file written while absent gets a new
// incarnation.
func (d *Disk) write(dir, name string, data []byte) bool {
	files, ok := d.dirs[dir]
	if !ok {
		return false
	}
	if f := files[name]; f != nil {
		f.data = data
		return true
	}
	d.nextInc++
	files[name] = &diskFile{data: data, incarnation: d.nextInc}
	return true
}

// DeletedSince returns the paths deleted through Delete after the first
// i, for a checker that follows them step by step.
func (d *Disk) DeletedSince(i int) []string {
	if i >= len(d.deleted) {
		return nil
	}
	return d.deleted[i:]
}
