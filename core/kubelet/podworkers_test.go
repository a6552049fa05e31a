package kubelet

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

// heldWorkers is a Workers whose goroutines run only when the test says:
// Go keeps f, run runs what was kept (last first, so no pod's work
// relies on another's having run), as a real pool may.
type heldWorkers struct{ pending []func() }

func (h *heldWorkers) Go(f func()) { h.pending = append(h.pending, f) }

func (h *heldWorkers) run() int {
	fs := h.pending
	h.pending = nil
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
	return len(fs)
}

// failingSandboxes refuses every sandbox.
type failingSandboxes struct{ *fakeRuntime }

func (failingSandboxes) RunSandbox(SandboxConfig) (Sandbox, error) {
	return Sandbox{}, errors.New("no network today")
}

func setupWorkers(t *testing.T, rt Runtime) (*heldWorkers, *client.Client, *Kubelet, func(time.Duration)) {
	t.Helper()
	e := clienttest.New(t, 1, 1)
	h := &heldWorkers{}
	k := New(Config{Loop: e.Loop, Client: e.Client, Runtime: rt, Prober: alwaysOK{}, NodeName: "n1",
		Capacity: api.ResourceList{api.ResourcePods: api.MustParseQuantity("10")}, BackOffInitial: time.Second, Workers: h})
	k.Start()
	return h, e.Client, k, e.Loop.RunFor
}

func createPods(t *testing.T, c *client.Client, names ...string) {
	t.Helper()
	for _, name := range names {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
			Spec: api.PodSpec{NodeName: "n1", Containers: []api.Container{{Name: "app", Image: "i:1"}}}}
		if _, err := client.For[*api.Pod](c).Create(context.Background(), p, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPodWorkersKeepOneQueuePerPod: with Workers, each pod's syncs go to
// a worker of its own (one Go per pod, not per sync), syncs asked for
// while one waits are one sync, and the pods run once the workers have
// run, whatever order they ran in.
func TestPodWorkersKeepOneQueuePerPod(t *testing.T) {
	rt := &fakeRuntime{}
	h, c, k, runFor := setupWorkers(t, rt)
	rt.now = k.cfg.Loop.Now
	createPods(t, c, "a", "b")
	runFor(100 * time.Millisecond)
	if got := len(h.pending); got != 2 {
		t.Fatalf("workers started for 2 new pods = %d, want 2", got)
	}
	for range 3 {
		k.queue.Add("default/a")
		runFor(10 * time.Millisecond)
	}
	if got := len(h.pending); got != 2 {
		t.Errorf("workers started after 3 more syncs of a waiting pod = %d, want still 2", got)
	}
	if got := len(k.workers["default/a"].tasks); got != 1 {
		t.Errorf("syncs waiting for pod a = %d, want 1 (they find the same world)", got)
	}
	if len(rt.sandboxes) != 0 {
		t.Errorf("sandboxes before any worker ran = %d, want 0: syncs must wait for their pod's worker", len(rt.sandboxes))
	}
	for range 20 {
		h.run()
		runFor(100 * time.Millisecond)
	}
	for _, name := range []string{"a", "b"} {
		p, err := client.For[*api.Pod](c).Get(context.Background(), "default", name)
		if err != nil || p.Status.Phase != api.PodRunning {
			t.Errorf("pod %s: phase %q (err %v), want Running", name, p.Status.Phase, err)
		}
	}
	if len(rt.sandboxes) != 2 {
		t.Errorf("sandboxes = %d, want one per pod", len(rt.sandboxes))
	}
	if len(k.workers) != 0 || len(h.pending) != 0 {
		t.Errorf("%d pod workers and %d goroutines left once all is done, want none", len(k.workers), len(h.pending))
	}
}

// TestPodWorkersReportFailuresToTheQueue: a sync that fails on a worker
// counts as a failure of its key, so it is retried with back-off as it
// would be on the loop.
func TestPodWorkersReportFailuresToTheQueue(t *testing.T) {
	rt := &fakeRuntime{}
	h, c, k, runFor := setupWorkers(t, failingSandboxes{rt})
	rt.now = k.cfg.Loop.Now
	createPods(t, c, "a")
	runFor(100 * time.Millisecond)
	if got := k.queue.Failures("default/a"); got != 0 {
		t.Errorf("Failures(default/a) before its worker ran = %d, want 0", got)
	}
	if n := h.run(); n != 1 {
		t.Fatalf("workers run = %d, want 1", n)
	}
	if got := k.queue.Failures("default/a"); got != 1 {
		t.Errorf("Failures(default/a) after a failed sync on its worker = %d, want 1", got)
	}
}
