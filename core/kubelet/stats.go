package kubelet

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// ptrTo returns a pointer to a copy of v.
func ptrTo[T any](v T) *T { return &v }

// statSample is the CPU counter of one container (or the node) as last
// read, so the next summary can state a rate.
type statSample struct {
	at  time.Time
	cpu uint64 // core-nanoseconds
}

// Summary returns what the node and each of its pods use now, in the
// shape of Kubernetes' kubelet /stats/summary: the metrics pipeline
// scrapes it (realnode's kubelet server serves it; the simulator calls it
// through the simulated network). Only running containers of pods the
// kubelet knows are listed, pods sorted by namespace and name; a pod's CPU
// and memory are its containers' sums. UsageNanoCores is the rate since
// the previous Summary call when there was one for the same container
// run; the pipeline computes its own rates from the counters and does not
// depend on it.
//
// With a runtime that is not a StatsProvider the summary lists the pods
// with no usage. Called on the kubelet's loop.
func (k *Kubelet) Summary() (api.Summary, error) {
	now := k.cfg.Loop.Now()
	sum := api.Summary{Node: api.NodeStats{NodeName: k.cfg.NodeName, StartTime: k.startedAt}}
	sp, ok := k.cfg.Runtime.(StatsProvider)
	var usage map[string]ContainerUsage
	if ok {
		nu, err := sp.NodeStats()
		if err != nil {
			return api.Summary{}, err
		}
		sum.Node.CPU = k.cpuStats("", nu.Time, nu.CPUCoreNanoSeconds)
		sum.Node.Memory = &api.MemoryStats{Time: nu.Time, WorkingSetBytes: ptrTo(nu.MemoryWorkingSetBytes), AvailableBytes: ptrTo(nu.MemoryAvailableBytes)}
		if usage, err = sp.ContainerStats(); err != nil {
			return api.Summary{}, err
		}
	}
	views, err := k.snapshot()
	if err != nil {
		return api.Summary{}, err
	}
	seen := map[string]bool{}
	for _, pod := range k.pods.List(api.Everything()) {
		v := views[string(pod.UID)]
		if v == nil {
			continue
		}
		ps := api.PodStats{PodRef: api.PodReference{Name: pod.Name, Namespace: pod.Namespace, UID: string(pod.UID)}}
		if pod.Status.StartTime != nil {
			ps.StartTime = pod.Status.StartTime.Time
		}
		var podCPU, podMem uint64
		var measured bool
		for _, c := range pod.Spec.Containers {
			run := v.latest(c.Name)
			if run == nil || run.State != StateRunning {
				continue
			}
			cs := api.ContainerStats{Name: c.Name, StartTime: run.StartedAt}
			if u, ok := usage[run.ID]; ok {
				seen[run.ID] = true
				cs.CPU = k.cpuStats(run.ID, u.Time, u.CPUCoreNanoSeconds)
				cs.Memory = &api.MemoryStats{Time: u.Time, WorkingSetBytes: ptrTo(u.MemoryWorkingSetBytes), UsageBytes: ptrTo(u.MemoryUsageBytes)}
				podCPU += u.CPUCoreNanoSeconds
				podMem += u.MemoryWorkingSetBytes
				measured = true
			}
			ps.Containers = append(ps.Containers, cs)
		}
		if measured {
			ps.CPU = &api.CPUStats{Time: now, UsageCoreNanoSeconds: ptrTo(podCPU)}
			ps.Memory = &api.MemoryStats{Time: now, WorkingSetBytes: ptrTo(podMem)}
		}
		sum.Pods = append(sum.Pods, ps)
	}
	// Forget the samples of containers that are gone.
	for id := range k.samples {
		if id != "" && !seen[id] {
			delete(k.samples, id)
		}
	}
	return sum, nil
}

// cpuStats states a CPU counter read at at, with the rate since the
// previous reading of the same container ("" for the node), and
// remembers this reading.
func (k *Kubelet) cpuStats(id string, at time.Time, counter uint64) *api.CPUStats {
	st := &api.CPUStats{Time: at, UsageCoreNanoSeconds: ptrTo(counter)}
	if k.samples == nil {
		k.samples = map[string]statSample{}
	}
	if prev, ok := k.samples[id]; ok && at.After(prev.at) && counter >= prev.cpu {
		rate := uint64(float64(counter-prev.cpu) / at.Sub(prev.at).Seconds())
		st.UsageNanoCores = &rate
	}
	k.samples[id] = statSample{at: at, cpu: counter}
	return st
}
