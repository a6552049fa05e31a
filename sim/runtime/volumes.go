package runtime

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/kubelet"
)

// Volumes in the simulated runtime are maps in memory, kept where a real
// node keeps them:
//
//   - a pod's emptyDir lives as long as the pod: its content survives the
//     containers' restarts and goes with TeardownVolumes (a Memory one
//     also with Crash, as tmpfs goes with a reboot);
//   - configMap, secret, downwardAPI and projected volumes hold the files
//     the kubelet computed, replaced whole on each SetupVolumes (a reader
//     sees the old set or the new one, like Kubernetes' ..data swap);
//   - hostPath and local volumes are directories of the node's Disk, keyed
//     by path: they outlive pods and Crash (a rebooted node's runtime is
//     given the same Disk), and go only with LoseDisk. A local volume's
//     directory must exist (its provisioner made it), as on a real node:
//     a lost one is an error, never an empty directory made in its place.
//
// Simulated containers read and write them through their mounts (the
// behaviour keys write-file, fail-unless-file and ready-when-file).

// volume is one pod volume as this runtime holds it.
type volume struct {
	spec  kubelet.PodVolume
	files map[string][]byte // emptyDir content, or the kubelet's files
	disk  string            // hostPath or local: a directory of Runtime.disk
}

// SetupVolumes makes pod podUID's volumes match vols: new ones are made,
// files volumes take their new content, an emptyDir keeps its own, and
// volumes no longer listed go. A hostPath of type Directory or File that
// the node's disk lacks is an error, as on a real node.
func (r *Runtime) SetupVolumes(podUID string, vols []kubelet.PodVolume) error {
	have := r.volumes[podUID]
	next := map[string]*volume{}
	for _, pv := range vols {
		old := have[pv.Name]
		v := &volume{spec: pv}
		switch {
		case pv.EmptyDir != nil:
			v.files = map[string][]byte{}
			if old != nil && old.spec.EmptyDir != nil {
				v.files = old.files
			}
		case pv.Files != nil:
			v.files = map[string][]byte{}
			for name, f := range pv.Files.Files {
				v.files[name] = append([]byte(nil), f.Data...)
			}
		case pv.HostPath != nil:
			v.disk = path.Clean(pv.HostPath.Path)
			if !r.disk.Has(v.disk) {
				if t := pv.HostPath.Type; t == "Directory" || t == "File" {
					return fmt.Errorf("node %s: hostPath type check failed: %s is not a %s", r.node, pv.HostPath.Path, strings.ToLower(t))
				}
				r.disk.mkdir(v.disk)
			}
		case pv.Local != nil:
			v.disk = path.Clean(pv.Local.Path)
			if !r.disk.Has(v.disk) {
				return fmt.Errorf("node %s: local volume %q: path %s does not exist", r.node, pv.Name, pv.Local.Path)
			}
		default:
			return fmt.Errorf("node %s: volume %q has no source", r.node, pv.Name)
		}
		next[pv.Name] = v
	}
	r.volumes[podUID] = next
	return nil
}

// TeardownVolumes drops a pod's volumes; what they hold on the node's
// disk (hostPath, local) stays.
func (r *Runtime) TeardownVolumes(podUID string) error {
	delete(r.volumes, podUID)
	return nil
}

// LoseDisk is the node's disk lost (a scenario says so): hostPath and
// local volumes' content is gone, and pods' emptyDirs with it.
func (r *Runtime) LoseDisk() {
	r.disk.Lose()
	for _, uid := range slices.Sorted(maps.Keys(r.volumes)) {
		for _, v := range r.volumes[uid] {
			if v.spec.EmptyDir != nil {
				v.files = map[string][]byte{}
			}
		}
	}
}

// dropMemoryVolumes is what a reboot (Crash) does to volumes: tmpfs ones
// (Memory emptyDirs, files volumes) lose their content.
func (r *Runtime) dropMemoryVolumes() {
	for _, uid := range slices.Sorted(maps.Keys(r.volumes)) {
		for _, v := range r.volumes[uid] {
			if (v.spec.EmptyDir != nil && v.spec.EmptyDir.Medium == "Memory") || v.spec.Files != nil {
				v.files = map[string][]byte{}
			}
		}
	}
}

// DiskFile returns the content of file name in the node's directory dir
// (a hostPath or local volume's path), for scenarios and invariants.
func (r *Runtime) DiskFile(dir, name string) (string, bool) {
	b, _, ok := r.disk.File(dir, name)
	return b, ok
}

// resolve finds where container path p of c lives: the volume mounted at
// the longest prefix of p and the path inside it.
func (r *Runtime) resolve(c *container, p string) (*volume, kubelet.Mount, string, bool) {
	p = path.Clean(p)
	var best kubelet.Mount
	var rel string
	found := false
	for _, m := range c.mounts {
		cp := path.Clean(m.ContainerPath)
		rest, ok := strings.CutPrefix(p, cp+"/")
		if !ok || (found && len(cp) <= len(path.Clean(best.ContainerPath))) {
			continue
		}
		best, rel, found = m, path.Join(m.SubPath, rest), true
	}
	if !found {
		return nil, kubelet.Mount{}, "", false
	}
	v := r.volumes[c.podUID][best.Volume]
	return v, best, rel, v != nil
}

// readFile returns the content of container path p, as c sees it.
func (r *Runtime) readFile(c *container, p string) ([]byte, bool) {
	v, _, rel, ok := r.resolve(c, p)
	if !ok {
		return nil, false
	}
	if v.disk != "" {
		return r.disk.read(v.disk, rel)
	}
	b, ok := v.files[rel]
	return b, ok
}

// writeFile writes container path p for c: into an emptyDir, hostPath or
// local volume mounted read-write. Files volumes are read-only, as
// Kubernetes mounts them.
func (r *Runtime) writeFile(c *container, p string, data []byte) error {
	v, m, rel, ok := r.resolve(c, p)
	switch {
	case !ok:
		return fmt.Errorf("%s: no volume mounted there", p)
	case m.ReadOnly || v.spec.Files != nil:
		return fmt.Errorf("%s: read-only file system", p)
	case v.disk != "":
		if !r.disk.write(v.disk, rel, data) {
			return fmt.Errorf("%s: %s is gone from the node's disk", p, v.disk)
		}
	default:
		v.files[rel] = data
	}
	return nil
}

// UseDisk makes d the node's disk, in place of the empty one New gives:
// a node keeps its Disk across reboots, and its provisioner makes the
// local volumes' directories there.
func (r *Runtime) UseDisk(d *Disk) { r.disk = d }

// PodDisks returns the directories of the node's disk that pod podUID's
// volumes (hostPath, local) mount, by volume name, for invariants.
func (r *Runtime) PodDisks(podUID string) map[string]string {
	out := map[string]string{}
	for name, v := range r.volumes[podUID] {
		if v.disk != "" {
			out[name] = v.disk
		}
	}
	return out
}
