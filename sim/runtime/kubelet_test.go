package runtime_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/sim/runtime"
)

var t0 = clienttest.Start

type world struct {
	*clienttest.Env
	t   *testing.T
	v   *loop.Virtual
	c   *client.Client
	rt  *runtime.Runtime
	cfg kubelet.Config
	k   *kubelet.Kubelet
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := clienttest.New(t, 1, 1)
	v, c := e.Loop, e.Client
	rt := runtime.New(v, "node-1", rand.New(rand.NewPCG(2, 2)))
	cfg := kubelet.Config{Loop: v, Client: c, Recorder: client.NewRecorder(v, c, "kubelet", "node-1"), Runtime: rt, Prober: rt,
		NodeName: "node-1", Address: "10.0.0.1", Labels: map[string]string{"zone": "a"},
		Capacity: api.ResourceList{api.ResourceCPU: api.MustParseQuantity("4"), api.ResourceMemory: api.MustParseQuantity("8Gi"), api.ResourcePods: api.MustParseQuantity("110")}}
	return &world{Env: e, t: t, v: v, c: c, rt: rt, cfg: cfg}
}

func (w *world) start() {
	w.k = kubelet.New(w.cfg)
	w.k.Start()
}

func (w *world) run(d time.Duration) { w.v.RunFor(d) }

func (w *world) createPod(name, behavior string, mutate func(*api.Pod)) {
	w.t.Helper()
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.PodSpec{NodeName: "node-1", Containers: []api.Container{{Name: "app", Image: "nginx:1.27"}}}}
	if behavior != "" {
		p.Annotations = map[string]string{runtime.AnnotationBehavior: behavior}
	}
	if mutate != nil {
		mutate(p)
	}
	if _, err := client.For[*api.Pod](w.c).Create(context.Background(), p, client.WriteOptions{}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) pod(name string) *api.Pod {
	w.t.Helper()
	p, err := client.For[*api.Pod](w.c).Get(context.Background(), "default", name)
	if err != nil {
		w.t.Fatalf("get pod %s: %v", name, err)
	}
	return p
}

func (w *world) app(name string) api.ContainerStatus {
	w.t.Helper()
	p := w.pod(name)
	if len(p.Status.ContainerStatuses) == 0 {
		w.t.Fatalf("pod %s has no container statuses: %+v", name, p.Status)
	}
	return p.Status.ContainerStatuses[0]
}

func (w *world) containerIDs() []string {
	_, cs, _ := w.rt.List()
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID+"/"+string(c.State))
	}
	return ids
}

func TestNodeRegistersAndRenewsLease(t *testing.T) {
	w := newWorld(t)
	w.start()
	w.run(time.Second)
	ctx := context.Background()
	n, err := client.For[*api.Node](w.c).Get(ctx, "", "node-1")
	if err != nil {
		t.Fatal(err)
	}
	if c := n.Status.FindCondition(api.NodeReady); c == nil || c.Status != api.ConditionTrue {
		t.Errorf("node Ready condition = %+v, want True", c)
	}
	if n.Labels[kubelet.LabelHostname] != "node-1" || n.Labels["zone"] != "a" {
		t.Errorf("node labels = %v, want hostname node-1 and zone a", n.Labels)
	}
	if got := n.Status.Allocatable.Cpu(); got.Cmp(api.MustParseQuantity("4")) != 0 {
		t.Errorf("allocatable cpu = %v, want 4", got)
	}
	l1, err := client.For[*api.Lease](w.c).Get(ctx, kubelet.LeaseNamespace, "node-1")
	if err != nil {
		t.Fatal(err)
	}
	if *l1.Spec.HolderIdentity != "node-1" || *l1.Spec.LeaseDurationSeconds != 40 {
		t.Errorf("lease spec = holder %q duration %d, want node-1 and 40", *l1.Spec.HolderIdentity, *l1.Spec.LeaseDurationSeconds)
	}
	w.run(5 * time.Second)
	l2, _ := client.For[*api.Lease](w.c).Get(ctx, kubelet.LeaseNamespace, "node-1")
	if got := l2.Spec.RenewTime.Sub(l1.Spec.RenewTime.Time); got < 4*time.Second {
		t.Errorf("lease renewed %v later after 5s, want at least 4s (renewal every 2s)", got)
	}
	// Since node Leases, the Lease says "alive" and the Node is written
	// only when its status changes or every five minutes: nothing changed,
	// so 21s on its heartbeat has not moved while the Lease kept renewing.
	w.run(15 * time.Second)
	n2, _ := client.For[*api.Node](w.c).Get(ctx, "", "node-1")
	hb0 := n.Status.FindCondition(api.NodeReady).LastHeartbeatTime
	if hb := n2.Status.FindCondition(api.NodeReady).LastHeartbeatTime; !hb.Equal(hb0.Time) || n2.ResourceVersion != n.ResourceVersion {
		t.Errorf("after 21s with nothing changed the Node was rewritten (heartbeat t0+%v, resourceVersion %s → %s), want no write before the 5-minute report", hb.Sub(t0), n.ResourceVersion, n2.ResourceVersion)
	}
	l3, _ := client.For[*api.Lease](w.c).Get(ctx, kubelet.LeaseNamespace, "node-1")
	if got := l3.Spec.RenewTime.Sub(l2.Spec.RenewTime.Time); got < 14*time.Second {
		t.Errorf("lease renewed %v later after 15s more, want at least 14s", got)
	}
}

func TestPodRunsAndBecomesReady(t *testing.T) {
	w := newWorld(t)
	w.start()
	w.createPod("web", "start=1s,ready=5s", func(p *api.Pod) {
		p.Spec.Containers[0].ReadinessProbe = &api.Probe{PeriodSeconds: 2, ProbeHandler: api.ProbeHandler{TCPSocket: &api.TCPSocketAction{Port: api.IntOrString{IntVal: 80}}}}
	})
	w.run(3 * time.Second)
	p := w.pod("web")
	if p.Status.Phase != api.PodRunning || api.IsPodReady(p) {
		t.Fatalf("at 3s: phase %s ready %v, want Running and not ready", p.Status.Phase, api.IsPodReady(p))
	}
	if !strings.HasPrefix(p.Status.PodIP, "10.244.1.") || p.Status.HostIP != "10.0.0.1" {
		t.Errorf("podIP %q hostIP %q, want 10.244.1.x and 10.0.0.1", p.Status.PodIP, p.Status.HostIP)
	}
	cs := p.Status.ContainerStatuses[0]
	if !strings.HasPrefix(cs.ContainerID, "sim://node-1-c") || cs.State.Running == nil {
		t.Errorf("container status = %+v, want running with a sim:// ID", cs)
	}
	w.run(10 * time.Second)
	p = w.pod("web")
	if !api.IsPodReady(p) || !p.Status.ContainerStatuses[0].Ready {
		t.Errorf("at 13s: pod ready %v, container ready %v; want both", api.IsPodReady(p), p.Status.ContainerStatuses[0].Ready)
	}
	if c := p.Status.FindCondition(api.ContainersReady); c == nil || c.Status != api.ConditionTrue {
		t.Errorf("ContainersReady = %+v, want True", c)
	}
	if len(w.Events("Started")) != 1 {
		t.Errorf("Started events = %q, want one", w.Events("Started"))
	}
}

func TestCrashLoopBackOffDoubles(t *testing.T) {
	w := newWorld(t)
	w.start()
	w.createPod("web", "crash-every=5s", nil)
	var messages []string
	restarts := map[int32]time.Duration{}
	for i := 0; i < 100; i++ {
		w.run(time.Second)
		cs := w.app("web")
		if _, ok := restarts[cs.RestartCount]; !ok {
			restarts[cs.RestartCount] = w.v.Now().Sub(t0)
		}
		if wt := cs.State.Waiting; wt != nil && wt.Reason == "CrashLoopBackOff" {
			if len(messages) == 0 || messages[len(messages)-1] != wt.Message {
				messages = append(messages, wt.Message)
			}
		}
	}
	// Crash at 5s, restart at once; crash at 10s, wait 10s; crash at 25s,
	// wait 20s; crash at 50s, wait 40s; restart at 90s.
	for n, at := range map[int32]time.Duration{1: 5 * time.Second, 2: 20 * time.Second, 3: 45 * time.Second, 4: 90 * time.Second} {
		if got, ok := restarts[n]; !ok || got < at || got > at+2*time.Second {
			t.Errorf("restartCount %d first seen at %v, want about %v (all: %v)", n, got, at, restarts)
		}
	}
	uid := w.pod("web").UID
	want := []string{"back-off 10s", "back-off 20s", "back-off 40s"}
	if len(messages) < 3 {
		t.Fatalf("CrashLoopBackOff messages = %q, want three", messages)
	}
	for i, m := range want {
		if !strings.HasPrefix(messages[i], m+" restarting failed container=app pod=web_default("+uid+")") {
			t.Errorf("message %d = %q, want %q…", i, messages[i], m)
		}
	}
	cs := w.app("web")
	if lt := cs.LastTerminationState.Terminated; lt == nil || lt.ExitCode != 1 || lt.Reason != "Error" {
		t.Errorf("lastState = %+v, want terminated with code 1, Error", cs.LastTerminationState)
	}
	if len(w.Events("BackOff")) == 0 {
		t.Errorf("no BackOff event")
	}
}

func TestRestartPolicies(t *testing.T) {
	tests := []struct {
		policy   api.RestartPolicy
		behavior string
		want     api.PodPhase
	}{
		{api.RestartNever, "exit=5s", api.PodSucceeded},
		{api.RestartNever, "exit=5s,code=3", api.PodFailed},
		{api.RestartOnFailure, "exit=5s", api.PodSucceeded},
		{api.RestartOnFailure, "exit=5s,code=3", api.PodRunning},
		{api.RestartAlways, "exit=5s", api.PodRunning},
	}
	for _, tt := range tests {
		w := newWorld(t)
		w.start()
		w.createPod("job", tt.behavior, func(p *api.Pod) { p.Spec.RestartPolicy = tt.policy })
		w.run(8 * time.Second)
		p := w.pod("job")
		if p.Status.Phase != tt.want {
			t.Errorf("%s, %s: phase %s, want %s", tt.policy, tt.behavior, p.Status.Phase, tt.want)
		}
		if api.IsPodPhaseTerminal(tt.want) {
			if api.IsPodReady(p) || p.Status.ContainerStatuses[0].RestartCount != 0 {
				t.Errorf("%s, %s: finished pod ready=%v restarts=%d, want not ready and 0", tt.policy, tt.behavior, api.IsPodReady(p), p.Status.ContainerStatuses[0].RestartCount)
			}
		}
	}
}

func TestLivenessFailureRestarts(t *testing.T) {
	w := newWorld(t)
	w.start()
	w.createPod("web", "liveness-fail-after=10s", func(p *api.Pod) {
		p.Spec.Containers[0].LivenessProbe = &api.Probe{PeriodSeconds: 1, FailureThreshold: 3, ProbeHandler: api.ProbeHandler{HTTPGet: &api.HTTPGetAction{Path: "/healthz", Port: api.IntOrString{IntVal: 8080}}}}
	})
	w.run(9 * time.Second)
	if n := w.app("web").RestartCount; n != 0 {
		t.Fatalf("restarts at 9s = %d, want 0", n)
	}
	w.run(6 * time.Second)
	cs := w.app("web")
	if cs.RestartCount != 1 || cs.State.Running == nil {
		t.Errorf("at 15s: restarts %d state %+v, want 1 and running again", cs.RestartCount, cs.State)
	}
	if lt := cs.LastTerminationState.Terminated; lt == nil || lt.ExitCode != 143 {
		t.Errorf("lastState = %+v, want terminated by SIGTERM (143)", cs.LastTerminationState)
	}
	if len(w.Events("Unhealthy")) == 0 || len(w.Events("Killing")) == 0 {
		t.Errorf("events Unhealthy %q Killing %q, want both", w.Events("Unhealthy"), w.Events("Killing"))
	}
}

func TestReadinessTogglesReady(t *testing.T) {
	w := newWorld(t)
	w.start()
	w.createPod("web", "ready=2s,readiness-fail-after=20s", func(p *api.Pod) {
		p.Spec.Containers[0].ReadinessProbe = &api.Probe{PeriodSeconds: 1, FailureThreshold: 1, SuccessThreshold: 1, ProbeHandler: api.ProbeHandler{TCPSocket: &api.TCPSocketAction{Port: api.IntOrString{IntVal: 80}}}}
	})
	w.run(5 * time.Second)
	if !api.IsPodReady(w.pod("web")) {
		t.Errorf("at 5s: not ready, want ready")
	}
	w.run(20 * time.Second)
	p := w.pod("web")
	if api.IsPodReady(p) || p.Status.Phase != api.PodRunning {
		t.Errorf("at 25s: ready %v phase %s, want not ready and still Running", api.IsPodReady(p), p.Status.Phase)
	}
	if n := w.app("web").RestartCount; n != 0 {
		t.Errorf("readiness failure restarted the container %d times, want 0", n)
	}
}

func TestGracefulDeletion(t *testing.T) {
	tests := []struct {
		behavior string
		grace    int64
		gone     time.Duration // how long after the delete the pod is gone
	}{
		{"term=5s", 30, 5 * time.Second},
		{"term=60s", 10, 10 * time.Second},
		{"", 30, 0},
	}
	for _, tt := range tests {
		w := newWorld(t)
		w.start()
		w.createPod("web", tt.behavior, func(p *api.Pod) { p.Spec.TerminationGracePeriodSeconds = &tt.grace })
		w.run(3 * time.Second)
		if _, err := client.For[*api.Pod](w.c).Delete(context.Background(), "default", "web", client.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		deleted := w.v.Now()
		if tt.gone > 0 {
			w.run(tt.gone - 500*time.Millisecond)
			if _, err := client.For[*api.Pod](w.c).Get(context.Background(), "default", "web"); err != nil {
				t.Errorf("%s grace %d: pod gone before %v: %v", tt.behavior, tt.grace, tt.gone, err)
			}
		}
		for i := 0; i < 40; i++ {
			w.run(100 * time.Millisecond)
			if _, err := client.For[*api.Pod](w.c).Get(context.Background(), "default", "web"); api.IsNotFound(err) {
				break
			}
		}
		if _, err := client.For[*api.Pod](w.c).Get(context.Background(), "default", "web"); !api.IsNotFound(err) {
			t.Errorf("%s grace %d: pod still there %v after the delete", tt.behavior, tt.grace, w.v.Now().Sub(deleted))
		}
		if got := w.containerIDs(); len(got) != 0 {
			t.Errorf("%s grace %d: runtime still holds %v", tt.behavior, tt.grace, got)
		}
	}
}

func TestKubeletRestartAdoptsContainers(t *testing.T) {
	w := newWorld(t)
	w.start()
	w.createPod("a", "", nil)
	w.createPod("b", "ready=1s", func(p *api.Pod) {
		p.Spec.Containers[0].ReadinessProbe = &api.Probe{PeriodSeconds: 1, ProbeHandler: api.ProbeHandler{TCPSocket: &api.TCPSocketAction{Port: api.IntOrString{IntVal: 80}}}}
	})
	w.run(10 * time.Second)
	before := w.containerIDs()
	if len(before) != 2 {
		t.Fatalf("containers before restart = %v, want 2", before)
	}
	rvBefore := w.pod("b").ResourceVersion
	w.k.Stop()
	w.run(5 * time.Second)
	w.start()
	w.run(30 * time.Second)
	if after := w.containerIDs(); strings.Join(after, " ") != strings.Join(before, " ") {
		t.Errorf("containers after restart = %v, want unchanged %v", after, before)
	}
	for _, name := range []string{"a", "b"} {
		p := w.pod(name)
		if !api.IsPodReady(p) || p.Status.ContainerStatuses[0].RestartCount != 0 {
			t.Errorf("pod %s after restart: ready %v restarts %d, want ready and 0", name, api.IsPodReady(p), p.Status.ContainerStatuses[0].RestartCount)
		}
	}
	if rv := w.pod("b").ResourceVersion; rv != rvBefore {
		t.Errorf("pod b was rewritten by the restarted kubelet (rv %s -> %s); its status had not changed", rvBefore, rv)
	}
}

func TestOrphansRemovedAfterSync(t *testing.T) {
	w := newWorld(t)
	w.start()
	w.createPod("keep", "", nil)
	w.createPod("gone", "term=1h", nil)
	w.run(5 * time.Second)
	w.k.Stop()
	zero := int64(0)
	if _, err := client.For[*api.Pod](w.c).Delete(context.Background(), "default", "gone", client.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	// A leftover the kubelet never made: a sandbox of an unknown pod.
	sb, _ := w.rt.RunSandbox(kubelet.SandboxConfig{PodUID: "stray", Labels: map[string]string{kubelet.LabelPodUID: "stray"}})
	w.rt.CreateContainer(sb.ID, kubelet.ContainerConfig{Name: "x", Labels: map[string]string{kubelet.LabelPodUID: "stray", kubelet.LabelContainerName: "x"}})
	w.run(time.Second)
	keep := w.pod("keep").Status.ContainerStatuses[0].ContainerID
	w.start()
	w.run(5 * time.Second)
	ss, cs, _ := w.rt.List()
	if len(ss) != 1 || len(cs) != 1 || "sim://"+cs[0].ID != keep {
		t.Errorf("runtime after orphan removal: %d sandboxes, containers %v; want only pod keep's %s", len(ss), w.containerIDs(), keep)
	}
}

func TestInitContainersRunFirst(t *testing.T) {
	w := newWorld(t)
	w.start()
	w.createPod("web", "", func(p *api.Pod) {
		p.Spec.InitContainers = []api.Container{{Name: "init1", Image: "busybox:1"}, {Name: "init2", Image: "busybox:1"}}
		p.Annotations = map[string]string{runtime.AnnotationBehaviorPrefix + "init1": "exit=2s", runtime.AnnotationBehaviorPrefix + "init2": "exit=2s"}
	})
	w.run(time.Second)
	if got := w.rt.Running(); len(got) != 1 || got[0].Name != "init1" {
		t.Errorf("at 1s running %v, want only init1", got)
	}
	p := w.pod("web")
	if p.Status.Phase != api.PodPending || p.Status.ContainerStatuses[0].State.Waiting.Reason != "PodInitializing" {
		t.Errorf("at 1s: phase %s app %+v, want Pending and PodInitializing", p.Status.Phase, p.Status.ContainerStatuses[0].State)
	}
	w.run(2 * time.Second)
	if got := w.rt.Running(); len(got) != 1 || got[0].Name != "init2" {
		t.Errorf("at 3s running %v, want only init2", got)
	}
	w.run(3 * time.Second)
	p = w.pod("web")
	if p.Status.Phase != api.PodRunning || !api.IsPodReady(p) {
		t.Errorf("at 6s: phase %s ready %v, want Running and ready", p.Status.Phase, api.IsPodReady(p))
	}
	for _, cs := range p.Status.InitContainerStatuses {
		if cs.State.Terminated == nil || cs.State.Terminated.Reason != "Completed" {
			t.Errorf("init container %s state %+v, want terminated Completed", cs.Name, cs.State)
		}
	}
}

func TestActiveDeadlineFailsPod(t *testing.T) {
	w := newWorld(t)
	w.start()
	secs := int64(10)
	w.createPod("job", "", func(p *api.Pod) { p.Spec.ActiveDeadlineSeconds = &secs })
	w.run(15 * time.Second)
	p := w.pod("job")
	if p.Status.Phase != api.PodFailed || p.Status.Reason != "DeadlineExceeded" {
		t.Errorf("phase %s reason %q, want Failed DeadlineExceeded", p.Status.Phase, p.Status.Reason)
	}
	if got := w.rt.Running(); len(got) != 0 {
		t.Errorf("still running after the deadline: %v", got)
	}
}

func TestImagePullBackOff(t *testing.T) {
	w := newWorld(t)
	w.start()
	w.createPod("web", "pull-fail", nil)
	w.run(25 * time.Second)
	if wt := w.app("web").State.Waiting; wt == nil || wt.Reason != "ImagePullBackOff" {
		t.Errorf("waiting = %+v, want ImagePullBackOff", wt)
	}
	// Pulls at 0s, 10s (after 10s of back-off), then not before 30s.
	l, _ := client.For[*api.Event](w.c).List(context.Background(), "default", client.ListOptions{})
	pulls := int32(0)
	for _, e := range l.Items {
		if e.Reason == "Failed" && strings.HasPrefix(e.Message, "Failed to pull image") {
			pulls += e.Count
		}
	}
	if pulls != 2 {
		t.Errorf("failed pulls in 25s = %d, want 2", pulls)
	}
}
