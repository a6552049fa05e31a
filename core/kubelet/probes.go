package kubelet

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

type probeKind string

const (
	liveness  probeKind = "Liveness"
	readiness probeKind = "Readiness"
)

// probeWorker probes one run of one container periodically, on timers of
// the kubelet's loop: first after initialDelaySeconds, then every
// periodSeconds. Its result flips after successThreshold successes or
// failureThreshold failures in a row. A failed liveness probe stops the
// container (restartPolicy decides what follows); readiness feeds the
// container's ready flag and the pod's Ready condition.
type probeWorker struct {
	k                     *Kubelet
	kind                  probeKind
	podKey, podUID, cname string
	run                   Container
	ip                    string // the pod's IP, from its sandbox
	timer                 loop.Timer
	successes, failures   int
	ok                    bool // the current result
	done                  bool
}

func (w *probeWorker) stop() {
	w.done = true
	if w.timer != nil {
		w.timer.Stop()
	}
}

func probeOf(c api.Container, kind probeKind) *api.Probe {
	if kind == liveness {
		return c.LivenessProbe
	}
	return c.ReadinessProbe
}

// probeID names the worker of one probe of one container run.
func probeID(containerID string, kind probeKind) string { return containerID + "/" + string(kind) }

// syncProbes starts a worker for each probe of each running container and
// stops the workers of runs that no longer run.
func (k *Kubelet) syncProbes(pod *api.Pod, v *podView) {
	want := map[string]bool{}
	podIP := ""
	if sb := v.sandbox(); sb != nil {
		podIP = sb.IP
	}
	for _, c := range pod.Spec.Containers {
		run := v.latest(c.Name)
		if run == nil || run.State != StateRunning {
			continue
		}
		for _, kind := range []probeKind{liveness, readiness} {
			p := probeOf(c, kind)
			if p == nil {
				continue
			}
			id := probeID(run.ID, kind)
			want[id] = true
			if w := k.probes[id]; w != nil {
				w.run, w.ip = *run, podIP
				continue
			}
			w := &probeWorker{k: k, kind: kind, podKey: client.Key(pod), podUID: pod.UID, cname: c.Name, run: *run, ip: podIP, ok: kind == liveness}
			if kind == readiness {
				// A run the API already saw ready (a restarted kubelet
				// adopting it) stays ready until a probe says otherwise.
				for _, cs := range pod.Status.ContainerStatuses {
					if cs.Name == c.Name && cs.Ready && strings.HasSuffix(cs.ContainerID, "://"+run.ID) {
						w.ok = true
					}
				}
			}
			k.probes[id] = w
			w.timer = k.cfg.Loop.After(time.Duration(p.InitialDelaySeconds)*time.Second, w.due)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(k.probes)) {
		if w := k.probes[id]; w.podUID == pod.UID && !want[id] {
			w.stop()
			delete(k.probes, id)
		}
	}
}

// probeReady reports whether a running container is ready: its readiness
// probe says so, or it has none.
func (k *Kubelet) probeReady(pod *api.Pod, c api.Container, run *Container) bool {
	if c.ReadinessProbe == nil {
		return true
	}
	w := k.probes[probeID(run.ID, readiness)]
	return w != nil && w.ok
}

// due runs the probe when its timer fires: on the pod's worker, after
// the pod's earlier work (onPodWorker), or at once without one.
func (w *probeWorker) due() { w.k.onPodWorker(w.podKey, "", w.probe) }

// probe runs one probe and schedules the next.
func (w *probeWorker) probe() {
	k := w.k
	if w.done || k.stopped {
		return
	}
	ns, name := client.SplitKey(w.podKey)
	pod, ok := k.pods.Get(ns, name)
	if !ok || pod.UID != w.podUID || pod.DeletionTimestamp != nil {
		return
	}
	var spec *api.Container
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == w.cname {
			spec = &pod.Spec.Containers[i]
		}
	}
	if spec == nil || probeOf(*spec, w.kind) == nil {
		return
	}
	p := probeOf(*spec, w.kind)
	period := time.Duration(max(p.PeriodSeconds, 1)) * time.Second
	w.timer = k.cfg.Loop.After(period, w.due)

	// The sandbox's IP, not status.podIP: the first probes of a new pod
	// run before the status that carries it has come back from the API.
	ip := w.ip
	if ip == "" {
		ip = pod.Status.PodIP
	}
	res := k.cfg.Prober.Probe(pod, ip, w.run, p)
	was := w.ok
	if res.Success {
		w.failures = 0
		w.successes++
		if w.successes >= int(max(p.SuccessThreshold, 1)) {
			w.ok = true
		}
	} else {
		w.successes = 0
		w.failures++
		k.event(pod, client.EventWarning, "Unhealthy", "%s probe failed: %s", w.kind, res.Message)
		if w.failures >= int(max(p.FailureThreshold, 1)) {
			w.ok = false
		}
	}
	if w.ok == was {
		return
	}
	if w.kind == liveness && !w.ok {
		grace := gracePeriod(pod)
		if p.TerminationGracePeriodSeconds != nil {
			grace = *p.TerminationGracePeriodSeconds
		}
		k.event(pod, client.EventNormal, "Killing", "Container %s failed liveness probe, will be restarted", w.cname)
		if err := k.runtime.StopContainer(w.run.ID, secondsDuration(grace)); err == nil {
			k.podState(pod.UID).stopping[w.run.ID] = grace
		}
		w.stop()
	}
	k.queue.Add(w.podKey)
}
