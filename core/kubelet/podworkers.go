package kubelet

import "github.com/tinykube/tinykube/core/client"

// Workers lets a real node work on different pods at once. Kubernetes'
// kubelet gives every pod a goroutine of its own (pkg/kubelet/pod_workers.go):
// a pod's syncs run one after another on it, different pods' side by side,
// so one pod's slow container start or image pull never holds up another.
// tinykube's kubelet does the same when Config.Workers is set: each pod
// has a queue of work (its syncs and probes, in order), and Workers runs
// the queues of different pods at once.
//
// The decisions stay this package's and stay deterministic: only where
// they run changes. Workers runs a pod's work as if it were a callback of
// the kubelet's loop — no callback and no other pod's decisions run at the
// same time — except while the work waits for the runtime or a probe, when
// the runtime and prober it was given let the loop go (the real-time
// driver, realnode/agent, pairs them). So runtime calls of different pods
// overlap, decisions never do. Without Workers (the simulator) the work
// runs on the loop at once, exactly as before.
type Workers interface {
	// Go runs f on a goroutine of its own, soon, holding the kubelet's
	// loop as a callback does. It never blocks.
	Go(f func())
}

// podWorker is the queue of work of one pod.
type podWorker struct {
	tasks []func()
	// queued names the tasks waiting in tasks that are never queued
	// twice (a sync, an orphan's removal): a second would find the same
	// world as the first.
	queued  map[string]bool
	running bool
}

// Names of the tasks a pod's worker queues once (onPodWorker).
const (
	taskSync   = "sync"
	taskOrphan = "orphan"
)

// dispatchSync is the kubelet queue's work function: it syncs the pod of
// key at once on the loop, or — with Workers — queues the sync on the
// pod's worker and reports how it ended to the queue when it has
// (client.ErrInFlight), so failures back off just the same.
func (k *Kubelet) dispatchSync(key string) error {
	if k.cfg.Workers == nil {
		return k.syncPod(key)
	}
	k.onPodWorker(key, taskSync, func() { k.queue.Finish(key, k.syncPod(key)) })
	return client.ErrInFlight
}

// onPodWorker runs f for the pod of key: at once without Workers, else
// after the pod's earlier work, on its worker. A task named once (not "")
// that already waits there is not queued again.
//
// Contract: called on the loop (or on a pod's worker, which holds it).
func (k *Kubelet) onPodWorker(key, once string, f func()) {
	if k.cfg.Workers == nil {
		f()
		return
	}
	w := k.workers[key]
	if w == nil {
		w = &podWorker{queued: map[string]bool{}}
		k.workers[key] = w
	}
	if once != "" {
		if w.queued[once] {
			return
		}
		w.queued[once] = true
		run := f
		f = func() {
			// A change from now on needs a task of its own.
			delete(w.queued, once)
			run()
		}
	}
	w.tasks = append(w.tasks, f)
	if w.running {
		return
	}
	w.running = true
	k.cfg.Workers.Go(func() { k.drainPodWorker(key, w) })
}

// drainPodWorker runs w's tasks in order until none is left, then retires
// w. After Stop the tasks left are dropped.
//
// Contract: runs holding the loop (Workers.Go).
func (k *Kubelet) drainPodWorker(key string, w *podWorker) {
	for len(w.tasks) > 0 && !k.stopped {
		f := w.tasks[0]
		w.tasks = w.tasks[1:]
		f()
	}
	w.tasks, w.running = nil, false
	clear(w.queued)
	if k.workers[key] == w {
		delete(k.workers, key)
	}
}
