package job

import (
	"context"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

type env struct {
	*clienttest.Env
	t *testing.T
}

func newEnv(t *testing.T) *env {
	ce := clienttest.New(t, 1, 2)
	c := client.New(ce.Transport)
	New(Config{Loop: ce.Loop, Client: c, Recorder: client.NewRecorder(ce.Loop, c, "job-controller", "")}).Start()
	e := &env{Env: ce, t: t}
	e.Settle()
	return e
}

func (e *env) createJob(name string, completions, parallelism int32, mutate func(*api.Job)) {
	e.t.Helper()
	j := &api.Job{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.JobSpec{Completions: &completions, Parallelism: &parallelism,
			Template: api.PodTemplateSpec{Spec: api.PodSpec{RestartPolicy: api.RestartNever, Containers: []api.Container{{Name: "c", Image: "busybox"}}}}}}
	if mutate != nil {
		mutate(j)
	}
	if _, err := client.For[*api.Job](e.Client).Create(context.Background(), j, client.WriteOptions{}); err != nil {
		e.t.Fatalf("create Job %s: %v", name, err)
	}
	e.Settle()
}

func (e *env) job(name string) *api.Job {
	e.t.Helper()
	j, err := client.For[*api.Job](e.Client).Get(context.Background(), "default", name)
	if err != nil {
		e.t.Fatalf("get Job %s: %v", name, err)
	}
	return j
}

// active returns the pods not finished and not being deleted.
func (e *env) active() []*api.Pod {
	var out []*api.Pod
	for _, p := range clienttest.List[*api.Pod](e.t, e.Client, "default") {
		if api.IsPodActive(p) {
			out = append(out, p)
		}
	}
	return out
}

// finish sets p's phase as a kubelet would.
func (e *env) finish(p *api.Pod, phase api.PodPhase) {
	e.t.Helper()
	p = api.DeepCopy(p)
	p.Status.Phase = phase
	if _, err := client.For[*api.Pod](e.Client).UpdateStatus(context.Background(), p, client.WriteOptions{}); err != nil {
		e.t.Fatalf("finish %s: %v", p.Name, err)
	}
}

func cond(j *api.Job, t string) *api.JobCondition {
	c := j.Status.FindCondition(t)
	if c == nil || c.Status != api.ConditionTrue {
		return nil
	}
	return c
}

func TestCompletesWithParallelismAndCountsOnce(t *testing.T) {
	e := newEnv(t)
	e.createJob("batch", 3, 2, nil)
	if j := e.job("batch"); j.Status.StartTime == nil {
		t.Errorf("status.startTime not set at the first sync")
	}
	for round := 0; round < 3; round++ {
		act := e.active()
		want := min(2, 3-round)
		if len(act) != want {
			t.Fatalf("round %d: %d active pods, want %d", round, len(act), want)
		}
		for _, p := range act {
			if !p.HasFinalizer(TrackingFinalizer) || !p.IsControlledBy(e.job("batch").UID) {
				t.Fatalf("pod %s: finalizers %v, owner %v; want %s and a controller reference to the Job", p.Name, p.Finalizers, p.OwnerReferences, TrackingFinalizer)
			}
		}
		e.finish(act[0], api.PodSucceeded)
		e.Settle()
		j := e.job("batch")
		if j.Status.Succeeded != int32(round+1) || j.Status.UncountedTerminatedPods != nil {
			t.Fatalf("round %d: succeeded=%d uncounted=%v, want %d and none", round, j.Status.Succeeded, j.Status.UncountedTerminatedPods, round+1)
		}
		p, err := client.For[*api.Pod](e.Client).Get(context.Background(), "default", act[0].Name)
		if err != nil || p.HasFinalizer(TrackingFinalizer) {
			t.Fatalf("round %d: counted pod %s still has the finalizer (%v)", round, act[0].Name, err)
		}
	}
	j := e.job("batch")
	if cond(j, api.JobComplete) == nil || j.Status.CompletionTime == nil || j.Status.Succeeded != 3 {
		t.Fatalf("status %+v, want Complete with completionTime and 3 succeeded", j.Status)
	}
	if n := len(e.Events("Completed")); n != 1 {
		t.Errorf("%d Completed events, want 1", n)
	}
	if n := len(e.Events("SuccessfulCreate")); n != 3 {
		t.Errorf("%d SuccessfulCreate events, want 3", n)
	}
}

// Successive successes each count once and complete the Job. (Crash
// recovery between the protocol's steps is exercised by the simulator's
// job scenario, which restarts the controller manager.)
func TestSequentialSuccessesCountOnce(t *testing.T) {
	e := newEnv(t)
	e.createJob("batch", 2, 1, nil)
	p := e.active()[0]
	e.finish(p, api.PodSucceeded)
	e.Settle()
	e.finish(e.active()[0], api.PodSucceeded)
	e.Settle()
	j := e.job("batch")
	if j.Status.Succeeded != 2 || cond(j, api.JobComplete) == nil {
		t.Fatalf("succeeded=%d complete=%v, want 2 and Complete", j.Status.Succeeded, cond(j, api.JobComplete) != nil)
	}
}

func TestBackoffLimitFailsTheJob(t *testing.T) {
	e := newEnv(t)
	e.createJob("doomed", 1, 1, func(j *api.Job) { two := int32(2); j.Spec.BackoffLimit = &two })
	for i := 0; i < 3; i++ {
		act := e.active()
		if len(act) != 1 {
			t.Fatalf("failure %d: %d active pods, want 1 replacement", i, len(act))
		}
		e.finish(act[0], api.PodFailed)
		e.Settle()
	}
	j := e.job("doomed")
	c := cond(j, api.JobFailed)
	if c == nil || c.Reason != ReasonBackoffLimitExceeded || j.Status.Failed != 3 {
		t.Fatalf("status %+v, want Failed (BackoffLimitExceeded) with 3 failed", j.Status)
	}
	if len(e.active()) != 0 || len(e.Events(ReasonBackoffLimitExceeded)) != 1 {
		t.Errorf("%d active pods and %d BackoffLimitExceeded events, want 0 and 1", len(e.active()), len(e.Events(ReasonBackoffLimitExceeded)))
	}
}

func TestDeadlineFailsTheJobAndDeletesPods(t *testing.T) {
	e := newEnv(t)
	e.createJob("slow", 2, 2, func(j *api.Job) { d := int64(10); j.Spec.ActiveDeadlineSeconds = &d })
	if len(e.active()) != 2 {
		t.Fatalf("%d active pods, want 2", len(e.active()))
	}
	e.RunFor(11 * time.Second)
	j := e.job("slow")
	if c := cond(j, api.JobFailed); c == nil || c.Reason != ReasonDeadlineExceeded {
		t.Fatalf("status %+v, want Failed (DeadlineExceeded)", j.Status)
	}
	if len(e.active()) != 0 || len(e.Events("SuccessfulDelete")) != 2 {
		t.Errorf("%d active pods, %d SuccessfulDelete events; want 0 and 2", len(e.active()), len(e.Events("SuccessfulDelete")))
	}
	for _, p := range clienttest.List[*api.Pod](t, e.Client, "default") {
		t.Errorf("pod %s survives (finalizers %v): a finished Job's pods lose the finalizer", p.Name, p.Finalizers)
	}
}

func TestSuspendDeletesPodsAndResumes(t *testing.T) {
	e := newEnv(t)
	e.createJob("pause", 4, 2, nil)
	j := e.job("pause")
	yes := true
	j.Spec.Suspend = &yes
	if _, err := client.For[*api.Job](e.Client).Update(context.Background(), j, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	if n := len(e.active()); n != 0 || cond(e.job("pause"), api.JobSuspended) == nil {
		t.Fatalf("suspended: %d active pods, Suspended condition %v; want 0 and true", n, e.job("pause").Status.Conditions)
	}
	j = e.job("pause")
	no := false
	j.Spec.Suspend = &no
	if _, err := client.For[*api.Job](e.Client).Update(context.Background(), j, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	if n := len(e.active()); n != 2 || cond(e.job("pause"), api.JobSuspended) != nil {
		t.Fatalf("resumed: %d active pods, conditions %v; want 2 and Suspended false", n, e.job("pause").Status.Conditions)
	}
}

func TestTTLDeletesTheFinishedJob(t *testing.T) {
	e := newEnv(t)
	e.createJob("short", 1, 1, func(j *api.Job) { ttl := int32(30); j.Spec.TTLSecondsAfterFinished = &ttl })
	e.finish(e.active()[0], api.PodSucceeded)
	e.Settle()
	e.RunFor(29 * time.Second)
	e.job("short") // still there
	e.RunFor(2 * time.Second)
	if _, err := client.For[*api.Job](e.Client).Get(context.Background(), "default", "short"); !api.IsNotFound(err) {
		t.Fatalf("30s after finishing: Get err = %v, want NotFound", err)
	}
}
