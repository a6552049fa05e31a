package kubelet

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// statsRuntime is fakeRuntime measuring each running container as using
// half a core and 10 MiB, and the node twice what its containers use.
type statsRuntime struct{ *fakeRuntime }

func (s statsRuntime) ContainerStats() (map[string]ContainerUsage, error) {
	out := map[string]ContainerUsage{}
	now := s.now()
	for _, c := range s.containers {
		if c.State == StateRunning {
			out[c.ID] = ContainerUsage{Time: now, CPUCoreNanoSeconds: uint64(now.Sub(c.StartedAt).Nanoseconds() / 2),
				MemoryWorkingSetBytes: 10 << 20, MemoryUsageBytes: 12 << 20}
		}
	}
	return out, nil
}

func (s statsRuntime) NodeStats() (NodeUsage, error) {
	cs, _ := s.ContainerStats()
	var n NodeUsage
	n.Time = s.now()
	for _, u := range cs {
		n.CPUCoreNanoSeconds += 2 * u.CPUCoreNanoSeconds
		n.MemoryWorkingSetBytes += 2 * u.MemoryWorkingSetBytes
	}
	n.MemoryAvailableBytes = 1 << 30
	return n, nil
}

func TestSummaryStatesUseAndRates(t *testing.T) {
	v, c, rt, k := setup(t)
	k.cfg.Runtime = statsRuntime{rt}
	ctx := context.Background()
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: api.PodSpec{NodeName: "n1", Containers: []api.Container{{Name: "app", Image: "i:1"}, {Name: "side", Image: "i:1"}}}}
	if _, err := client.For[*api.Pod](c).Create(ctx, p, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	v.RunFor(2 * time.Second)
	first, err := k.Summary()
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Pods) != 1 || len(first.Pods[0].Containers) != 2 {
		t.Fatalf("Summary() pods = %+v, want one pod of two containers", first.Pods)
	}
	if c := first.Pods[0].Containers[0]; c.CPU == nil || c.CPU.UsageNanoCores != nil {
		t.Errorf("first summary's container CPU = %+v, want a counter and no rate yet", c.CPU)
	}
	v.RunFor(10 * time.Second)
	second, err := k.Summary()
	if err != nil {
		t.Fatal(err)
	}
	got := second.Pods[0]
	if got.PodRef.Name != "web" || got.PodRef.Namespace != "default" {
		t.Errorf("podRef = %+v, want default/web", got.PodRef)
	}
	for _, c := range got.Containers {
		if c.CPU == nil || c.CPU.UsageNanoCores == nil || *c.CPU.UsageNanoCores != 5e8 {
			t.Errorf("container %s: CPU = %+v, want a rate of 500000000 nanocores (half a core)", c.Name, c.CPU)
		}
		if c.Memory == nil || *c.Memory.WorkingSetBytes != 10<<20 {
			t.Errorf("container %s: memory = %+v, want a working set of 10 MiB", c.Name, c.Memory)
		}
	}
	if diff := cmp.Diff(uint64(20<<20), *got.Memory.WorkingSetBytes); diff != "" {
		t.Errorf("pod working set (-want +got):\n%s", diff)
	}
	if second.Node.CPU.UsageNanoCores == nil || *second.Node.CPU.UsageNanoCores != 2e9 {
		t.Errorf("node CPU = %+v, want a rate of 2 cores", second.Node.CPU)
	}
}

func TestSummaryWithoutStatsListsPods(t *testing.T) {
	v, c, _, k := setup(t)
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: api.PodSpec{NodeName: "n1", Containers: []api.Container{{Name: "app", Image: "i:1"}}}}
	if _, err := client.For[*api.Pod](c).Create(context.Background(), p, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	v.RunFor(2 * time.Second)
	s, err := k.Summary()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Pods) != 1 || s.Pods[0].CPU != nil || s.Node.CPU != nil {
		t.Errorf("Summary() = %+v, want the pod listed with no usage", s)
	}
}
