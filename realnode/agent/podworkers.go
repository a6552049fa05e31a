package agent

import (
	"sync"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/realnode/containerdrt"
	"github.com/tinykube/tinykube/realnode/runloop"
)

// DefaultPodWorkers is how many pods' work the kubelet does at once
// unless Config.PodWorkers says otherwise. Kubernetes bounds nothing here
// (a goroutine per pod); its image pulls are serialised by default
// (--serialize-image-pulls). A bound keeps a burst of starts from
// running more runc processes than the machine has cores for many times
// over; pods beyond it wait their turn, none waits for another's pull.
const DefaultPodWorkers = 16

// podWorkerPool is kubelet.Workers on the node's runloop: each pod's work
// runs on a goroutine of its own holding the loop (runloop.Locked), at
// most limit at once; the runtime and prober given to the kubelet
// (loopFreeRuntime, loopFreeProber) let the loop go while they wait, so
// the runtime calls of different pods overlap.
type podWorkerPool struct {
	loop  *runloop.Loop
	slots chan struct{}
	wg    sync.WaitGroup
}

func newPodWorkerPool(l *runloop.Loop, limit int) *podWorkerPool {
	return &podWorkerPool{loop: l, slots: make(chan struct{}, limit)}
}

// Go implements kubelet.Workers.
func (p *podWorkerPool) Go(f func()) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.slots <- struct{}{}
		defer func() { <-p.slots }()
		p.loop.Locked(f)
	}()
}

// wait returns once every pod's work has ended. Call it after the kubelet
// stopped (it then starts no more), not holding the loop.
func (p *podWorkerPool) wait() { p.wg.Wait() }

// loopFreeRuntime is the node's containerd runtime as the kubelet calls it
// with pod workers: every call that waits for containerd, CNI or the
// disk lets the loop go meanwhile (runloop.Unlocked), so other pods'
// decisions and the loop's callbacks go on. The calls touch none of the
// kubelet's state; containerdrt.Runtime is safe for concurrent use.
//
// Contract: its methods are called holding the loop (by the kubelet).
type loopFreeRuntime struct {
	rt   *containerdrt.Runtime
	loop *runloop.Loop
}

var (
	_ kubelet.Runtime        = loopFreeRuntime{}
	_ kubelet.ChangeNotifier = loopFreeRuntime{}
	_ kubelet.StatsProvider  = loopFreeRuntime{}
	_ kubelet.VolumeRuntime  = loopFreeRuntime{}
)

// free runs f with the loop let go.
func free[T any](l *runloop.Loop, f func() T) (out T) {
	l.Unlocked(func() { out = f() })
	return out
}

func (r loopFreeRuntime) Version() (string, string) { return r.rt.Version() }

func (r loopFreeRuntime) OnChange(f func(podUID string)) func() { return r.rt.OnChange(f) }

func (r loopFreeRuntime) RunSandbox(cfg kubelet.SandboxConfig) (sb kubelet.Sandbox, err error) {
	r.loop.Unlocked(func() { sb, err = r.rt.RunSandbox(cfg) })
	return sb, err
}

func (r loopFreeRuntime) StopSandbox(id string) error {
	return free(r.loop, func() error { return r.rt.StopSandbox(id) })
}

func (r loopFreeRuntime) RemoveSandbox(id string) error {
	return free(r.loop, func() error { return r.rt.RemoveSandbox(id) })
}

func (r loopFreeRuntime) EnsureImage(image string, policy api.PullPolicy) error {
	return free(r.loop, func() error { return r.rt.EnsureImage(image, policy) })
}

func (r loopFreeRuntime) CreateContainer(sandboxID string, cfg kubelet.ContainerConfig) (id string, err error) {
	r.loop.Unlocked(func() { id, err = r.rt.CreateContainer(sandboxID, cfg) })
	return id, err
}

func (r loopFreeRuntime) StartContainer(id string) error {
	return free(r.loop, func() error { return r.rt.StartContainer(id) })
}

func (r loopFreeRuntime) StopContainer(id string, grace time.Duration) error {
	return free(r.loop, func() error { return r.rt.StopContainer(id, grace) })
}

func (r loopFreeRuntime) RemoveContainer(id string) error {
	return free(r.loop, func() error { return r.rt.RemoveContainer(id) })
}

func (r loopFreeRuntime) List() (sbs []kubelet.Sandbox, cs []kubelet.Container, err error) {
	r.loop.Unlocked(func() { sbs, cs, err = r.rt.List() })
	return sbs, cs, err
}

func (r loopFreeRuntime) Exec(containerID string, cmd []string, timeout time.Duration) (code int, out string, err error) {
	r.loop.Unlocked(func() { code, out, err = r.rt.Exec(containerID, cmd, timeout) })
	return code, out, err
}

func (r loopFreeRuntime) ContainerStats() (s map[string]kubelet.ContainerUsage, err error) {
	r.loop.Unlocked(func() { s, err = r.rt.ContainerStats() })
	return s, err
}

func (r loopFreeRuntime) NodeStats() (u kubelet.NodeUsage, err error) {
	r.loop.Unlocked(func() { u, err = r.rt.NodeStats() })
	return u, err
}

func (r loopFreeRuntime) SetupVolumes(podUID string, vols []kubelet.PodVolume) error {
	return free(r.loop, func() error { return r.rt.SetupVolumes(podUID, vols) })
}

func (r loopFreeRuntime) TeardownVolumes(podUID string) error {
	return free(r.loop, func() error { return r.rt.TeardownVolumes(podUID) })
}

// loopFreeProber lets the loop go while a probe waits for its container
// (an exec, an HTTP answer, a TCP connect).
//
// Contract: Probe is called holding the loop (by the kubelet).
type loopFreeProber struct {
	p    kubelet.Prober
	loop *runloop.Loop
}

func (p loopFreeProber) Probe(pod *api.Pod, podIP string, c kubelet.Container, probe *api.Probe) kubelet.ProbeResult {
	return free(p.loop, func() kubelet.ProbeResult { return p.p.Probe(pod, podIP, c, probe) })
}
