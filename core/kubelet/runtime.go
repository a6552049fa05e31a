package kubelet

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// Runtime is the kubelet's view of a container runtime: the simulator's
// scripted one, or containerd with CNI on a real node.
//
// Calls start work and return quickly; they never wait for a container to
// run or exit. What happens afterwards is observed through List (the
// kubelet relists periodically, like Kubernetes' PLEG) and hastened by
// OnChange when the runtime implements ChangeNotifier. This keeps a slow image pull or a 30-second grace period from
// stopping the kubelet's loop, and it lets a restarted kubelet adopt
// whatever is running: sandboxes and containers carry the labels it set.
type Runtime interface {
	// Version names the runtime and its version ("containerd", "1.7.2").
	// Pod status shows container IDs as name://id, as Kubernetes does.
	Version() (name, version string)

	// RunSandbox creates a pod's sandbox (its network namespace and IP).
	RunSandbox(cfg SandboxConfig) (Sandbox, error)
	// StopSandbox stops every container of the sandbox at once (no grace)
	// and releases its network.
	StopSandbox(id string) error
	// RemoveSandbox deletes a stopped sandbox and whatever is left in it.
	RemoveSandbox(id string) error

	// EnsureImage makes image available according to policy, or says why
	// not (ErrImagePull: it cannot be had now; ErrImageNeverPull: it is
	// absent and policy is Never).
	EnsureImage(image string, policy api.PullPolicy) error
	// CreateContainer creates (not starts) a container in a sandbox.
	CreateContainer(sandboxID string, cfg ContainerConfig) (id string, err error)
	// StartContainer starts a created container.
	StartContainer(id string) error
	// StopContainer asks a container to stop: SIGTERM now, SIGKILL once
	// grace has passed. It returns at once; the exit shows in List.
	StopContainer(id string, grace time.Duration) error
	// RemoveContainer deletes an exited container.
	RemoveContainer(id string) error

	// List returns every sandbox and container the runtime holds for this
	// node, running or not, ordered by ID.
	List() ([]Sandbox, []Container, error)

	// Exec runs a command in a running container (exec probes) and returns
	// its exit code and output.
	Exec(containerID string, cmd []string, timeout time.Duration) (exitCode int, output string, err error)
}

// PodLister is implemented by runtimes that can list one pod's objects
// without listing the node's: a pod's sync reads only its own, and on a
// node of a hundred pods listing all of them for each sync costs a
// hundred times the work. ListPod(uid) returns, ordered by ID, at least
// every object List would attribute to the pod (by the pod-UID label, or
// a container's sandbox), and may return others, which the kubelet
// ignores as it ignores them in List.
type PodLister interface {
	ListPod(uid string) ([]Sandbox, []Container, error)
}

// SandboxConfig describes the sandbox of one pod.
type SandboxConfig struct {
	PodUID, Namespace, Name string
	Hostname                string
	// Subdomain and DNSPolicy are the pod's: the runtime writes the
	// pod's /etc/hosts and /etc/resolv.conf from them.
	Subdomain, DNSPolicy string
	Labels               map[string]string // set by the kubelet to find the sandbox again
	// Annotations are the pod's, passed through untouched and read only,
	// as in ContainerConfig.
	Annotations map[string]string
}

// ChangeNotifier is implemented by runtimes that can say at once that a
// pod's sandbox or containers changed state (a container started, exited,
// was removed), so the kubelet need not wait for its next relist.
type ChangeNotifier interface {
	// OnChange registers f. The runtime calls it on the kubelet's loop,
	// never from inside one of its own methods, with the UID of the pod
	// whose objects changed. The returned func unregisters f.
	OnChange(f func(podUID string)) (cancel func())
}

// Sandbox is a pod's sandbox as the runtime reports it.
type Sandbox struct {
	ID      string
	PodUID  string
	Labels  map[string]string
	IP      string
	Ready   bool // false once stopped
	Created time.Time
}

// ContainerConfig is what to run in a container.
type ContainerConfig struct {
	Name       string // the pod's container name
	Attempt    int    // 0 for the first run, then 1, 2 … for each restart
	Image      string
	Command    []string
	Args       []string
	Env        []EnvVar
	WorkingDir string
	// CPUMilli and MemoryBytes are the limits the runtime enforces (0: none).
	CPUMilli    int64
	MemoryBytes int64
	Labels      map[string]string
	// Annotations are the pod's, as the kubelet saw them when it created
	// the container, passed through untouched and read only. The kubelet
	// gives them no meaning: a runtime reads the ones addressed to it (the
	// simulator's runtime scripts its containers with
	// sim.tinykube.io/behavior, see sim/runtime) and ignores the rest.
	Annotations map[string]string
	// Stdin, StdinOnce and TTY are the container's: the runtime keeps a
	// stdin open for attaches (closed after the first with StdinOnce) and
	// gives the process a terminal with TTY. A runtime without attach
	// may ignore them.
	Stdin, StdinOnce, TTY bool
	// Mounts place the pod's volumes (volumes_seam.go) in the container.
	Mounts []Mount
	// Security is the container's effective securityContext (its own
	// over the pod's), which the runtime applies to the process.
	Security ContainerSecurity
}

// ContainerSecurity is what a container's process runs as and may do,
// resolved by the kubelet from the container's securityContext over the
// pod's (security.go). The zero value is the runtime's default: the
// image's user, the runtime's capabilities, no seccomp filter, a writable
// root.
type ContainerSecurity struct {
	// RunAsUser and RunAsGroup, when set, replace the image's user and
	// its primary group.
	RunAsUser, RunAsGroup *int64
	// RunAsNonRoot has the runtime refuse to create the container when
	// its process would run as uid 0 (the image's user included): a
	// *ConfigError.
	RunAsNonRoot bool
	// SupplementalGroups are extra groups of the process: the pod's
	// supplementalGroups, then its fsGroup.
	SupplementalGroups []int64
	// FSGroup, when set, owns the pod's writable volumes.
	FSGroup                *int64
	ReadOnlyRootFilesystem bool
	// Privileged: every capability, the node's devices, no seccomp.
	Privileged bool
	// NoNewPrivileges is allowPrivilegeEscalation: false.
	NoNewPrivileges bool
	// CapAdd and CapDrop change the runtime's default capability set,
	// names without CAP_ ("ALL" drops or adds every one).
	CapAdd, CapDrop []string
	// Seccomp is "" or "Unconfined" (no filter), "RuntimeDefault" (the
	// runtime's profile) or "Localhost/PATH" (a profile file on the node).
	Seccomp string
}

// StatsProvider is implemented by runtimes that measure what their
// containers use: cgroups on containerd, the scripted use of simulated
// containers. The kubelet builds its stats summary (api.Summary, the
// shape of Kubernetes' /stats/summary) from it; a runtime without it
// leaves the summary's usage empty.
type StatsProvider interface {
	// ContainerStats returns the use of each running container, keyed
	// by container ID, as of now.
	ContainerStats() (map[string]ContainerUsage, error)
	// NodeStats returns the use of the whole node: the machine on a real
	// node, the sum of its containers and a base on a simulated one.
	NodeStats() (NodeUsage, error)
}

// ContainerUsage is one container's use at Time: the CPU time it has used
// since it started (a counter a rate is computed from) and its memory.
type ContainerUsage struct {
	Time                  time.Time
	CPUCoreNanoSeconds    uint64
	MemoryWorkingSetBytes uint64
	MemoryUsageBytes      uint64
}

// NodeUsage is a node's use at Time.
type NodeUsage struct {
	Time                  time.Time
	CPUCoreNanoSeconds    uint64
	MemoryWorkingSetBytes uint64
	MemoryAvailableBytes  uint64
}

// ConfigError is a container the runtime will not create because of what
// its pod asks (runAsNonRoot with an image that runs as root): the kubelet
// shows it as CreateContainerConfigError and tries again later, as
// Kubernetes does.
type ConfigError struct{ Message string }

func (e *ConfigError) Error() string { return e.Message }

// EnvVar is one resolved environment variable.
type EnvVar struct{ Name, Value string }

// ContainerState is where a container is in its life.
type ContainerState string

// The container states.
const (
	StateCreated ContainerState = "created"
	StateRunning ContainerState = "running"
	StateExited  ContainerState = "exited"
)

// Container is a container as the runtime reports it.
type Container struct {
	ID         string
	SandboxID  string
	Name       string
	Attempt    int
	Image      string
	Labels     map[string]string
	State      ContainerState
	CreatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
	ExitCode   int
	// Reason for an exit: "Completed", "Error", "OOMKilled" …
	Reason string
}

// Prober checks a container's health as a probe asks: exec (through the
// Runtime), HTTP GET or TCP against the pod's IP. The simulator's prober
// answers from the container's scripted behaviour.
//
// probe points into pod's spec (a container's LivenessProbe,
// ReadinessProbe or StartupProbe), so a prober that needs to know which
// kind it runs can compare pointers.
type Prober interface {
	Probe(pod *api.Pod, podIP string, c Container, probe *api.Probe) ProbeResult
}

// ProbeResult is the outcome of one probe.
type ProbeResult struct {
	Success bool
	Message string
}

// Errors a Runtime returns for images, shown in container statuses with
// Kubernetes' reasons.
type ImageError struct {
	Reason  string // "ErrImagePull", "ErrImageNeverPull", "InvalidImageName"
	Message string
}

func (e *ImageError) Error() string { return e.Reason + ": " + e.Message }
