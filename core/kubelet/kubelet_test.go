package kubelet

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/loop"
)

var t0 = clienttest.Start

// fakeRuntime runs containers the instant they start and keeps them
// running until stopped; exit makes one exit with a code. The real
// scripted runtime lives in sim/runtime, which core may not import.
type fakeRuntime struct {
	now        func() time.Time
	seq        int
	sandboxes  []Sandbox
	containers []Container
	stops      int
}

func (f *fakeRuntime) Version() (string, string) { return "fake", "1" }
func (f *fakeRuntime) id(kind string) string     { f.seq++; return fmt.Sprintf("%s%03d", kind, f.seq) }
func (f *fakeRuntime) RunSandbox(cfg SandboxConfig) (Sandbox, error) {
	s := Sandbox{ID: f.id("s"), PodUID: cfg.PodUID, Labels: cfg.Labels, IP: fmt.Sprintf("10.0.0.%d", f.seq), Ready: true, Created: f.now()}
	f.sandboxes = append(f.sandboxes, s)
	return s, nil
}
func (f *fakeRuntime) StopSandbox(id string) error {
	for i := range f.sandboxes {
		if f.sandboxes[i].ID == id {
			f.sandboxes[i].Ready = false
		}
	}
	return nil
}
func (f *fakeRuntime) RemoveSandbox(id string) error {
	var keep []Sandbox
	for _, s := range f.sandboxes {
		if s.ID != id {
			keep = append(keep, s)
		}
	}
	f.sandboxes = keep
	return nil
}
func (f *fakeRuntime) EnsureImage(string, api.PullPolicy) error { return nil }
func (f *fakeRuntime) CreateContainer(sb string, cfg ContainerConfig) (string, error) {
	c := Container{ID: f.id("c"), SandboxID: sb, Name: cfg.Name, Attempt: cfg.Attempt, Labels: cfg.Labels, State: StateCreated, CreatedAt: f.now()}
	f.containers = append(f.containers, c)
	return c.ID, nil
}
func (f *fakeRuntime) find(id string) *Container {
	for i := range f.containers {
		if f.containers[i].ID == id {
			return &f.containers[i]
		}
	}
	return nil
}
func (f *fakeRuntime) StartContainer(id string) error {
	c := f.find(id)
	c.State, c.StartedAt = StateRunning, f.now()
	return nil
}
func (f *fakeRuntime) StopContainer(id string, grace time.Duration) error {
	f.stops++
	f.exit(id, 137)
	return nil
}
func (f *fakeRuntime) exit(id string, code int) {
	if c := f.find(id); c != nil && c.State != StateExited {
		c.State, c.ExitCode, c.FinishedAt = StateExited, code, f.now()
	}
}
func (f *fakeRuntime) RemoveContainer(id string) error {
	var keep []Container
	for _, c := range f.containers {
		if c.ID != id {
			keep = append(keep, c)
		}
	}
	f.containers = keep
	return nil
}
func (f *fakeRuntime) List() ([]Sandbox, []Container, error) {
	return append([]Sandbox(nil), f.sandboxes...), append([]Container(nil), f.containers...), nil
}
func (f *fakeRuntime) Exec(string, []string, time.Duration) (int, string, error) { return 0, "", nil }

type alwaysOK struct{}

func (alwaysOK) Probe(*api.Pod, string, Container, *api.Probe) ProbeResult {
	return ProbeResult{Success: true}
}

func setup(t *testing.T) (*loop.Virtual, *client.Client, *fakeRuntime, *Kubelet) {
	t.Helper()
	e := clienttest.New(t, 1, 1)
	v, c := e.Loop, e.Client
	rt := &fakeRuntime{now: v.Now}
	k := New(Config{Loop: v, Client: c, Runtime: rt, Prober: alwaysOK{}, NodeName: "n1",
		Capacity: api.ResourceList{api.ResourcePods: api.MustParseQuantity("10")}, BackOffInitial: time.Second})
	k.Start()
	return v, c, rt, k
}

func TestPodStartsAndRestartsOnFakeRuntime(t *testing.T) {
	v, c, rt, _ := setup(t)
	ctx := context.Background()
	pods := client.For[*api.Pod](c)
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: api.PodSpec{NodeName: "n1", Containers: []api.Container{{Name: "app", Image: "i:1"}}}}
	if _, err := pods.Create(ctx, p, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	v.RunFor(2 * time.Second)
	if _, err := client.For[*api.Node](c).Get(ctx, "", "n1"); err != nil {
		t.Errorf("node not registered: %v", err)
	}
	got, _ := pods.Get(ctx, "default", "web")
	if got.Status.Phase != api.PodRunning || !api.IsPodReady(got) || got.Status.PodIP == "" {
		t.Fatalf("phase %s ready %v ip %q, want Running, ready, an IP", got.Status.Phase, api.IsPodReady(got), got.Status.PodIP)
	}
	if id := got.Status.ContainerStatuses[0].ContainerID; id != "fake://"+rt.containers[0].ID {
		t.Errorf("containerID %q, want fake://%s", id, rt.containers[0].ID)
	}
	rt.exit(rt.containers[0].ID, 2)
	v.RunFor(2 * time.Second) // the relist notices within SyncPeriod
	got, _ = pods.Get(ctx, "default", "web")
	cs := got.Status.ContainerStatuses[0]
	if cs.RestartCount != 1 || cs.State.Running == nil || cs.LastTerminationState.Terminated == nil || cs.LastTerminationState.Terminated.ExitCode != 2 {
		t.Errorf("after an exit: %+v, want restartCount 1, running, lastState exit 2", cs)
	}
	if len(rt.containers) != 2 {
		t.Errorf("runtime holds %d containers, want the new run and the last one", len(rt.containers))
	}
}

func TestBackOffDoublesToMax(t *testing.T) {
	b := newBackOff(10*time.Second, 40*time.Second)
	var got []time.Duration
	for i := 0; i < 5; i++ {
		got = append(got, b.next("p/c"))
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 40 * time.Second, 40 * time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("delays = %v, want %v", got, want)
	}
	if left, _ := b.wait("p/c", t0, t0.Add(30*time.Second)); left != 10*time.Second {
		t.Errorf("wait 30s into a 40s back-off = %v, want 10s", left)
	}
	b.forget("p")
	if left, _ := b.wait("p/c", t0, t0); left != 0 {
		t.Errorf("wait after forget = %v, want 0", left)
	}
}
