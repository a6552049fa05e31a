package kubelet

// The volume seam: what the kubelet asks of a runtime so that a pod's
// volumes exist on the node and appear in its containers. The kubelet
// (core) decides which volumes a pod has and what their files hold — it
// reads the ConfigMaps, Secrets and the pod's own fields — and the runtime
// does the node's part: directories, tmpfs, files written atomically, bind
// mounts. The simulator's runtime keeps the same volumes in memory.

// PodVolume is one volume of a pod, resolved: exactly one source is set.
type PodVolume struct {
	Name     string
	EmptyDir *EmptyDirVolume
	HostPath *HostPathVolume
	// Files is a volume whose content the kubelet computed (configMap,
	// secret, downwardAPI, projected).
	Files *FilesVolume
	// Local is a persistent volume that is a directory of this node (a
	// local PersistentVolume, as the local provisioner makes them).
	Local *LocalVolume
	// FSGroup is the pod's fsGroup, given to the kinds of volume the
	// kubelet manages the ownership of (emptyDir and files volumes): the
	// runtime makes the volume's root and files owned by that group,
	// readable by it (and an emptyDir writable), with setgid directories
	// so that what a container creates there keeps the group.
	FSGroup *int64
}

// EmptyDirVolume is a scratch directory that lives as long as the pod (on
// the node's disk, or in memory with Medium "Memory").
type EmptyDirVolume struct {
	Medium         string // "" (disk) or "Memory" (tmpfs)
	SizeLimitBytes int64  // 0: no limit
}

// HostPathVolume is a path of the node, checked or created per Type
// (Kubernetes' HostPathType: "", DirectoryOrCreate, Directory,
// FileOrCreate, File, Socket, CharDevice, BlockDevice).
type HostPathVolume struct {
	Path string
	Type string
}

// FilesVolume is a set of files, by path relative to the volume's root
// ("config.yaml", "certs/ca.crt"). A runtime writes them so that a reader
// sees either the old set or the new one, never a mix (Kubernetes swaps a
// "..data" symlink), and keeps a Secret's files off the node's disk.
type FilesVolume struct {
	Files  map[string]File
	Secret bool // from a Secret (or projecting one): tmpfs only
}

// File is one file of a FilesVolume.
type File struct {
	Data []byte
	Mode int32 // permission bits, e.g. 0o644
}

// LocalVolume is a directory of this node that outlives pods.
type LocalVolume struct {
	Path string
}

// Mount places a pod volume (or a path inside it) in a container.
type Mount struct {
	Volume        string // the PodVolume's name
	ContainerPath string
	SubPath       string // "" for the whole volume
	ReadOnly      bool
}

// VolumeRuntime is implemented by a runtime that gives pods volumes. The
// kubelet calls SetupVolumes before it creates a pod's containers and on
// every later sync (so a changed ConfigMap reaches its files), and
// TeardownVolumes when the pod is gone. Both are idempotent, and a runtime
// restarted under running pods adopts their volumes rather than making
// them again.
type VolumeRuntime interface {
	// SetupVolumes makes the volumes of pod podUID match vols: missing
	// ones are made, files volumes rewritten when their content changed,
	// and volumes no longer listed removed.
	SetupVolumes(podUID string, vols []PodVolume) error
	// TeardownVolumes removes what the pod's volumes hold on the node,
	// except what outlives pods (hostPath and local volumes' content).
	TeardownVolumes(podUID string) error
}
