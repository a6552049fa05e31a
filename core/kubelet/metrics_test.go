package kubelet

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/metrics"
)

// pullFails is the fake runtime, unable to pull one image.
type pullFails struct{ *fakeRuntime }

func (p pullFails) EnsureImage(image string, policy api.PullPolicy) error {
	if image == "missing:1" {
		return errors.New("no such image")
	}
	return p.fakeRuntime.EnsureImage(image, policy)
}

func TestKubeletMetrics(t *testing.T) {
	e := clienttest.New(t, 1, 1)
	v, c := e.Loop, e.Client
	rec := metrics.NewMemory()
	rt := &fakeRuntime{now: v.Now}
	k := New(Config{Loop: v, Client: c, Runtime: pullFails{rt}, Prober: alwaysOK{}, NodeName: "n1", Metrics: rec,
		Capacity: api.ResourceList{api.ResourcePods: api.MustParseQuantity("10")}, BackOffInitial: time.Second})
	k.Start()
	ctx := context.Background()
	for _, p := range []struct{ name, image string }{{"web", "i:1"}, {"broken", "missing:1"}} {
		pod := &api.Pod{ObjectMeta: api.ObjectMeta{Name: p.name, Namespace: "default"},
			Spec: api.PodSpec{NodeName: "n1", Containers: []api.Container{{Name: "app", Image: p.image}}}}
		if _, err := client.For[*api.Pod](c).Create(ctx, pod, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	v.RunFor(3 * time.Second)

	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		{"kubelet_pod_start_duration_seconds count", float64(rec.Count(podStartDuration)), 1}, // web; broken never runs
		{`kubelet_runtime_operations_total{operation_type="run_podsandbox"}`, rec.Value(runtimeOps, "run_podsandbox"), 2},
		{`kubelet_runtime_operations_total{operation_type="start_container"}`, rec.Value(runtimeOps, "start_container"), 1},
		{`kubelet_runtime_operations_errors_total{operation_type="start_container"}`, rec.Value(runtimeOpErrors, "start_container"), 0},
		{`kubelet_running_pods`, rec.Value(runningPods), 2},
		{`kubelet_running_containers{container_state="running"}`, rec.Value(runningContainers, "running"), 1},
		{`kubelet_running_containers{container_state="exited"}`, rec.Value(runningContainers, "exited"), 0},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if got := rec.Value(runtimeOpErrors, "pull_image"); got < 1 {
		t.Errorf(`kubelet_runtime_operations_errors_total{operation_type="pull_image"} = %v, want ≥ 1 (missing:1 cannot be pulled)`, got)
	}
	if got, all := rec.Value(runtimeOpErrors, "pull_image"), rec.Value(runtimeOps, "pull_image"); got >= all {
		t.Errorf("pull_image errors %v of %v operations, want fewer errors than operations (i:1 was pulled)", got, all)
	}
}
