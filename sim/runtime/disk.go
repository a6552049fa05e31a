package runtime

import (
	"fmt"
	"maps"
	"slices"
)

// Disk is a simulated node's disk as the local-path provisioner sees it:
// the directories of its volumes (localpath.Storage). Their content, which
// pods write, is the volume runtime's; a Disk records which directories
// exist, which ever were deleted, and is wiped only when a scenario says
// the disk is lost.
type Disk struct {
	node    string
	dirs    map[string]bool
	deleted []string // paths deleted, in order, for invariants
}

// NewDisk returns node's empty disk.
func NewDisk(node string) *Disk { return &Disk{node: node, dirs: map[string]bool{}} }

// Root is where the node's volumes live on its simulated disk.
const Root = "/var/lib/tinykube/volumes/"

// Create makes the directory of volume name (idempotent).
func (d *Disk) Create(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("node %s: a volume directory needs a name", d.node)
	}
	p := Root + name
	d.dirs[p] = true
	return p, nil
}

// Delete removes a directory; a missing one is no error.
func (d *Disk) Delete(path string) error {
	if d.dirs[path] {
		delete(d.dirs, path)
		d.deleted = append(d.deleted, path)
	}
	return nil
}

// Has reports whether the directory at path exists.
func (d *Disk) Has(path string) bool { return d.dirs[path] }

// Dirs returns the directories, sorted.
func (d *Disk) Dirs() []string { return slices.Sorted(maps.Keys(d.dirs)) }

// Deleted returns the paths deleted through Delete, in order.
func (d *Disk) Deleted() []string { return slices.Clone(d.deleted) }

// Lose wipes the disk: the scenario's "disk lost" fault.
func (d *Disk) Lose() { d.dirs = map[string]bool{} }
