package podautoscaler

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// Start-up allowances for CPU, as Kubernetes' flags default them.
const (
	// CPUInitializationPeriod is how long after a pod starts its CPU
	// samples are trusted only once it is ready and was measured after
	// becoming so (--horizontal-pod-autoscaler-cpu-initialization-period).
	CPUInitializationPeriod = 5 * time.Minute
	// InitialReadinessDelay is how long after start a pod that is not
	// ready counts as still starting rather than as unready for good
	// (--horizontal-pod-autoscaler-initial-readiness-delay).
	InitialReadinessDelay = 30 * time.Second
)

// Classify turns the target's pods and their metrics into the inputs of
// Recommend for one resource (one container's, when container is not
// ""): each pod's use and request in milli-units and its state, as
// Kubernetes' groupPods decides it at now:
//
//   - being deleted or failed: PodIgnored;
//   - pending: PodUnready;
//   - no metric: not Measured;
//   - CPU only: unready when it has no Ready condition or start time; in
//     its first CPUInitializationPeriod, unready when not ready or when
//     its sample's window began before it became ready; after that,
//     unready only when not ready and it never was since its
//     InitialReadinessDelay (it went unready while starting).
func Classify(pods []*api.Pod, metrics map[string]api.PodMetrics, resource api.ResourceName, container string, now time.Time) []PodUsage {
	out := make([]PodUsage, 0, len(pods))
	for _, p := range pods {
		u := PodUsage{Name: p.Name, Request: podRequest(p, resource, container)}
		m, measured := metrics[p.Name]
		switch {
		case p.DeletionTimestamp != nil || p.Status.Phase == api.PodFailed:
			u.State = PodIgnored
		case p.Status.Phase == api.PodPending:
			u.State = PodUnready
		case !measured:
		case resource == api.ResourceCPU && cpuUnready(p, m, now):
			u.State = PodUnready
		}
		if measured {
			u.Measured = true
			u.Usage = podUsage(m, resource, container)
		}
		out = append(out, u)
	}
	return out
}

// cpuUnready is groupPods' judgement of a running, measured pod's CPU.
func cpuUnready(p *api.Pod, m api.PodMetrics, now time.Time) bool {
	c := p.Status.FindCondition(api.PodReady)
	if c == nil || p.Status.StartTime == nil || c.LastTransitionTime == nil {
		return true
	}
	start := p.Status.StartTime.Time
	if start.Add(CPUInitializationPeriod).After(now) {
		window, _ := time.ParseDuration(m.Window)
		return c.Status == api.ConditionFalse || m.Timestamp.Time.Before(c.LastTransitionTime.Time.Add(window))
	}
	return c.Status == api.ConditionFalse && start.Add(InitialReadinessDelay).After(c.LastTransitionTime.Time)
}

// podRequest sums the containers' requests of resource (one container's
// when container is set), milli-units; 0 when any container has none,
// which Recommend refuses for a Utilization target.
func podRequest(p *api.Pod, resource api.ResourceName, container string) int64 {
	var sum int64
	for _, c := range p.Spec.Containers {
		if container != "" && c.Name != container {
			continue
		}
		q, ok := c.Resources.Requests[resource]
		if !ok {
			return 0
		}
		sum += q.MilliValue()
	}
	return sum
}

// podUsage sums a pod's metric over its containers (one container's when
// container is set), milli-units.
func podUsage(m api.PodMetrics, resource api.ResourceName, container string) int64 {
	var sum int64
	for _, c := range m.Containers {
		if container != "" && c.Name != container {
			continue
		}
		q := c.Usage[resource]
		sum += q.MilliValue()
	}
	return sum
}
