package kubelet

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/metrics"
)

// The kubelet's metrics, named and labelled as Kubernetes' kubelet's.
var (
	podStartDuration = &metrics.Desc{Name: "kubelet_pod_start_duration_seconds", Kind: metrics.Histogram,
		Help:    "Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run",
		Buckets: []float64{0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600}}
	runtimeOps = &metrics.Desc{Name: "kubelet_runtime_operations_total", Kind: metrics.Counter,
		Help: "Cumulative number of runtime operations by operation type.", Labels: []string{"operation_type"}}
	runtimeOpErrors = &metrics.Desc{Name: "kubelet_runtime_operations_errors_total", Kind: metrics.Counter,
		Help: "Cumulative number of runtime operation errors by operation type.", Labels: []string{"operation_type"}}
	runtimeOpDuration = &metrics.Desc{Name: "kubelet_runtime_operations_duration_seconds", Kind: metrics.Histogram,
		Help: "Duration in seconds of runtime operations. Broken down by operation type.", Labels: []string{"operation_type"},
		Buckets: []float64{0.005, 0.0125, 0.03125, 0.078125, 0.1953125, 0.48828125, 1.220703125, 3.0517578125, 7.62939453125, 19.073486328125, 47.6837158203125, 119.20928955078125, 298.0232238769531, 745.0580596923828}}
	runningPods = &metrics.Desc{Name: "kubelet_running_pods", Kind: metrics.Gauge,
		Help: "Number of pods that have a running pod sandbox"}
	runningContainers = &metrics.Desc{Name: "kubelet_running_containers", Kind: metrics.Gauge,
		Help: "Number of containers currently running", Labels: []string{"container_state"}}
)

// sawPod notes when the kubelet first saw a pod that has yet to run, for
// kubelet_pod_start_duration_seconds. A pod that already runs (one a
// restarted kubelet adopts) or has finished is not timed.
func (k *Kubelet) sawPod(p *api.Pod) {
	if k.metrics == metrics.Discard || p.Status.Phase != api.PodPending && p.Status.Phase != "" {
		return
	}
	if _, ok := k.firstSeen[p.UID]; !ok {
		k.firstSeen[p.UID] = k.cfg.Loop.Now()
	}
}

// podStatusWritten observes the start of a pod whose status, just
// written, says Running for the first time since the kubelet saw it.
func (k *Kubelet) podStatusWritten(uid string, phase api.PodPhase) {
	seen, ok := k.firstSeen[uid]
	if !ok || phase == api.PodPending {
		return
	}
	delete(k.firstSeen, uid)
	if phase == api.PodRunning {
		k.metrics.Observe(podStartDuration, k.cfg.Loop.Now().Sub(seen).Seconds())
	}
}

// reportRunning sets kubelet_running_pods (sandboxes ready) and
// kubelet_running_containers (by state) from a relist.
func (k *Kubelet) reportRunning(sandboxes []Sandbox, containers []Container) {
	if k.metrics == metrics.Discard {
		return
	}
	pods := 0
	for _, s := range sandboxes {
		if s.Ready {
			pods++
		}
	}
	states := map[ContainerState]int{StateCreated: 0, StateRunning: 0, StateExited: 0}
	for _, c := range containers {
		states[c.State]++
	}
	k.metrics.Set(runningPods, float64(pods))
	for _, s := range []ContainerState{StateCreated, StateRunning, StateExited} {
		k.metrics.Set(runningContainers, float64(states[s]), string(s))
	}
}

// measuredRuntime is the kubelet's Runtime with every operation counted,
// its errors counted and its duration observed, by Kubernetes' operation
// types. The kubelet calls the runtime's operations through it and asks
// the bare Runtime (Config.Runtime) for optional interfaces.
type measuredRuntime struct {
	rt  Runtime
	rec metrics.Recorder
	now func() time.Time
}

// op records one operation that began at start and ended with err.
func (m measuredRuntime) op(kind string, start time.Time, err error) {
	m.rec.Add(runtimeOps, 1, kind)
	m.rec.Observe(runtimeOpDuration, m.now().Sub(start).Seconds(), kind)
	if err != nil {
		m.rec.Add(runtimeOpErrors, 1, kind)
	}
}

func (m measuredRuntime) Version() (string, string) {
	start := m.now()
	name, version := m.rt.Version()
	m.op("version", start, nil)
	return name, version
}

func (m measuredRuntime) RunSandbox(cfg SandboxConfig) (Sandbox, error) {
	start := m.now()
	s, err := m.rt.RunSandbox(cfg)
	m.op("run_podsandbox", start, err)
	return s, err
}

func (m measuredRuntime) StopSandbox(id string) error {
	start := m.now()
	err := m.rt.StopSandbox(id)
	m.op("stop_podsandbox", start, err)
	return err
}

func (m measuredRuntime) RemoveSandbox(id string) error {
	start := m.now()
	err := m.rt.RemoveSandbox(id)
	m.op("remove_podsandbox", start, err)
	return err
}

func (m measuredRuntime) EnsureImage(image string, policy api.PullPolicy) error {
	start := m.now()
	err := m.rt.EnsureImage(image, policy)
	m.op("pull_image", start, err)
	return err
}

func (m measuredRuntime) CreateContainer(sandboxID string, cfg ContainerConfig) (string, error) {
	start := m.now()
	id, err := m.rt.CreateContainer(sandboxID, cfg)
	m.op("create_container", start, err)
	return id, err
}

func (m measuredRuntime) StartContainer(id string) error {
	start := m.now()
	err := m.rt.StartContainer(id)
	m.op("start_container", start, err)
	return err
}

func (m measuredRuntime) StopContainer(id string, grace time.Duration) error {
	start := m.now()
	err := m.rt.StopContainer(id, grace)
	m.op("stop_container", start, err)
	return err
}

func (m measuredRuntime) RemoveContainer(id string) error {
	start := m.now()
	err := m.rt.RemoveContainer(id)
	m.op("remove_container", start, err)
	return err
}

func (m measuredRuntime) List() ([]Sandbox, []Container, error) {
	start := m.now()
	s, c, err := m.rt.List()
	m.op("list_containers", start, err)
	return s, c, err
}

func (m measuredRuntime) Exec(containerID string, cmd []string, timeout time.Duration) (int, string, error) {
	start := m.now()
	code, out, err := m.rt.Exec(containerID, cmd, timeout)
	m.op("exec_sync", start, err)
	return code, out, err
}
