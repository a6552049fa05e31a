package containerdrt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd"
	tasksapi "github.com/containerd/containerd/api/services/tasks/v1"
	tasktypes "github.com/containerd/containerd/api/types/task"
	"github.com/containerd/containerd/cio"
	"github.com/containerd/containerd/containers"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/containerd/oci"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/tinykube/tinykube/core/api"
	cdns "github.com/tinykube/tinykube/core/dns"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/realnode/podnet"
)

// PodNetwork gives each sandbox its own network namespace with an IP, and
// takes it back. *podnet.Network does it with CNI.
type PodNetwork interface {
	Setup(ctx context.Context, sandboxID string) (podnet.Attachment, error)
	Teardown(ctx context.Context, sandboxID string) error
}

// Config connects a Runtime to containerd.
type Config struct {
	// Socket is containerd's gRPC socket (/run/containerd/containerd.sock).
	Socket string
	// Namespace is this node's containerd namespace ("tinykube"). Two
	// agents sharing one containerd use two namespaces and never see each
	// other's containers.
	Namespace string
	// Snapshotter unpacks images into root filesystems ("" means
	// containerd's default, overlayfs).
	Snapshotter string
	// LogDir holds the containers' logs: LogDir/NS_POD_UID/CONTAINER/ATTEMPT.log.
	LogDir string
	// Network wires up each sandbox.
	Network PodNetwork
	// SandboxDir holds each sandbox's /etc/resolv.conf and /etc/hosts,
	// in SandboxDir/<sandbox id>/ ("sandboxes" beside LogDir when empty).
	SandboxDir string
	// VolumeDir holds pods' volumes, VolumeDir/<pod uid>/<kind>/<name>
	// ("volumes" beside LogDir when empty); see volumes.go.
	VolumeDir string
	// SeccompDir holds the seccomp profiles pods name with type
	// Localhost ("seccomp" beside LogDir when empty), as the kubelet's
	// /var/lib/kubelet/seccomp; see security.go.
	SeccompDir string
	// DNS is what pods of dnsPolicy ClusterFirst are told. Without a
	// Nameserver they get the host's resolver, as under dnsPolicy Default
	// (what the kubelet does without --cluster-dns).
	DNS cdns.PodDNS
	// HostResolvConf is the host's resolver configuration, for pods of
	// dnsPolicy Default ("/etc/resolv.conf").
	HostResolvConf string
	// Post runs f on the kubelet's loop; OnChange callbacks go through it.
	Post func(f func())
	// Timeout bounds each call to containerd (10s); image pulls get
	// PullTimeout (5m).
	Timeout     time.Duration
	PullTimeout time.Duration
}

// Runtime is kubelet.Runtime on containerd.
type Runtime struct {
	cfg    Config
	client *containerd.Client
	ctx    context.Context // carries the containerd namespace
	cancel context.CancelFunc

	version string
	vols    volumes

	mu        sync.Mutex
	listeners map[int]func(podUID string)
	nextID    int
	killers   map[string]context.CancelFunc // pending SIGKILLs, by container ID
}

var _ kubelet.Runtime = (*Runtime)(nil)
var _ kubelet.ChangeNotifier = (*Runtime)(nil)

// Labels the runtime keeps on containerd's objects, beside the kubelet's.
const (
	labelKind      = "tinykube.io/kind" // "sandbox" or "container"
	labelSandboxID = "tinykube.io/sandbox-id"
	labelNetNS     = "tinykube.io/netns"
	labelIP        = "tinykube.io/ip"
	labelStopped   = "tinykube.io/stopped" // on a sandbox whose network is gone
	labelLogPath   = "tinykube.io/log-path"
	labelStarted   = "tinykube.io/started-at"
	labelFinished  = "tinykube.io/finished-at"
	labelExitCode  = "tinykube.io/exit-code"
	labelReason    = "tinykube.io/reason"
	labelOOM       = "tinykube.io/oom-killed"
)

// New connects to containerd and starts following its task events.
func New(cfg Config) (*Runtime, error) {
	if cfg.Namespace == "" {
		cfg.Namespace = "tinykube"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.PullTimeout <= 0 {
		cfg.PullTimeout = 5 * time.Minute
	}
	if cfg.Network == nil {
		return nil, errors.New("containerd runtime: no pod network configured")
	}
	if cfg.Post == nil {
		cfg.Post = func(f func()) { f() }
	}
	if cfg.SandboxDir == "" {
		cfg.SandboxDir = filepath.Join(filepath.Dir(cfg.LogDir), "sandboxes")
	}
	if cfg.VolumeDir == "" {
		cfg.VolumeDir = filepath.Join(filepath.Dir(cfg.LogDir), "volumes")
	}
	if cfg.SeccompDir == "" {
		cfg.SeccompDir = filepath.Join(filepath.Dir(cfg.LogDir), "seccomp")
	}
	if cfg.HostResolvConf == "" {
		cfg.HostResolvConf = "/etc/resolv.conf"
	}
	client, err := Dial(cfg.Socket, cfg.Timeout)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(namespaces.WithNamespace(context.Background(), cfg.Namespace))
	r := &Runtime{cfg: cfg, client: client, ctx: ctx, cancel: cancel,
		listeners: map[int]func(string){}, killers: map[string]context.CancelFunc{}}
	r.vols.dir = cfg.VolumeDir
	v, err := client.Version(r.callCtx())
	if err != nil {
		client.Close()
		cancel()
		return nil, fmt.Errorf("containerd at %s: %w", cfg.Socket, err)
	}
	r.version = v.Version
	go r.followEvents()
	r.adoptTerminals()
	return r, nil
}

// Dial connects to containerd's socket and checks that it answers.
func Dial(socket string, timeout time.Duration) (*containerd.Client, error) {
	if _, err := os.Stat(socket); err != nil {
		return nil, fmt.Errorf("containerd socket %s: %w (is containerd running? start it or pass --containerd-socket)", socket, err)
	}
	client, err := containerd.New(socket, containerd.WithTimeout(timeout))
	if err != nil {
		return nil, fmt.Errorf("connecting to containerd at %s: %w", socket, err)
	}
	return client, nil
}

// Close stops following events and disconnects. Containers keep running.
func (r *Runtime) Close() error {
	r.cancel()
	r.mu.Lock()
	for _, cancel := range r.killers {
		cancel()
	}
	r.mu.Unlock()
	return r.client.Close()
}

// Client is the containerd client (for image import and tests).
func (r *Runtime) Client() *containerd.Client { return r.client }

// Context carries the runtime's containerd namespace.
func (r *Runtime) Context() context.Context { return r.ctx }

func (r *Runtime) callCtx() context.Context {
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
	time.AfterFunc(r.cfg.Timeout, cancel) // released when it expires
	return ctx
}

// Version implements kubelet.Runtime.
func (r *Runtime) Version() (string, string) { return "containerd", r.version }

// OnChange implements kubelet.ChangeNotifier.
func (r *Runtime) OnChange(f func(podUID string)) func() {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.nextID
	r.nextID++
	r.listeners[id] = f
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.listeners, id)
	}
}

// changed tells the listeners, on the kubelet's loop, that a pod's
// objects changed.
func (r *Runtime) changed(podUID string) {
	if podUID == "" {
		return
	}
	r.cfg.Post(func() {
		r.mu.Lock()
		fs := make([]func(string), 0, len(r.listeners))
		for _, id := range slices.Sorted(maps.Keys(r.listeners)) {
			fs = append(fs, r.listeners[id])
		}
		r.mu.Unlock()
		for _, f := range fs {
			f(podUID)
		}
	})
}

func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// A sandbox is a network namespace (made by the PodNetwork) plus a record
// in containerd's metadata: a container object that never gets a task,
// labelled with the pod and the namespace's path and IP. Kubernetes' CRI
// runtimes keep a "pause" process alive to hold the namespaces; a bind
// mount of the namespace holds it just as well, and the record lets a
// restarted agent find it again.

// RunSandbox implements kubelet.Runtime.
func (r *Runtime) RunSandbox(cfg kubelet.SandboxConfig) (kubelet.Sandbox, error) {
	id := "sb-" + newID()
	if err := os.MkdirAll(r.podLogDir(cfg.Labels), 0o755); err != nil {
		return kubelet.Sandbox{}, fmt.Errorf("sandbox %s: log directory: %w", id, err)
	}
	att, err := r.cfg.Network.Setup(r.callCtx(), id)
	if err != nil {
		return kubelet.Sandbox{}, err
	}
	ip := att.IP
	if err := r.writeEtc(id, ip, cfg); err != nil {
		r.cfg.Network.Teardown(r.callCtx(), id)
		return kubelet.Sandbox{}, err
	}
	labels := map[string]string{labelKind: "sandbox", labelNetNS: att.NetNS, labelIP: ip}
	for k, v := range cfg.Labels {
		labels[k] = v
	}
	hostname := cfg.Hostname
	if len(hostname) > 63 {
		hostname = hostname[:63]
	}
	labels["tinykube.io/hostname"] = hostname
	_, err = r.client.NewContainer(r.callCtx(), id,
		containerd.WithContainerLabels(labels),
		containerd.WithSpec(&oci.Spec{Version: specs.Version}))
	if err != nil {
		r.cfg.Network.Teardown(r.callCtx(), id)
		os.RemoveAll(r.sandboxDir(id))
		return kubelet.Sandbox{}, fmt.Errorf("recording sandbox %s in containerd: %w", id, err)
	}
	return kubelet.Sandbox{ID: id, PodUID: cfg.PodUID, Labels: cfg.Labels, IP: ip, Ready: true, Created: time.Now()}, nil
}

// podLogDir is where a pod's containers log, named as Kubernetes names
// /var/log/pods entries.
func (r *Runtime) podLogDir(l map[string]string) string {
	return filepath.Join(r.cfg.LogDir, l[kubelet.LabelPodNamespace]+"_"+l[kubelet.LabelPodName]+"_"+l[kubelet.LabelPodUID])
}

// StopSandbox implements kubelet.Runtime: every container is killed at
// once and the network is released.
func (r *Runtime) StopSandbox(id string) error {
	sb, err := r.client.LoadContainer(r.callCtx(), id)
	if err != nil {
		return fmt.Errorf("sandbox %s: %w", id, err)
	}
	_, cs, err := r.List()
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.SandboxID == id && c.State != kubelet.StateExited {
			r.StopContainer(c.ID, 0)
		}
	}
	if err := r.cfg.Network.Teardown(r.callCtx(), id); err != nil {
		return err
	}
	if _, err := sb.SetLabels(r.callCtx(), map[string]string{labelStopped: "true"}); err != nil {
		return fmt.Errorf("sandbox %s: %w", id, err)
	}
	return nil
}

// RemoveSandbox implements kubelet.Runtime: it removes whatever containers
// are left, the network, the record and the pod's logs.
func (r *Runtime) RemoveSandbox(id string) error {
	sb, err := r.client.LoadContainer(r.callCtx(), id)
	if errdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sandbox %s: %w", id, err)
	}
	labels, err := sb.Labels(r.callCtx())
	if err != nil {
		return fmt.Errorf("sandbox %s: %w", id, err)
	}
	_, cs, err := r.List()
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.SandboxID == id {
			if err := r.RemoveContainer(c.ID); err != nil {
				return err
			}
		}
	}
	if err := r.cfg.Network.Teardown(r.callCtx(), id); err != nil {
		return err
	}
	if err := sb.Delete(r.callCtx()); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("sandbox %s: %w", id, err)
	}
	os.RemoveAll(r.podLogDir(labels))
	os.RemoveAll(r.sandboxDir(id))
	r.changed(labels[kubelet.LabelPodUID])
	return nil
}

// CreateContainer implements kubelet.Runtime: a container object with its
// own snapshot of the image, and an OCI spec that joins the sandbox's
// network namespace and applies the container's security settings
// (security.go), or a *kubelet.ConfigError when they cannot be honoured
// (runAsNonRoot with an image that runs as root).
func (r *Runtime) CreateContainer(sandboxID string, cfg kubelet.ContainerConfig) (string, error) {
	sb, err := r.client.LoadContainer(r.callCtx(), sandboxID)
	if err != nil {
		return "", fmt.Errorf("sandbox %s: %w", sandboxID, err)
	}
	sbLabels, err := sb.Labels(r.callCtx())
	if err != nil {
		return "", fmt.Errorf("sandbox %s: %w", sandboxID, err)
	}
	if sbLabels[labelStopped] == "true" {
		return "", fmt.Errorf("sandbox %s is stopped", sandboxID)
	}
	img, err := r.image(cfg.Image)
	if err != nil {
		return "", err
	}
	id := newID()
	logPath := filepath.Join(r.podLogDir(sbLabels), cfg.Name, strconv.Itoa(cfg.Attempt)+".log")
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return "", err
	}
	labels := map[string]string{labelKind: "container", labelSandboxID: sandboxID, labelLogPath: logPath}
	for k, v := range cfg.Labels {
		labels[k] = v
	}
	stdio, stdioOpts := stdioLabels(cfg)
	maps.Copy(labels, stdio)
	specOpts := []oci.SpecOpts{
		oci.WithImageConfigArgs(img, cfg.Args),
		oci.WithHostname(sbLabels["tinykube.io/hostname"]),
		oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: sbLabels[labelNetNS]}),
	}
	specOpts = append(specOpts, stdioOpts...)
	if mounts := r.etcMounts(sandboxID); len(mounts) > 0 {
		specOpts = append(specOpts, oci.WithMounts(mounts))
	}
	volMounts, err := r.vols.volumeMounts(sbLabels[kubelet.LabelPodUID], cfg.Mounts)
	if err != nil {
		return "", fmt.Errorf("container %s: %w", cfg.Name, err)
	}
	if len(volMounts) > 0 {
		specOpts = append(specOpts, oci.WithMounts(volMounts))
	}
	if len(cfg.Command) > 0 {
		specOpts = append(specOpts, oci.WithProcessArgs(append(slices.Clone(cfg.Command), cfg.Args...)...))
	}
	if cfg.WorkingDir != "" {
		specOpts = append(specOpts, oci.WithProcessCwd(cfg.WorkingDir))
	}
	var env []string
	for _, e := range cfg.Env {
		env = append(env, e.Name+"="+e.Value)
	}
	if len(env) > 0 {
		specOpts = append(specOpts, oci.WithEnv(env))
	}
	if cfg.MemoryBytes > 0 {
		specOpts = append(specOpts, oci.WithMemoryLimit(uint64(cfg.MemoryBytes)))
	}
	if cfg.CPUMilli > 0 {
		// CFS: the container may use quota µs of CPU time in every period
		// of 100ms; 500m is 50ms per 100ms.
		const period = 100_000
		specOpts = append(specOpts, oci.WithCPUCFS(cfg.CPUMilli*period/1000, period))
	}
	imgSpec, err := img.Spec(r.callCtx())
	if err != nil {
		return "", fmt.Errorf("container %s: reading the config of image %s: %w", cfg.Name, cfg.Image, err)
	}
	secOpts, err := securityOpts(cfg, imgSpec.Config.User, r.cfg.SeccompDir)
	if err != nil {
		return "", err // a *kubelet.ConfigError: the kubelet shows it as is
	}
	specOpts = append(specOpts, secOpts...)
	_, err = r.client.NewContainer(r.callCtx(), id,
		containerd.WithImage(img),
		containerd.WithSnapshotter(r.cfg.Snapshotter),
		containerd.WithNewSnapshot(id, img),
		containerd.WithContainerLabels(labels),
		containerd.WithNewSpec(specOpts...))
	if err != nil {
		return "", fmt.Errorf("creating container %s: %w", cfg.Name, err)
	}
	return id, nil
}

// StartContainer implements kubelet.Runtime: a task (runc's process) with
// stdout and stderr going to the container's log file, and a stdin or a
// terminal if the container asked for them (attach.go).
func (r *Runtime) StartContainer(id string) error {
	c, err := r.client.LoadContainer(r.callCtx(), id)
	if err != nil {
		return fmt.Errorf("container %s: %w", id, err)
	}
	labels, err := c.Labels(r.callCtx())
	if err != nil {
		return err
	}
	creator, started := cio.LogFile(labels[labelLogPath]), func(containerd.Task) {}
	if labels[labelStdin] != "" || labels[labelTTY] != "" {
		if creator, started, err = r.attachableIO(id, labels); err != nil {
			return err
		}
	}
	task, err := c.NewTask(r.callCtx(), creator)
	started(task)
	if err != nil {
		// runc refuses before anything runs (no such executable, a bad
		// working directory): record it as a failed run, so the kubelet
		// restarts it with back-off as it would a crash.
		c.SetLabels(r.callCtx(), map[string]string{labelExitCode: "128", labelReason: "StartError",
			labelStarted: time.Now().UTC().Format(time.RFC3339Nano), labelFinished: time.Now().UTC().Format(time.RFC3339Nano)})
		r.changed(labels[kubelet.LabelPodUID])
		return fmt.Errorf("container %s: creating its task: %w", id, err)
	}
	// Recorded before the start, so a process that exits at once never
	// shows an exit earlier than its start.
	if _, err := c.SetLabels(r.callCtx(), map[string]string{labelStarted: time.Now().UTC().Format(time.RFC3339Nano)}); err != nil {
		task.Delete(r.callCtx(), containerd.WithProcessKill)
		return err
	}
	if err := task.Start(r.callCtx()); err != nil {
		task.Delete(r.callCtx(), containerd.WithProcessKill)
		c.SetLabels(r.callCtx(), map[string]string{labelExitCode: "128", labelReason: "StartError",
			labelFinished: time.Now().UTC().Format(time.RFC3339Nano)})
		return fmt.Errorf("container %s: starting: %w", id, err)
	}
	r.changed(labels[kubelet.LabelPodUID])
	return nil
}

// StopContainer implements kubelet.Runtime: SIGTERM now, SIGKILL when the
// grace period ends (at once for grace 0). A process that ignores SIGTERM
// — as a shell running as PID 1 does — runs until the SIGKILL.
func (r *Runtime) StopContainer(id string, grace time.Duration) error {
	c, err := r.client.LoadContainer(r.callCtx(), id)
	if err != nil {
		return fmt.Errorf("container %s: %w", id, err)
	}
	task, err := c.Task(r.callCtx(), nil)
	if errdefs.IsNotFound(err) {
		// Never started, or already reaped: make sure it reads as exited.
		labels, err := c.Labels(r.callCtx())
		if err != nil {
			return err
		}
		if labels[labelExitCode] == "" {
			_, err = c.SetLabels(r.callCtx(), map[string]string{labelExitCode: "137", labelReason: "Error",
				labelFinished: time.Now().UTC().Format(time.RFC3339Nano)})
			r.changed(labels[kubelet.LabelPodUID])
		}
		return err
	}
	if err != nil {
		return fmt.Errorf("container %s: %w", id, err)
	}
	if grace <= 0 {
		return ignoreGone(task.Kill(r.callCtx(), syscall.SIGKILL))
	}
	if err := ignoreGone(task.Kill(r.callCtx(), syscall.SIGTERM)); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(r.ctx)
	r.mu.Lock()
	if old := r.killers[id]; old != nil {
		old()
	}
	r.killers[id] = cancel
	r.mu.Unlock()
	go func() {
		defer cancel()
		exited, err := task.Wait(ctx)
		if err != nil {
			return
		}
		select {
		case <-exited:
		case <-ctx.Done():
		case <-time.After(grace):
			task.Kill(r.callCtx(), syscall.SIGKILL)
		}
		r.mu.Lock()
		delete(r.killers, id)
		r.mu.Unlock()
	}()
	return nil
}

func ignoreGone(err error) error {
	if err == nil || errdefs.IsNotFound(err) || errdefs.IsFailedPrecondition(err) {
		return nil
	}
	return err
}

// RemoveContainer implements kubelet.Runtime: the task (killed if it
// still runs), the container and its snapshot. Its log stays until the
// sandbox goes, for `logs --previous`.
func (r *Runtime) RemoveContainer(id string) error {
	c, err := r.client.LoadContainer(r.callCtx(), id)
	if errdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("container %s: %w", id, err)
	}
	labels, _ := c.Labels(r.callCtx())
	if task, err := c.Task(r.callCtx(), nil); err == nil {
		if _, err := task.Delete(r.callCtx(), containerd.WithProcessKill); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("container %s: deleting its task: %w", id, err)
		}
	}
	if err := c.Delete(r.callCtx(), containerd.WithSnapshotCleanup); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("container %s: %w", id, err)
	}
	os.RemoveAll(r.stdioDir(id))
	r.changed(labels[kubelet.LabelPodUID])
	return nil
}

// List implements kubelet.Runtime. It reads every container object of the
// namespace and every task in one call each. A task found stopped has its
// exit recorded in the container's labels and is deleted, so its shim
// process goes away; the exit stays readable from the labels.
func (r *Runtime) List() ([]kubelet.Sandbox, []kubelet.Container, error) {
	ctx := r.callCtx()
	objs, err := r.client.ContainerService().List(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("listing containers: %w", err)
	}
	resp, err := r.client.TaskService().List(ctx, &tasksapi.ListTasksRequest{})
	if err != nil {
		return nil, nil, fmt.Errorf("listing tasks: %w", err)
	}
	tasks := map[string]*tasktypes.Process{}
	for _, t := range resp.Tasks {
		tasks[t.ID] = t
	}
	var sandboxes []kubelet.Sandbox
	var list []kubelet.Container
	for _, o := range objs {
		switch o.Labels[labelKind] {
		case "sandbox":
			sandboxes = append(sandboxes, sandboxOf(o))
		case "container":
			t := tasks[o.ID]
			if t != nil && t.Status == tasktypes.Status_STOPPED {
				if labels, err := r.reap(o.ID, int(t.ExitStatus), t.ExitedAt.AsTime()); err == nil {
					o.Labels, t = labels, nil
				}
			}
			list = append(list, containerOf(o, t))
		}
	}
	slices.SortFunc(sandboxes, func(a, b kubelet.Sandbox) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(list, func(a, b kubelet.Container) int { return strings.Compare(a.ID, b.ID) })
	return sandboxes, list, nil
}

func sandboxOf(o containers.Container) kubelet.Sandbox {
	return kubelet.Sandbox{ID: o.ID, PodUID: o.Labels[kubelet.LabelPodUID], Labels: kubeletLabels(o.Labels),
		IP: o.Labels[labelIP], Ready: o.Labels[labelStopped] != "true", Created: o.CreatedAt}
}

func containerOf(o containers.Container, t *tasktypes.Process) kubelet.Container {
	l := o.Labels
	c := kubelet.Container{ID: o.ID, SandboxID: l[labelSandboxID], Name: l[kubelet.LabelContainerName], Image: o.Image,
		Labels: kubeletLabels(l), State: kubelet.StateCreated, CreatedAt: o.CreatedAt}
	c.Attempt, _ = strconv.Atoi(l[kubelet.LabelAttempt])
	c.StartedAt = parseTime(l[labelStarted])
	switch {
	case l[labelExitCode] != "":
		c.State = kubelet.StateExited
		c.ExitCode, _ = strconv.Atoi(l[labelExitCode])
		c.FinishedAt = parseTime(l[labelFinished])
		c.Reason = l[labelReason]
	case t != nil && t.Status == tasktypes.Status_RUNNING, t != nil && t.Status == tasktypes.Status_PAUSED:
		c.State = kubelet.StateRunning
		if c.StartedAt.IsZero() {
			c.StartedAt = o.UpdatedAt
		}
	case t != nil && t.Status == tasktypes.Status_STOPPED:
		c.State = kubelet.StateExited
		c.ExitCode = int(t.ExitStatus)
		c.FinishedAt = t.ExitedAt.AsTime()
		c.Reason = exitReason(c.ExitCode, false)
	case t == nil && !c.StartedAt.IsZero():
		// Started once, but the task is gone without a recorded exit (the
		// whole machine restarted): it is not running any more.
		c.State = kubelet.StateExited
		c.ExitCode = 137
		c.FinishedAt = o.UpdatedAt
		c.Reason = "Error"
	}
	return c
}

// kubeletLabels drops the runtime's own labels.
func kubeletLabels(l map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range l {
		switch k {
		case labelKind, labelSandboxID, labelNetNS, labelIP, labelStopped, labelLogPath, labelStarted,
			labelFinished, labelExitCode, labelReason, labelOOM, "tinykube.io/hostname":
			continue
		}
		out[k] = v
	}
	return out
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func exitReason(code int, oom bool) string {
	switch {
	case oom:
		return "OOMKilled"
	case code == 0:
		return "Completed"
	}
	return "Error"
}

// cgroupOOMKilled reports whether the OOM killer killed a process in the
// container's cgroup (oomKilledIn under /sys/fs/cgroup, the cgroup path
// from the container's spec); false when that cannot be read.
func (r *Runtime) cgroupOOMKilled(c containerd.Container) bool {
	spec, err := c.Spec(r.callCtx())
	if err != nil || spec.Linux == nil {
		return false
	}
	return oomKilledIn("/sys/fs/cgroup", spec.Linux.CgroupsPath)
}

// oomKilledIn reads the oom_kill count of cgroup path under root: from
// memory.events (cgroup v2) or memory/…/memory.oom_control (v1). False
// when neither can be read, or for a systemd slice:prefix:name path,
// which this runtime does not set.
func oomKilledIn(root, path string) bool {
	if path == "" || strings.Contains(path, ":") {
		return false
	}
	p := filepath.Clean("/" + path)
	for _, f := range []string{
		filepath.Join(root, p, "memory.events"),                // v2
		filepath.Join(root, "memory", p, "memory.oom_control"), // v1
	} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(b)) {
			if n, ok := strings.CutPrefix(strings.TrimSpace(line), "oom_kill "); ok {
				return n != "0"
			}
		}
	}
	return false
}

// reap records a stopped task's exit in its container's labels and
// deletes the task. It returns the container's labels as they now are.
func (r *Runtime) reap(id string, code int, at time.Time) (map[string]string, error) {
	c, err := r.client.LoadContainer(r.callCtx(), id)
	if err != nil {
		return nil, err
	}
	labels, err := c.Labels(r.callCtx())
	if err != nil {
		return nil, err
	}
	if labels[labelExitCode] == "" {
		// The TaskOOM event may not have been handled yet (a relist can
		// reap first): a SIGKILLed task's cgroup, still there until the
		// task is deleted below, says whether the kernel's OOM killer did it.
		oom := labels[labelOOM] == "true" || code == 137 && r.cgroupOOMKilled(c)
		labels, err = c.SetLabels(r.callCtx(), map[string]string{
			labelExitCode: strconv.Itoa(code),
			labelFinished: at.UTC().Format(time.RFC3339Nano),
			labelReason:   exitReason(code, oom),
		})
		if err != nil {
			return nil, err
		}
	}
	if task, err := c.Task(r.callCtx(), nil); err == nil {
		if _, err := task.Delete(r.callCtx()); err != nil && !errdefs.IsNotFound(err) {
			return nil, err
		}
	}
	return labels, nil
}

// EnsureImage implements kubelet.Runtime. Images are looked up by their
// normalized name ("busybox" is docker.io/library/busybox:latest), pulled
// when the policy says so, and unpacked into the snapshotter.
func (r *Runtime) EnsureImage(image string, policy api.PullPolicy) error {
	return r.ensureImage(image, policy)
}

// Exec implements kubelet.Runtime: an extra process in the container's
// task, with the container's environment, its output collected.
func (r *Runtime) Exec(containerID string, cmd []string, timeout time.Duration) (int, string, error) {
	if len(cmd) == 0 {
		return -1, "", errors.New("exec: no command")
	}
	c, err := r.client.LoadContainer(r.callCtx(), containerID)
	if err != nil {
		return -1, "", fmt.Errorf("container %s: %w", containerID, err)
	}
	spec, err := c.Spec(r.callCtx())
	if err != nil {
		return -1, "", err
	}
	task, err := c.Task(r.callCtx(), nil)
	if err != nil {
		return -1, "", fmt.Errorf("container %s is not running: %w", containerID, err)
	}
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(r.ctx, timeout)
	defer cancel()
	p := *spec.Process
	p.Args = cmd
	p.Terminal = false
	out := &syncBuffer{}
	proc, err := task.Exec(ctx, "exec-"+newID(), &p, cio.NewCreator(cio.WithStreams(nil, out, out)))
	if err != nil {
		return -1, "", fmt.Errorf("exec in container %s: %w", containerID, err)
	}
	defer proc.Delete(r.callCtx(), containerd.WithProcessKill)
	exited, err := proc.Wait(ctx)
	if err != nil {
		return -1, "", err
	}
	if err := proc.Start(ctx); err != nil {
		return -1, "", fmt.Errorf("exec %q in container %s: %w", cmd[0], containerID, err)
	}
	select {
	case st := <-exited:
		proc.CloseIO(r.callCtx())
		// Let the copy of the output finish.
		if io := proc.IO(); io != nil {
			io.Wait()
		}
		return int(st.ExitCode()), out.String(), nil
	case <-ctx.Done():
		proc.Kill(r.callCtx(), syscall.SIGKILL)
		return -1, out.String(), fmt.Errorf("exec %q in container %s: timed out after %s", cmd[0], containerID, timeout)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// LogPath is where a container's output goes.
func (r *Runtime) LogPath(id string) (string, error) {
	c, err := r.client.LoadContainer(r.callCtx(), id)
	if err != nil {
		return "", fmt.Errorf("container %s: %w", id, err)
	}
	labels, err := c.Labels(r.callCtx())
	if err != nil {
		return "", err
	}
	return labels[labelLogPath], nil
}
